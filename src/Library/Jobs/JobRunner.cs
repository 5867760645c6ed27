using System.Diagnostics;
using System.Text.Json;
using Hangfire;
using Hangfire.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OptLib.Platform.Jobs;

namespace OptLib.Library.Jobs;

/// <summary>
/// The Hangfire jobs that carry one of our jobs through: plan a phase (insert its items, enqueue one Hangfire job
/// each), run one item, finish. Whoever completes the last item of a phase enqueues the next plan, so a long cycle is
/// many short Hangfire jobs that any worker process may take.
/// </summary>
public sealed class JobRunner(
    IServiceProvider services,
    IEnumerable<IJobKind> kinds,
    JobStore store,
    IBackgroundJobClient hangfire,
    IOptions<JobEngineOptions> options,
    ILogger<JobRunner> logger)
{
    [AutomaticRetry(Attempts = 3)] // only for the database failing under us; a kind's own errors fail the job
    public async Task Plan(long jobId, int index, CancellationToken cancellationToken)
    {
        var head = await store.HeadAsync(jobId, cancellationToken);
        if (head is null || !await IsActiveAsync(head, cancellationToken))
        {
            return;
        }

        if (kinds.Find(head.Kind) is not { } kind)
        {
            await FailAsync(jobId, $"The job kind '{head.Kind}' is not registered in worker {JobStore.WorkerName}.", cancellationToken);
            return;
        }

        var context = new JobContext(jobId, head.Kind, head.Parameters, services, store);
        try
        {
            while (true)
            {
                var phase = await kind.PlanAsync(context, index, cancellationToken);
                if (phase is null)
                {
                    await EnqueueAsync(jobId, kind.Queue, r => r.Finish(jobId, CancellationToken.None));
                    return;
                }

                await store.InsertItemsAsync(jobId, phase.Name, phase.Keys, cancellationToken);
                var remaining = await store.StartPhaseAsync(jobId, index, phase.Name, cancellationToken);
                if (remaining is null)
                {
                    return; // cancelled meanwhile, or another plan of this job moved past this phase
                }

                await store.AppendLogAsync(jobId, "info", $"Phase {index + 1} '{phase.Name}': {phase.Keys.Count} items.", cancellationToken);
                if (remaining > 0)
                {
                    await EnqueueItemsAsync(jobId, phase.Name, kind.Queue, cancellationToken);
                    return;
                }

                index++; // an empty phase, or one a retried plan finds already done
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogError(ex, "Planning job {Job} ({Kind}) phase {Index} failed", jobId, head.Kind, index);
            await FailAsync(jobId, $"Planning phase {index + 1} failed: {ex.Message}", CancellationToken.None);
        }
    }

    [AutomaticRetry(Attempts = 3)]
    public async Task RunItem(long itemId, PerformContext? perform, CancellationToken cancellationToken)
    {
        // Outside Hangfire (a direct call) there is no retry to tell apart, so each call is its own claimant.
        var hangfireJobId = perform?.BackgroundJob.Id ?? $"direct-{Guid.NewGuid():N}";
        var claim = await store.ClaimAsync(itemId, hangfireJobId, cancellationToken);
        if (claim is null)
        {
            await NotClaimedAsync(itemId, hangfireJobId, cancellationToken);
            return;
        }

        var head = (await store.HeadAsync(claim.JobId, cancellationToken))!;
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watch = WatchForCancelAsync(claim.JobId, cancel);
        var clock = Stopwatch.StartNew();
        JobItemState state;
        string? result = null;
        string? error = null;
        try
        {
            var kind = kinds.Find(head.Kind)
                ?? throw new InvalidOperationException($"The job kind '{head.Kind}' is not registered in worker {JobStore.WorkerName}.");
            var context = new JobItemContext(claim.JobId, head.Kind, head.Parameters, services, store, claim.Phase, claim.Key, claim.Tries);
            var value = await kind.RunItemAsync(context, cancel.Token);
            result = value is null ? null : JsonSerializer.Serialize(value, JobContext.Json);
            state = JobItemState.Succeeded;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw; // this server is stopping: the item stays running, and Hangfire hands it to a worker again
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            state = JobItemState.Cancelled;
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Job {Job} item {Phase}/{Key} failed", claim.JobId, claim.Phase, claim.Key);
            state = JobItemState.Failed;
            error = ex.Message;
            await store.AppendLogAsync(claim.JobId, "warning", $"{claim.Phase} {claim.Key} failed: {ex.Message}", CancellationToken.None);
        }
        finally
        {
            await cancel.CancelAsync();
            await watch;
        }

        var completion = await store.CompleteAsync(itemId, hangfireJobId, state, result, error, CancellationToken.None);
        logger.LogDebug("Job {Job} item {Phase}/{Key} {State} in {Ms} ms", claim.JobId, claim.Phase, claim.Key, state, clock.ElapsedMilliseconds);
        if (completion is null)
        {
            return;
        }

        if (completion.JobState == JobState.Cancelling)
        {
            await store.FinalizeCancelAsync(claim.JobId, CancellationToken.None);
        }
        else if (completion.JobState == JobState.Running && completion.PhaseRemaining == 0)
        {
            await EnqueueAsync(claim.JobId, QueueOf(head.Kind), r => r.Plan(claim.JobId, completion.PhaseIndex + 1, CancellationToken.None));
        }
    }

    [AutomaticRetry(Attempts = 3)]
    public async Task Finish(long jobId, CancellationToken cancellationToken)
    {
        var head = await store.HeadAsync(jobId, cancellationToken);
        if (head is null || !await IsActiveAsync(head, cancellationToken) || head.State != JobState.Running)
        {
            return;
        }

        try
        {
            var kind = kinds.Find(head.Kind)
                ?? throw new InvalidOperationException($"The job kind '{head.Kind}' is not registered in worker {JobStore.WorkerName}.");
            await store.SetStepAsync(jobId, "finishing", cancellationToken);
            var outcome = await kind.FinishAsync(new JobContext(jobId, head.Kind, head.Parameters, services, store), cancellationToken);
            if (await store.SucceedAsync(jobId, JsonSerializer.Serialize(outcome.Metrics, JobContext.Json), outcome.Report, outcome.Artifacts ?? [], cancellationToken))
            {
                await store.AppendLogAsync(jobId, "info", "Finished.", cancellationToken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogError(ex, "Finishing job {Job} ({Kind}) failed", jobId, head.Kind);
            await FailAsync(jobId, $"Finishing failed: {ex.Message}", CancellationToken.None);
        }
    }

    /// <summary>Enqueues the items of a phase that have no Hangfire job yet, recording each one's Hangfire id.</summary>
    private async Task EnqueueItemsAsync(long jobId, string phase, string queue, CancellationToken cancellationToken)
    {
        foreach (var batch in (await store.UnqueuedItemsAsync(jobId, phase, cancellationToken)).Chunk(200))
        {
            var ids = batch.Select(id => hangfire.Enqueue<JobRunner>(queue, r => r.RunItem(id, null, CancellationToken.None))).ToList();
            await store.SetHangfireJobIdsAsync(batch, ids, cancellationToken);
        }
    }

    /// <summary>
    /// An item this Hangfire job could not claim: finished already, held by another Hangfire job, or its job was
    /// cancelled. If its worker died between counting the last item of a phase and handing over, hand over now.
    /// </summary>
    private async Task NotClaimedAsync(long itemId, string hangfireJobId, CancellationToken cancellationToken)
    {
        await store.AbandonIfCancellingAsync(itemId, hangfireJobId, cancellationToken);
        if (await store.ItemStatusAsync(itemId, cancellationToken) is not { } status)
        {
            return;
        }

        if (status.PhaseDone && status.State is JobItemState.Succeeded or JobItemState.Failed)
        {
            var kind = (await store.HeadAsync(status.JobId, cancellationToken))?.Kind;
            await EnqueueAsync(status.JobId, QueueOf(kind), r => r.Plan(status.JobId, status.PhaseIndex + 1, CancellationToken.None));
        }
        else
        {
            await store.FinalizeCancelAsync(status.JobId, cancellationToken);
        }
    }

    /// <summary>Polls the job's state while an item runs, and cancels the item's token once the job is being cancelled.</summary>
    private async Task WatchForCancelAsync(long jobId, CancellationTokenSource item)
    {
        var interval = TimeSpan.FromSeconds(options.Value.CancelCheckSeconds);
        try
        {
            while (!item.IsCancellationRequested)
            {
                await Task.Delay(interval, item.Token);
                if (await store.StateAsync(jobId, item.Token) is not JobState.Running)
                {
                    await item.CancelAsync();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // the item ended, or this watch cancelled it
        }
    }

    private async Task<bool> IsActiveAsync(JobStore.JobHead head, CancellationToken cancellationToken)
    {
        if (head.State == JobState.Cancelling)
        {
            await store.FinalizeCancelAsync(head.Id, cancellationToken);
        }

        return head.State is JobState.Queued or JobState.Running;
    }

    private async Task FailAsync(long jobId, string error, CancellationToken cancellationToken)
    {
        await store.FailAsync(jobId, error, cancellationToken);
        await store.AppendLogAsync(jobId, "error", error, cancellationToken);
    }

    /// <summary>Enqueues the next step of a job on its kind's queue (the job's own, so a retry stays there) and keeps its Hangfire id on the job, for tracing.</summary>
    private Task EnqueueAsync(long jobId, string queue, System.Linq.Expressions.Expression<Func<JobRunner, Task>> step) =>
        store.AddJobHangfireIdAsync(jobId, hangfire.Enqueue(queue, step), CancellationToken.None);

    private string QueueOf(string? kind) => kinds.Find(kind)?.Queue ?? BackgroundJobs.DefaultQueue;
}
