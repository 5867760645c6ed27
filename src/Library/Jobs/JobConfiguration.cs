using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OptLib.Library.Storage;

namespace OptLib.Library.Jobs;

internal sealed class JobConfiguration : IEntityTypeConfiguration<Job>
{
    public void Configure(EntityTypeBuilder<Job> builder)
    {
        builder.ToTable("jobs");
        builder.Property(j => j.Kind).HasMaxLength(32);
        builder.Property(j => j.State).HasConversion(LowercaseEnum.Converter<JobState>()).HasMaxLength(16);
        builder.OwnsMany(j => j.Log, log => log.ToJson("log"));
        builder.OwnsMany(j => j.Artifacts, artifacts => artifacts.ToJson("artifacts"));
        builder.Property(j => j.Phase).HasMaxLength(100);
        builder.HasIndex(j => new { j.Kind, j.CreatedAt });
        builder.HasIndex(j => j.State);
    }
}
