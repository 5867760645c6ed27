using System.Text.Json;
using Hangfire;
using OptLib.Library.Storage;

namespace OptLib.Library.Jobs;

/// <summary>
/// How every job begins, whoever asks for it (a client's CreateJob, a schedule, a problem's solve): the job row is
/// saved with whatever else the caller has added to the context, then its planning is queued on the kind's queue.
/// </summary>
public sealed class JobLauncher(OptLibDbContext db, JobStore store, IBackgroundJobClient hangfire)
{
    /// <summary>A queued job of the kind, added to the context but not saved: the caller saves it with its own changes.</summary>
    public Job Add(IJobKind kind, JsonElement parameters, string actor)
    {
        var job = new Job
        {
            Kind = kind.Name,
            Parameters = JsonDocument.Parse(parameters.GetRawText()),
            State = JobState.Queued,
            CurrentStep = "queued",
            CreatedBy = actor,
            CreatedAt = DateTimeOffset.UtcNow,
        };
        db.Jobs.Add(job);
        return job;
    }

    /// <summary>Queues the planning of a saved job. Not cancellable: once the row exists, its planning must be queued.</summary>
    public async Task QueueAsync(IJobKind kind, Job job)
    {
        var planning = hangfire.Enqueue<JobRunner>(kind.Queue, r => r.Plan(job.Id, 0, CancellationToken.None));
        await store.AddJobHangfireIdAsync(job.Id, planning, CancellationToken.None);
        job.HangfireJobIds.Add(planning);
    }
}
