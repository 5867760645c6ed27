using System.Text.Json;

namespace OptLib.Library.Jobs;

public enum JobState
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelling,
    Cancelled,
}

/// <summary>
/// What users see of a background run (learning, evolution, evaluation, re-embedding). Hangfire holds execution;
/// this row holds the state, progress, metrics, log lines and report.
/// </summary>
public sealed class Job
{
    public long Id { get; set; }

    public required string Kind { get; set; }

    public JsonDocument? Parameters { get; set; }

    public JobState State { get; set; }

    public int ProgressDone { get; set; }

    public int ProgressTotal { get; set; }

    public string? CurrentStep { get; set; }

    /// <summary>The phase being worked on (0 first), its name, and its items not yet finished.</summary>
    public int PhaseIndex { get; set; }

    public string? Phase { get; set; }

    public int PhaseRemaining { get; set; }

    public JsonDocument? Metrics { get; set; }

    public List<JobLogLine> Log { get; set; } = [];

    public string? Report { get; set; }

    /// <summary>Files the job produced besides its report, such as the evaluation's SVG chart.</summary>
    public List<JobArtifact> Artifacts { get; set; } = [];

    public string? Error { get; set; }

    public List<string> HangfireJobIds { get; set; } = [];

    public required string CreatedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }
}

public sealed class JobLogLine
{
    public DateTimeOffset At { get; set; }

    public string Level { get; set; } = "info";

    public string Message { get; set; } = string.Empty;
}

public sealed class JobArtifact
{
    public string Name { get; set; } = string.Empty;

    public string ContentType { get; set; } = "text/plain";

    public string Content { get; set; } = string.Empty;
}
