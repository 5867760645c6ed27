using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OptLib.Library.Storage;

namespace OptLib.Library.Access;

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> builder)
    {
        builder.ToTable("users");
        builder.Property(u => u.UserName).HasMaxLength(100);
        builder.Property(u => u.NormalizedUserName).HasMaxLength(100);
        builder.HasIndex(u => u.NormalizedUserName).IsUnique();
        builder.Property(u => u.Role).HasConversion(LowercaseEnum.Converter<Role>()).HasMaxLength(16);
    }
}
