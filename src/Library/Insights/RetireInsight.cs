using Mediator;
using OptLib.Library.Storage;
using OptLib.Library.Taxonomy;
using OptLib.Library.Validation;

namespace OptLib.Library.Insights;

/// <summary>Takes an insight out of retrieval. Nothing is erased: it stays listed, with its history, and can be restored.</summary>
public sealed record RetireInsight(long Id, int? ExpectedVersion, string? Reason, string Actor) : IRequest<InsightDto?>, IValidatable
{
    public IEnumerable<(string Field, string Error)> Validate() => InsightRules.ValidateReason(Reason);
}

public sealed class RetireInsightHandler(OptLibDbContext db) : IRequestHandler<RetireInsight, InsightDto?>
{
    public async ValueTask<InsightDto?> Handle(RetireInsight request, CancellationToken cancellationToken)
    {
        if (await InsightEdits.LoadAsync(db, request.Id, cancellationToken) is not { } insight)
        {
            return null;
        }

        InsightEdits.CheckVersion(insight, request.ExpectedVersion);
        var tree = await TaxonomyTree.LoadAsync(db, cancellationToken);
        if (insight.Status == InsightStatus.Retired)
        {
            return InsightDto.From(insight, tree); // already retired: nothing changes, no new version
        }

        insight.Status = InsightStatus.Retired;
        return await InsightEdits.CommitAsync(db, insight, tree, request.Actor, "retire", InsightEdits.ReasonOr(request.Reason, "retired"), cancellationToken);
    }
}
