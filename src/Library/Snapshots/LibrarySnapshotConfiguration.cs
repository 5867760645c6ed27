using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OptLib.Library.Snapshots;

internal sealed class LibrarySnapshotConfiguration : IEntityTypeConfiguration<LibrarySnapshot>
{
    public const string JobIndex = "ix_library_snapshots_job_id";

    public void Configure(EntityTypeBuilder<LibrarySnapshot> builder)
    {
        builder.ToTable("library_snapshots");
        builder.Property(s => s.Name).HasMaxLength(SnapshotRules.MaxName);
        builder.Property(s => s.CreatedBy).HasMaxLength(200);

        // A job retried at planning finds its snapshot instead of taking a second one.
        builder.HasIndex(s => s.JobId).IsUnique().HasDatabaseName(JobIndex);
        builder.HasIndex(s => s.CreatedAt);
    }
}
