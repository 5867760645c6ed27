using Mediator;
using OptLib.Library.Interchange;
using OptLib.Library.Retrieval;
using OptLib.Library.Storage;
using OptLib.Library.Taxonomy;
using OptLib.Library.Validation;

namespace OptLib.Library.Insights;

/// <summary>Adds an insight at version 1, proposed unless the caller says active.</summary>
public sealed record CreateInsight(
    string Condition,
    string Explanation,
    string Example,
    IReadOnlyList<long> TaxonomyNodeIds,
    string? Status,
    IReadOnlyList<long> SourceProblemIds,
    IReadOnlyList<long> SourceAttemptIds,
    string? Reason,
    string Actor) : IRequest<InsightDto>, IValidatable
{
    public IEnumerable<(string Field, string Error)> Validate()
    {
        foreach (var error in InsightRules.Validate(Condition, Explanation, Example, TaxonomyNodeIds)
                     .Concat(InsightRules.ValidateReason(Reason))
                     .Concat(InsightRules.ValidateSources(SourceProblemIds, SourceAttemptIds)))
        {
            yield return error;
        }

        if (Status is not null && InsightStatuses.Parse(Status) is not (InsightStatus.Proposed or InsightStatus.Active))
        {
            yield return (nameof(Status), "A new insight is proposed or active.");
        }
    }
}

public sealed class CreateInsightHandler(OptLibDbContext db, IEmbeddingProvider embeddings) : IRequestHandler<CreateInsight, InsightDto>
{
    public async ValueTask<InsightDto> Handle(CreateInsight request, CancellationToken cancellationToken)
    {
        var tree = await TaxonomyTree.LoadAsync(db, cancellationToken);
        var labels = InsightRules.ResolveLeaves(tree, request.TaxonomyNodeIds);
        await InsightRules.CheckSourcesExistAsync(db, request.SourceProblemIds, request.SourceAttemptIds, cancellationToken);
        var now = DateTimeOffset.UtcNow;
        var insight = new Insight
        {
            Status = InsightStatuses.Parse(request.Status) ?? InsightStatus.Proposed,
            Version = 1,
            Condition = request.Condition,
            Explanation = request.Explanation,
            Example = request.Example,
            Taxonomy = labels,
            SourceProblemIds = [.. request.SourceProblemIds],
            SourceAttemptIds = [.. request.SourceAttemptIds],
            Origin = new InsightOrigin { Source = AlphaOptSources.OptLib },
            CreatedAt = now,
            UpdatedAt = now,
            CreatedBy = request.Actor,
            UpdatedBy = request.Actor,
        };

        await embeddings.EmbedAsync(insight, cancellationToken);
        await InsightHistory.AssignIdsAsync(db, [insight], cancellationToken);
        db.Insights.Add(insight);
        await InsightHistory.RecordAsync(db, insight, tree, request.Actor, "create", InsightEdits.ReasonOr(request.Reason, "created"), cancellationToken);
        return InsightDto.From(insight, tree);
    }
}
