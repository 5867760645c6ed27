using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OptLib.Library.Reads;

/// <summary>The table; the triggers that write it are in the ChangeStamps migration.</summary>
internal sealed class ChangeStampConfiguration : IEntityTypeConfiguration<ChangeStamp>
{
    public void Configure(EntityTypeBuilder<ChangeStamp> builder)
    {
        builder.ToTable("change_stamps");
        builder.HasKey(s => s.Area);
        builder.Property(s => s.Area).HasMaxLength(32);
    }
}
