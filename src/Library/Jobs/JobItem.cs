using System.Text.Json;

namespace OptLib.Library.Jobs;

public enum JobItemState
{
    Pending,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

/// <summary>
/// One short unit of a job (one problem, one batch), run as its own Hangfire job. Unique per (job, phase, key), so
/// planning twice inserts nothing twice; the claim and the completion are single atomic statements (see JobStore).
/// </summary>
public sealed class JobItem
{
    public long Id { get; set; }

    public long JobId { get; set; }

    public required string Phase { get; set; }

    public required string Key { get; set; }

    public JobItemState State { get; set; }

    /// <summary>How many times a worker claimed it: more than one means a retry or a worker that died.</summary>
    public int Tries { get; set; }

    /// <summary>"host:pid" of the process that claimed it last.</summary>
    public string? Worker { get; set; }

    /// <summary>The Hangfire job that runs it; a retry of the same Hangfire job may claim it again.</summary>
    public string? HangfireJobId { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public JsonDocument? Result { get; set; }

    public string? Error { get; set; }
}
