using OptLib.Library.Insights;

namespace OptLib.Library.Snapshots;

/// <param name="Insights">How many insight versions it holds.</param>
public sealed record SnapshotDto(long Id, string Name, DateTimeOffset CreatedAt, string CreatedBy, long? JobId, int Insights)
{
    public static SnapshotDto From(LibrarySnapshot s) => new(s.Id, s.Name, s.CreatedAt, s.CreatedBy, s.JobId, s.InsightCount);
}

public sealed record SnapshotPage(IReadOnlyList<SnapshotDto> Items, int Total, int Page, int PageSize);

/// <param name="ByStage">Members per taxonomy stage as they were filed at their version (an insight under two stages counts in both).</param>
/// <param name="Diff">With <c>?against=</c>: what changed from that snapshot to this one.</param>
public sealed record SnapshotDetailDto(
    long Id,
    string Name,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    long? JobId,
    int Insights,
    IReadOnlyDictionary<string, int> ByStage,
    SnapshotDiff? Diff);

/// <summary>From <see cref="Against"/> to the snapshot read: insights that joined, left (retired or otherwise inactive) and changed version.</summary>
public sealed record SnapshotDiff(long Against, string AgainstName, int Added, int Retired, int Changed, int Unchanged,
    IReadOnlyList<SnapshotChange> AddedInsights, IReadOnlyList<SnapshotChange> RetiredInsights, IReadOnlyList<SnapshotChange> ChangedInsights);

/// <param name="Version">Its version in the snapshot read; null when it left.</param>
/// <param name="AgainstVersion">Its version in the other snapshot; null when it joined.</param>
/// <param name="Condition">Its condition at the newer of the two versions it has.</param>
/// <param name="PreviousCondition">For a change, the condition at the other snapshot's version when it differs.</param>
public sealed record SnapshotChange(long InsightId, int? Version, int? AgainstVersion, string Condition, string? PreviousCondition = null);

/// <summary>A member with what its version row holds.</summary>
public sealed record SnapshotMember(long InsightId, int Version, InsightSnapshot Insight, Pgvector.Vector? Embedding, string? EmbeddingModel, DateTimeOffset VersionAt, string Actor);
