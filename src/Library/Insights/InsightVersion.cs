using System.Text.Json;
using Pgvector;

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

    /// <summary>
    /// The insight's vector at this version, so that retrieval as of a snapshot compares with the text it had then
    /// (ADR 0019). Null on rows written before it was kept; those are embedded again when a snapshot needs them.
    /// </summary>
    public Vector? Embedding { get; set; }

    public string? EmbeddingModel { get; set; }

    public required string Actor { get; set; }

    public required string Reason { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
