using System.Text.Json;

namespace OptLib.Library.Audit;

/// <summary>Who changed what: every change to insights, taxonomy, keys, users and jobs writes one.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }

    public DateTimeOffset At { get; set; }

    public required string Actor { get; set; }

    public required string Action { get; set; }

    public required string EntityType { get; set; }

    public string? EntityId { get; set; }

    public JsonDocument? Detail { get; set; }
}
