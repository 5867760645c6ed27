using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OptLib.Library.Insights;

internal sealed class InsightVersionConfiguration : IEntityTypeConfiguration<InsightVersion>
{
    public void Configure(EntityTypeBuilder<InsightVersion> builder)
    {
        builder.ToTable("insight_versions");
        builder.HasIndex(v => new { v.InsightId, v.Version }).IsUnique();
        builder.HasOne(v => v.Insight).WithMany().HasForeignKey(v => v.InsightId).OnDelete(DeleteBehavior.Restrict);
        builder.Property(v => v.Actor).HasMaxLength(200);
    }
}
