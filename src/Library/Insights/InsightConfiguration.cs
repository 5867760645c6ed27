using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OptLib.Library.Storage;

namespace OptLib.Library.Insights;

internal sealed class InsightConfiguration : IEntityTypeConfiguration<Insight>
{
    public void Configure(EntityTypeBuilder<Insight> builder)
    {
        builder.ToTable("insights");
        builder.Property(i => i.Status).HasConversion(LowercaseEnum.Converter<InsightStatus>()).HasMaxLength(16);
        builder.HasIndex(i => i.Status);
        builder.Property(i => i.Version).IsConcurrencyToken();
        builder.Property(i => i.Embedding).HasColumnType($"vector({StorageLimits.EmbeddingDimensions})");
        builder.Property(i => i.EmbeddingModel).HasMaxLength(200);

        // ORDER BY embedding <=> @q uses this index; 1 - (embedding <=> @q) would not.
        builder.HasIndex(i => i.Embedding)
            .HasMethod("hnsw")
            .HasOperators("vector_cosine_ops")
            .HasStorageParameter("m", 16)
            .HasStorageParameter("ef_construction", 64);

        builder.HasGeneratedTsVectorColumn(i => i.SearchVector, "english", i => new { i.Condition, i.Explanation })
            .HasIndex(i => i.SearchVector)
            .HasMethod("GIN");

        builder.OwnsOne(i => i.Usage);
        builder.OwnsOne(i => i.Evidence, evidence => evidence.ToJson("usage_evidence"));
        builder.OwnsOne(i => i.Origin, origin => origin.ToJson("origin"));

        builder.HasMany(i => i.Taxonomy).WithMany().UsingEntity(
            "insight_taxonomy",
            l => l.HasOne(typeof(Taxonomy.TaxonomyNode)).WithMany().HasForeignKey("taxonomy_node_id").OnDelete(DeleteBehavior.Restrict),
            r => r.HasOne(typeof(Insight)).WithMany().HasForeignKey("insight_id").OnDelete(DeleteBehavior.Cascade),
            j => j.HasKey("insight_id", "taxonomy_node_id"));
    }
}
