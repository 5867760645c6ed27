namespace OptLib.Library.Snapshots;

/// <summary>
/// The exact set of active insight versions at one moment: ids and versions, not copies. The text and vector of each
/// member are its <see cref="Insights.InsightVersion"/> row, which never changes (ADR 0019).
/// </summary>
public sealed class LibrarySnapshot
{
    public long Id { get; set; }

    public required string Name { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public required string CreatedBy { get; set; }

    /// <summary>The learning, evolution or comparison job that took it, if one did; one snapshot per job at most.</summary>
    public long? JobId { get; set; }

    /// <summary>How many insight versions it holds, kept so that the list needs no count per row.</summary>
    public int InsightCount { get; set; }
}

/// <summary>One member of a snapshot: an insight at one version.</summary>
public sealed class SnapshotInsight
{
    public long SnapshotId { get; set; }

    public long InsightId { get; set; }

    public int Version { get; set; }
}
