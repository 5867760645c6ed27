using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OptLib.Library.Problems;
using OptLib.Library.Storage;

namespace OptLib.Library.Attempts;

internal sealed class AttemptConfiguration : IEntityTypeConfiguration<Attempt>
{
    /// <summary>The JSON shape of the attempt's jsonb columns, as the pipeline has always written them: web naming, enums by name.</summary>
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public void Configure(EntityTypeBuilder<Attempt> builder)
    {
        builder.ToTable("attempts");
        builder.Property(a => a.Status).HasConversion(LowercaseEnum.Converter<AttemptStatus>()).HasMaxLength(24);
        builder.Property(a => a.LearningNote).HasMaxLength(400);
        builder.Property(a => a.CostEstimate).HasPrecision(18, 6);
        builder.Property(a => a.Programs).HasJsonConversion(Json);
        builder.Property(a => a.SolverResult).HasJsonConversion(Json);
        builder.Property(a => a.RetrievedInsights).HasJsonConversion(Json);
        builder.Property(a => a.ModelUsage).HasJsonConversion(Json);
        builder.Property(a => a.Timings).HasJsonConversion(Json);
        builder.Property(a => a.PromptVersions).HasJsonConversion(Json);
        builder.Property(a => a.Clarification).HasJsonConversion(Json);
        builder.Property(a => a.Confidence).HasJsonConversion(Json);
        builder.Property(a => a.WhatIf).HasMaxLength(Solving.WhatIf.MaxChange);
        builder.HasOne<Attempt>().WithMany().HasForeignKey(a => a.ParentAttemptId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Problem>().WithMany().HasForeignKey(a => a.ProblemId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(a => new { a.ProblemId, a.CreatedAt });
        builder.HasIndex(a => a.QueuedForLearning).HasFilter("queued_for_learning");
    }
}
