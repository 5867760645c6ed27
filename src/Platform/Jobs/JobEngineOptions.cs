using System.ComponentModel.DataAnnotations;

namespace OptLib.Platform.Jobs;

/// <summary>Settings under "Worker": where Hangfire runs jobs and how many at once.</summary>
public sealed class JobEngineOptions
{
    public const string Section = "Worker";

    /// <summary>Run a Hangfire server inside the API process, so one command runs everything.</summary>
    public bool InProcess { get; set; } = true;

    /// <summary>Hangfire workers for learning, evolution, evaluation and re-embedding items.</summary>
    [Range(1, 64)]
    public int WorkerCount { get; set; } = 2;

    /// <summary>How many problems one server solves at once (the "solve" queue).</summary>
    [Range(1, 64)]
    public int SolveConcurrency { get; set; } = 2;

    [Range(1, 60)]
    public int PollIntervalSeconds { get; set; } = 1;

    /// <summary>
    /// How long a fetched Hangfire job stays invisible to other servers without a heartbeat; with the sliding timeout
    /// a running item keeps renewing it, so this only bounds how soon the item of a dead worker is run again.
    /// </summary>
    [Range(5, 86_400)]
    public int InvisibilityTimeoutSeconds { get; set; } = 300;

    /// <summary>
    /// Register the configured schedules at start (hosts that run jobs). The operator's one-off commands turn it off,
    /// so that a command run with other settings does not rewrite the daemon's schedules.
    /// </summary>
    public bool Schedules { get; set; } = true;

    /// <summary>How often a running item checks whether its job was cancelled.</summary>
    [Range(1, 60)]
    public int CancelCheckSeconds { get; set; } = 2;
}
