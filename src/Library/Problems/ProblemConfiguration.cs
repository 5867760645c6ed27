using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OptLib.Library.Storage;

namespace OptLib.Library.Problems;

internal sealed class ProblemConfiguration : IEntityTypeConfiguration<Problem>
{
    public void Configure(EntityTypeBuilder<Problem> builder)
    {
        builder.ToTable("problems");
        builder.Property(p => p.Status).HasConversion(LowercaseEnum.Converter<ProblemStatus>()).HasMaxLength(24);
        builder.Property(p => p.Clarifications).HasJsonConversion(Attempts.AttemptConfiguration.Json);
        builder.Property(p => p.Dataset).HasMaxLength(200);
        builder.Property(p => p.Split).HasMaxLength(50);
        builder.Property(p => p.ExternalId).HasMaxLength(200);
        builder.HasOne(p => p.Job).WithMany().HasForeignKey(p => p.JobId).OnDelete(DeleteBehavior.SetNull);
        builder.HasIndex(p => new { p.Dataset, p.ExternalId }).IsUnique().HasFilter("dataset IS NOT NULL");
        builder.HasIndex(p => p.Status);
    }
}
