using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OptLib.Library.Storage;

namespace OptLib.Library.Jobs;

internal sealed class JobItemConfiguration : IEntityTypeConfiguration<JobItem>
{
    public void Configure(EntityTypeBuilder<JobItem> builder)
    {
        builder.ToTable("job_items");
        builder.Property(i => i.Phase).HasMaxLength(100);
        builder.Property(i => i.Key).HasMaxLength(200);
        builder.Property(i => i.State).HasConversion(LowercaseEnum.Converter<JobItemState>()).HasMaxLength(16);
        builder.Property(i => i.Worker).HasMaxLength(200);
        builder.Property(i => i.HangfireJobId).HasMaxLength(64);
        builder.HasOne<Job>().WithMany().HasForeignKey(i => i.JobId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(i => new { i.JobId, i.Phase, i.Key }).IsUnique();
        builder.HasIndex(i => new { i.JobId, i.State });
    }
}
