using System.Globalization;
using Hangfire;
using Mediator;
using OptLib.Library.Audit;
using OptLib.Library.Storage;
using OptLib.Library.Validation;

namespace OptLib.Library.Jobs;

/// <summary>
/// Cancels a queued or running job, whatever its kind (a problem's solve too): its kind is told first, then items not
/// started are cancelled and their Hangfire jobs deleted; running items see their token cancelled within
/// <c>Worker:CancelCheckSeconds</c>; the job ends Cancelled once none runs. Null when there is no such job; a 409 when
/// it has finished already.
/// </summary>
public sealed record CancelJob(long Id, string Actor) : IRequest<JobDto?>;

public sealed class CancelJobHandler(OptLibDbContext db, JobStore store, IEnumerable<IJobKind> kinds, IServiceProvider services,
    IBackgroundJobClient hangfire, ISender sender) : IRequestHandler<CancelJob, JobDto?>
{
    public async ValueTask<JobDto?> Handle(CancelJob request, CancellationToken cancellationToken)
    {
        if (await store.HeadAsync(request.Id, cancellationToken) is { State: JobState.Queued or JobState.Running or JobState.Cancelling } head
            && kinds.Find(head.Kind) is { } kind)
        {
            await kind.CancelRequestedAsync(new JobContext(head.Id, head.Kind, head.Parameters, services, store), cancellationToken);
        }

        var unstarted = await store.CancelAsync(request.Id, cancellationToken);
        if (unstarted is null)
        {
            var current = await sender.Send(new GetJob(request.Id), cancellationToken);
            return current is null || current.State == JobStates.Name(JobState.Cancelling)
                ? current // asked twice: it is on its way
                : throw new ConflictException("The job cannot be cancelled.", $"Job {request.Id} is {current.State}; only a queued or running job can be cancelled.",
                    new Dictionary<string, object?> { ["state"] = current.State });
        }

        foreach (var hangfireJobId in unstarted)
        {
            hangfire.Delete(hangfireJobId);
        }

        await store.AppendLogAsync(request.Id, "info", $"Cancelled by {request.Actor}; {unstarted.Count} items had not started.", cancellationToken);
        await store.FinalizeCancelAsync(request.Id, cancellationToken);
        await AuditLog.WriteAsync(db, request.Actor, "cancel", "job", request.Id.ToString(CultureInfo.InvariantCulture), new { unstarted = unstarted.Count }, cancellationToken);
        return await sender.Send(new GetJob(request.Id), cancellationToken);
    }
}
