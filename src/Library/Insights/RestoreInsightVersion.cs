using System.Text.Json;
using Mediator;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Retrieval;
using OptLib.Library.Storage;
using OptLib.Library.Taxonomy;
using OptLib.Library.Validation;

namespace OptLib.Library.Insights;

/// <summary>
/// Brings back the text and labels of an earlier version as a new version; history is never rewritten. The status
/// is left as it is (retiring and approving are their own steps).
/// </summary>
public sealed record RestoreInsightVersion(long Id, int Version, int? ExpectedVersion, string? Reason, string Actor) : IRequest<InsightDto?>, IValidatable
{
    public IEnumerable<(string Field, string Error)> Validate() => InsightRules.ValidateReason(Reason);
}

public sealed class RestoreInsightVersionHandler(OptLibDbContext db, IEmbeddingProvider embeddings) : IRequestHandler<RestoreInsightVersion, InsightDto?>
{
    /// <returns>null when the insight or the version does not exist.</returns>
    public async ValueTask<InsightDto?> Handle(RestoreInsightVersion request, CancellationToken cancellationToken)
    {
        if (await InsightEdits.LoadAsync(db, request.Id, cancellationToken) is not { } insight)
        {
            return null;
        }

        var old = await db.InsightVersions.AsNoTracking().SingleOrDefaultAsync(v => v.InsightId == request.Id && v.Version == request.Version, cancellationToken);
        if (old is null)
        {
            return null;
        }

        InsightEdits.CheckVersion(insight, request.ExpectedVersion);
        var snapshot = old.Snapshot.Deserialize<InsightSnapshot>(InsightHistory.SnapshotJson)!;
        var tree = await TaxonomyTree.LoadAsync(db, cancellationToken);
        var textBefore = InsightEmbedding.TextOf(insight);
        insight.Condition = snapshot.Condition;
        insight.Explanation = snapshot.Explanation;
        insight.Example = snapshot.Example;
        insight.Taxonomy.Clear();
        insight.Taxonomy.AddRange(snapshot.Taxonomy.Select(p => tree.Find(p.NodeId)).OfType<TaxonomyNode>());
        await embeddings.RefreshAsync(insight, textBefore, cancellationToken);
        return await InsightEdits.CommitAsync(db, insight, tree, request.Actor, "restore",
            InsightEdits.ReasonOr(request.Reason, $"restored version {request.Version}"), cancellationToken);
    }
}
