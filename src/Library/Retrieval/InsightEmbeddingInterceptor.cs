using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using OptLib.Library.Insights;
using Pgvector;

namespace OptLib.Library.Retrieval;

/// <summary>
/// Embeds every insight whose condition or explanation is new or changed, at the moment it is saved, whoever writes
/// it (API, import, learning jobs). What is embedded is what retrieval compares with: condition + explanation.
/// </summary>
public sealed class InsightEmbeddingInterceptor(IEmbeddingProvider embeddings) : SaveChangesInterceptor
{
    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        foreach (var insight in Stale(eventData.Context))
        {
            Apply(insight, await embeddings.EmbedAsync(TextOf(insight), cancellationToken));
        }

        return result;
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        foreach (var insight in Stale(eventData.Context))
        {
            Apply(insight, embeddings.EmbedAsync(TextOf(insight), CancellationToken.None).AsTask().GetAwaiter().GetResult());
        }

        return result;
    }

    /// <summary>
    /// New insights without a vector, and insights whose text or model changed. A vector the writer set itself (a
    /// re-embed job, a test) is kept.
    /// </summary>
    private List<Insight> Stale(DbContext? context) => context is null ? [] : context.ChangeTracker.Entries<Insight>()
        .Where(e => e.State switch
        {
            EntityState.Added => e.Entity.Embedding is null,
            EntityState.Modified => !e.Property(i => i.Embedding).IsModified &&
                (e.Property(i => i.Condition).IsModified || e.Property(i => i.Explanation).IsModified || e.Entity.EmbeddingModel != embeddings.ModelId),
            _ => false,
        })
        .Select(e => e.Entity)
        .ToList();

    private void Apply(Insight insight, float[] vector)
    {
        insight.Embedding = new Vector(vector);
        insight.EmbeddingModel = embeddings.ModelId;
    }

    public static string TextOf(Insight insight) => insight.Condition + "\n" + insight.Explanation;
}
