using System.Text.Json;

namespace OptLib.Library.Insights;

/// <summary>An immutable past state of an insight, with who changed it, when and why.</summary>
public sealed class InsightVersion
{
    public long Id { get; set; }

    public long InsightId { get; set; }

    /// <summary>The insight this is a version of; set it when adding a version of a new insight, and one save stores both.</summary>
    public Insight? Insight { get; set; }

    public int Version { get; set; }

    /// <summary>The whole insight as it was at this version (fields, taxonomy paths, status).</summary>
    public required JsonDocument Snapshot { get; set; }

    public required string Actor { get; set; }

    public required string Reason { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
