using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OptLib.Library.Taxonomy;

internal sealed class TaxonomyNodeConfiguration : IEntityTypeConfiguration<TaxonomyNode>
{
    public void Configure(EntityTypeBuilder<TaxonomyNode> builder)
    {
        builder.ToTable("taxonomy_nodes", t => t.HasCheckConstraint("ck_taxonomy_nodes_depth", "depth BETWEEN 0 AND 2"));
        builder.Property(n => n.Name).HasMaxLength(200);
        builder.Property(n => n.PathKey).HasMaxLength(700);
        builder.HasIndex(n => n.PathKey).IsUnique();
        builder.HasOne(n => n.Parent).WithMany(n => n.Children).HasForeignKey(n => n.ParentId).OnDelete(DeleteBehavior.Restrict);
    }
}
