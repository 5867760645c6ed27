using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OptLib.Library.Insights;

namespace OptLib.Library.Snapshots;

internal sealed class SnapshotInsightConfiguration : IEntityTypeConfiguration<SnapshotInsight>
{
    public void Configure(EntityTypeBuilder<SnapshotInsight> builder)
    {
        builder.ToTable("snapshot_insights");
        builder.HasKey(s => new { s.SnapshotId, s.InsightId });
        builder.HasOne<LibrarySnapshot>().WithMany().HasForeignKey(s => s.SnapshotId).OnDelete(DeleteBehavior.Cascade);

        // Every member names a version row that exists: the snapshot keeps ids, the version row keeps the text.
        builder.HasOne<InsightVersion>().WithMany().HasForeignKey(s => new { s.InsightId, s.Version })
            .HasPrincipalKey(v => new { v.InsightId, v.Version }).OnDelete(DeleteBehavior.Restrict);
    }
}
