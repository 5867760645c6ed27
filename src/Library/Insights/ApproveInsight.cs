using Mediator;
using OptLib.Library.Storage;
using OptLib.Library.Taxonomy;
using OptLib.Library.Validation;

namespace OptLib.Library.Insights;

/// <summary>Moves a proposed insight to active, which makes it a retrieval candidate.</summary>
public sealed record ApproveInsight(long Id, int? ExpectedVersion, string? Reason, string Actor) : IRequest<InsightDto?>, IValidatable
{
    public IEnumerable<(string Field, string Error)> Validate() => InsightRules.ValidateReason(Reason);
}

public sealed class ApproveInsightHandler(OptLibDbContext db) : IRequestHandler<ApproveInsight, InsightDto?>
{
    public async ValueTask<InsightDto?> Handle(ApproveInsight request, CancellationToken cancellationToken)
    {
        if (await InsightEdits.LoadAsync(db, request.Id, cancellationToken) is not { } insight)
        {
            return null;
        }

        InsightEdits.CheckVersion(insight, request.ExpectedVersion);
        if (insight.Status != InsightStatus.Proposed)
        {
            throw new ConflictException("Only a proposed insight can be approved.",
                $"Insight {insight.Id} is {insight.Status.ToString().ToLowerInvariant()}.",
                new Dictionary<string, object?> { ["currentVersion"] = insight.Version, ["status"] = insight.Status.ToString().ToLowerInvariant() });
        }

        insight.Status = InsightStatus.Active;
        var tree = await TaxonomyTree.LoadAsync(db, cancellationToken);
        return await InsightEdits.CommitAsync(db, insight, tree, request.Actor, "approve", InsightEdits.ReasonOr(request.Reason, "approved"), cancellationToken);
    }
}
