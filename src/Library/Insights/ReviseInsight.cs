using Mediator;
using OptLib.Library.Retrieval;
using OptLib.Library.Storage;
using OptLib.Library.Taxonomy;
using OptLib.Library.Validation;

namespace OptLib.Library.Insights;

/// <summary>Rewrites an insight's text and labels as a new version; the old version stays readable and restorable.</summary>
public sealed record ReviseInsight(
    long Id,
    int? ExpectedVersion,
    string Condition,
    string Explanation,
    string Example,
    IReadOnlyList<long> TaxonomyNodeIds,
    string? Reason,
    string Actor) : IRequest<InsightDto?>, IValidatable
{
    public IEnumerable<(string Field, string Error)> Validate() =>
        InsightRules.Validate(Condition, Explanation, Example, TaxonomyNodeIds).Concat(InsightRules.ValidateReason(Reason));
}

public sealed class ReviseInsightHandler(OptLibDbContext db, IEmbeddingProvider embeddings) : IRequestHandler<ReviseInsight, InsightDto?>
{
    public async ValueTask<InsightDto?> Handle(ReviseInsight request, CancellationToken cancellationToken)
    {
        if (await InsightEdits.LoadAsync(db, request.Id, cancellationToken) is not { } insight)
        {
            return null;
        }

        InsightEdits.CheckVersion(insight, request.ExpectedVersion);
        var tree = await TaxonomyTree.LoadAsync(db, cancellationToken);
        var labels = InsightRules.ResolveLeaves(tree, request.TaxonomyNodeIds);
        var textBefore = InsightEmbedding.TextOf(insight);
        insight.Condition = request.Condition;
        insight.Explanation = request.Explanation;
        insight.Example = request.Example;
        insight.Taxonomy.Clear();
        insight.Taxonomy.AddRange(labels);
        await embeddings.RefreshAsync(insight, textBefore, cancellationToken);
        return await InsightEdits.CommitAsync(db, insight, tree, request.Actor, "revise", InsightEdits.ReasonOr(request.Reason, "revised"), cancellationToken);
    }
}
