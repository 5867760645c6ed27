using Mediator;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Audit;
using OptLib.Library.Storage;
using Pgvector;

namespace OptLib.Library.Retrieval;

/// <summary>
/// Brings every insight embedded by another model (or not at all) to the current provider, a batch at a time, so
/// the service keeps answering while it runs. An embedding is not content: no new insight version is written.
/// A range of ids (<paramref name="FromId"/> to <paramref name="ToId"/>, inclusive) limits it to one slice, as the
/// reembed job's items do.
/// </summary>
public sealed record ReembedInsights(string Actor, int BatchSize = 100, long? FromId = null, long? ToId = null) : IRequest<ReembedReport>;

public sealed record ReembedReport(string Model, int Reembedded);

public sealed class ReembedInsightsHandler(OptLibDbContext db, IEmbeddingProvider embeddings) : IRequestHandler<ReembedInsights, ReembedReport>
{
    public async ValueTask<ReembedReport> Handle(ReembedInsights request, CancellationToken cancellationToken)
    {
        var done = 0;
        while (true)
        {
            var batch = await db.Insights
                .Where(i => i.Embedding == null || i.EmbeddingModel == null || i.EmbeddingModel != embeddings.ModelId)
                .Where(i => (request.FromId == null || i.Id >= request.FromId) && (request.ToId == null || i.Id <= request.ToId))
                .OrderBy(i => i.Id).Take(request.BatchSize).ToListAsync(cancellationToken);
            if (batch.Count == 0)
            {
                break;
            }

            foreach (var insight in batch)
            {
                await embeddings.EmbedAsync(insight, cancellationToken);
            }

            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
            done += batch.Count;
        }

        if (done > 0)
        {
            await AuditLog.WriteAsync(db, request.Actor, "reembed", "library", null, new { Model = embeddings.ModelId, Reembedded = done }, cancellationToken);
        }

        return new ReembedReport(embeddings.ModelId, done);
    }
}

/// <summary>Counts insights embedded by another model than the configured one: the sign of a changed provider.</summary>
public static class EmbeddingDrift
{
    public static Task<int> CountAsync(OptLibDbContext db, IEmbeddingProvider embeddings, CancellationToken ct) =>
        db.Insights.CountAsync(i => i.Embedding == null || i.EmbeddingModel == null || i.EmbeddingModel != embeddings.ModelId, ct);
}
