using System.Globalization;
using Hangfire;
using Mediator;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Audit;
using OptLib.Library.Storage;
using OptLib.Library.Validation;

namespace OptLib.Library.Problems;

/// <summary>
/// Cancels a queued or running problem, wherever it is being solved. A queued problem becomes cancelled at once and
/// its Hangfire job is deleted, so it never starts. A running one becomes "cancelling": the job is deleted, which
/// cancels the job's token in the worker that holds it, and the solve also sees the status at its next check; it
/// then stops (killing its sandbox run) and records a cancelled attempt. Null when there is no such problem; a
/// problem that already finished is a conflict.
/// </summary>
public sealed record CancelProblem(long Id, string Actor) : IRequest<CancelOutcome?>;

/// <summary>
/// The problem as it is now, and whether the request found it running, so that it stops in the background. That is
/// decided by the status transition itself: a solve that happens to stop within the request leaves it true.
/// </summary>
public sealed record CancelOutcome(ProblemDto Problem, bool Stopping);

public sealed class CancelProblemHandler(OptLibDbContext db, ISender sender, IBackgroundJobClient jobs) : IRequestHandler<CancelProblem, CancelOutcome?>
{
    public async ValueTask<CancelOutcome?> Handle(CancelProblem request, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        // Single-statement transitions: a solve claiming the problem at the same moment either sees "cancelled" and
        // never starts, or has already made it "running", which this then turns into "cancelling".
        var changed = await db.Problems.Where(p => p.Id == request.Id && p.Status == ProblemStatus.Queued)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.Status, ProblemStatus.Cancelled).SetProperty(p => p.UpdatedAt, now), cancellationToken);
        var from = ProblemStatus.Queued;
        if (changed == 0)
        {
            changed = await db.Problems.Where(p => p.Id == request.Id && p.Status == ProblemStatus.Running)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.Status, ProblemStatus.Cancelling).SetProperty(p => p.UpdatedAt, now), cancellationToken);
            from = ProblemStatus.Running;
        }

        var problem = await db.Problems.AsNoTracking().Where(p => p.Id == request.Id)
            .Select(p => new { p.Status, p.SolveJobId }).FirstOrDefaultAsync(cancellationToken);
        if (problem is null)
        {
            return null;
        }

        if (changed == 0 && problem.Status != ProblemStatus.Cancelling)
        {
            throw new ConflictException("The problem has already finished.",
                $"Problem {request.Id} is {problem.Status.ToString().ToLowerInvariant()}; only a queued or running problem can be cancelled.",
                new Dictionary<string, object?> { ["status"] = problem.Status.ToString().ToLowerInvariant() });
        }

        if (changed > 0)
        {
            if (problem.SolveJobId is { } jobId)
            {
                jobs.Delete(jobId);
            }

            await AuditLog.WriteAsync(db, request.Actor, "cancel", "problem", request.Id.ToString(CultureInfo.InvariantCulture),
                new { from = from.ToString().ToLowerInvariant(), job = problem.SolveJobId }, CancellationToken.None);
        }

        // Found running, or asked again while it is still stopping (unchanged and not a conflict): it stops later.
        var stopping = from == ProblemStatus.Running;
        var current = await sender.Send(new GetProblem(request.Id), cancellationToken);
        return current is null ? null : new CancelOutcome(current, stopping);
    }
}
