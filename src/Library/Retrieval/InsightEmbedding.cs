using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using OptLib.Library.Insights;
using Pgvector;

namespace OptLib.Library.Retrieval;

/// <summary>
/// An insight's vector is what retrieval compares with: condition + explanation. Every writer that sets or changes
/// that text embeds it itself, before its save and outside any transaction; the guard refuses a save that forgot.
/// </summary>
public static class InsightEmbedding
{
    public static string TextOf(Insight insight) => insight.Condition + "\n" + insight.Explanation;

    /// <summary>Embeds the insight's current text with the configured provider (a network call for a remote one).</summary>
    public static async Task EmbedAsync(this IEmbeddingProvider embeddings, Insight insight, CancellationToken ct) =>
        Apply(embeddings, insight, await embeddings.EmbedAsync(TextOf(insight), ct));

    /// <summary>After an edit: embeds again when the text differs from <paramref name="textBefore"/>, or the vector is missing or of another model.</summary>
    public static async Task RefreshAsync(this IEmbeddingProvider embeddings, Insight insight, string textBefore, CancellationToken ct)
    {
        if (insight.Embedding is null || insight.EmbeddingModel != embeddings.ModelId || TextOf(insight) != textBefore)
        {
            await embeddings.EmbedAsync(insight, ct);
        }
    }

    /// <summary>Embeds each insight, reusing the vector of an identical text already in <paramref name="known"/> (text → vector).</summary>
    public static async Task EmbedAsync(this IEmbeddingProvider embeddings, IEnumerable<Insight> insights, IReadOnlyDictionary<string, Vector> known, CancellationToken ct)
    {
        foreach (var insight in insights)
        {
            if (known.TryGetValue(TextOf(insight), out var vector))
            {
                insight.Embedding = vector;
                insight.EmbeddingModel = embeddings.ModelId;
            }
            else
            {
                await embeddings.EmbedAsync(insight, ct);
            }
        }
    }

    private static void Apply(IEmbeddingProvider embeddings, Insight insight, float[] vector)
    {
        insight.Embedding = new Vector(vector);
        insight.EmbeddingModel = embeddings.ModelId;
    }

    /// <summary>
    /// Refuses to save a new insight without a vector, or a changed condition or explanation whose vector was not made
    /// again: a programming error that would leave retrieval comparing with the old text. It does no I/O.
    /// </summary>
    public sealed class Guard : SaveChangesInterceptor
    {
        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Check(eventData.Context);
            return ValueTask.FromResult(result);
        }

        public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
        {
            Check(eventData.Context);
            return result;
        }

        private static void Check(DbContext? context)
        {
            var stale = context is null ? [] : context.ChangeTracker.Entries<Insight>()
                .Where(e => e.State switch
                {
                    EntityState.Added => e.Entity.Embedding is null,
                    EntityState.Modified => !e.Property(i => i.Embedding).IsModified &&
                        (e.Property(i => i.Condition).IsModified || e.Property(i => i.Explanation).IsModified),
                    _ => false,
                })
                .Select(e => e.Entity.Id)
                .ToList();
            if (stale.Count > 0)
            {
                throw new InvalidOperationException(
                    $"Insight(s) {string.Join(", ", stale)} would be saved with text that was not embedded; call IEmbeddingProvider.EmbedAsync(insight) before saving.");
            }
        }
    }
}
