using System.Text.Json;

namespace OptLib.Library.Jobs;

public sealed record JobProgress(int Done, int Total);

public sealed record JobLogLineDto(DateTimeOffset At, string Level, string Message);

/// <summary>A job as clients see it: where it is, what it found, what it logged.</summary>
public sealed record JobDto(long Id, string Kind, JsonElement? Parameters, string State, JobProgress Progress, string? Phase, string? CurrentStep,
    JsonElement? Metrics, IReadOnlyList<JobLogLineDto> Log, string? Report, IReadOnlyList<string> Artifacts, string? Error, string CreatedBy,
    DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt)
{
    public bool IsFinished => JobStates.IsFinished(State);

    public static JobDto From(Job job) => new(job.Id, job.Kind, job.Parameters?.RootElement, JobStates.Name(job.State),
        new JobProgress(job.ProgressDone, job.ProgressTotal), job.Phase, job.CurrentStep, job.Metrics?.RootElement,
        job.Log.Select(l => new JobLogLineDto(l.At, l.Level, l.Message)).ToList(), job.Report, job.Artifacts.Select(a => a.Name).ToList(),
        job.Error, job.CreatedBy, job.CreatedAt, job.StartedAt, job.FinishedAt);
}

/// <summary>A job in a list: no log, report or metrics.</summary>
public sealed record JobSummaryDto(long Id, string Kind, string State, JobProgress Progress, string? CurrentStep, string CreatedBy,
    DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt);

public sealed record JobPage(IReadOnlyList<JobSummaryDto> Items, int Total, int Page, int PageSize);

public static class JobStates
{
    public static string Name(JobState state) => state.ToString().ToLowerInvariant();

    public static JobState? Parse(string? state) => Enum.TryParse<JobState>(state, ignoreCase: true, out var parsed) && !int.TryParse(state, out _) ? parsed : null;

    public static bool IsFinished(JobState state) => state is JobState.Succeeded or JobState.Failed or JobState.Cancelled;

    public static bool IsFinished(string state) => Parse(state) is { } s && IsFinished(s);
}
