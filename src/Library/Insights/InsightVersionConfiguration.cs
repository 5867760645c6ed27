using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OptLib.Library.Storage;

namespace OptLib.Library.Insights;

internal sealed class InsightVersionConfiguration : IEntityTypeConfiguration<InsightVersion>
{
    public void Configure(EntityTypeBuilder<InsightVersion> builder)
    {
        builder.ToTable("insight_versions");
        builder.HasIndex(v => new { v.InsightId, v.Version }).IsUnique();
        builder.HasOne(v => v.Insight).WithMany().HasForeignKey(v => v.InsightId).OnDelete(DeleteBehavior.Restrict);
        builder.Property(v => v.Actor).HasMaxLength(200);

        // No vector index: a snapshot's versions are compared exactly, in process, never searched across the table.
        builder.Property(v => v.Embedding).HasColumnType($"vector({StorageLimits.EmbeddingDimensions})");
        builder.Property(v => v.EmbeddingModel).HasMaxLength(200);
    }
}
