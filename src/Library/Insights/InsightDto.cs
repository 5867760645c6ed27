using OptLib.Library.Taxonomy;

namespace OptLib.Library.Insights;

public sealed record InsightDto(
    long Id,
    string Status,
    int Version,
    string Condition,
    string Explanation,
    string Example,
    IReadOnlyList<TaxonomyPath> Taxonomy,
    IReadOnlyList<long> SourceProblemIds,
    IReadOnlyList<long> SourceAttemptIds,
    InsightOrigin Origin,
    UsageCounters Usage,
    UsageEvidence Evidence,
    string? EmbeddingModel,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string CreatedBy,
    string UpdatedBy)
{
    public static InsightDto From(Insight i, TaxonomyTree tree) => new(
        i.Id, i.Status.ToString().ToLowerInvariant(), i.Version, i.Condition, i.Explanation, i.Example,
        i.Taxonomy.Select(tree.PathDto).OrderBy(p => p.Stage).ThenBy(p => p.Level1).ThenBy(p => p.Level2).ToList(),
        i.SourceProblemIds, i.SourceAttemptIds, i.Origin, i.Usage, i.Evidence, i.EmbeddingModel,
        i.CreatedAt, i.UpdatedAt, i.CreatedBy, i.UpdatedBy);
}

/// <summary>What an <see cref="InsightVersion"/> keeps: everything an analyst can change, and the counters.</summary>
public sealed record InsightSnapshot(
    string Status,
    string Condition,
    string Explanation,
    string Example,
    IReadOnlyList<TaxonomyPath> Taxonomy,
    IReadOnlyList<long> SourceProblemIds,
    IReadOnlyList<long> SourceAttemptIds,
    InsightOrigin Origin,
    UsageCounters Usage,
    UsageEvidence Evidence);

public sealed record InsightVersionDto(int Version, string Actor, string Reason, DateTimeOffset CreatedAt, InsightSnapshot Snapshot);

public sealed record InsightPage(IReadOnlyList<InsightDto> Items, int Total, int Page, int PageSize);
