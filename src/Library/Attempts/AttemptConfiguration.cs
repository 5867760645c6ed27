using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OptLib.Library.Problems;
using OptLib.Library.Storage;

namespace OptLib.Library.Attempts;

internal sealed class AttemptConfiguration : IEntityTypeConfiguration<Attempt>
{
    public void Configure(EntityTypeBuilder<Attempt> builder)
    {
        builder.ToTable("attempts");
        builder.Property(a => a.Status).HasConversion(LowercaseEnum.Converter<AttemptStatus>()).HasMaxLength(24);
        builder.Property(a => a.LearningNote).HasMaxLength(400);
        builder.Property(a => a.CostEstimate).HasPrecision(18, 6);
        builder.HasOne<Problem>().WithMany().HasForeignKey(a => a.ProblemId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(a => new { a.ProblemId, a.CreatedAt });
        builder.HasIndex(a => a.QueuedForLearning).HasFilter("queued_for_learning");
    }
}
