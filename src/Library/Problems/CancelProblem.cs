using System.Globalization;
using Mediator;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Audit;
using OptLib.Library.Jobs;
using OptLib.Library.Storage;
using OptLib.Library.Validation;

namespace OptLib.Library.Problems;

/// <summary>
/// Cancels a queued or running problem by cancelling its solve job, the one cancel path of every background run. A
/// queued problem becomes cancelled at once and never starts. A running one becomes "cancelling": the job engine
/// cancels the solve's token within Worker:CancelCheckSeconds, wherever it runs; the solve then stops (killing its
/// sandbox run) and records a cancelled attempt. Null when there is no such problem; a finished one is a conflict.
/// </summary>
public sealed record CancelProblem(long Id, string Actor) : IRequest<CancelOutcome?>
{
    /// <summary>
    /// The problem's side of a cancel, in single statements: a solve claiming it at the same moment either sees
    /// "cancelled" and never starts, or has already made it "running", which this then turns into "cancelling".
    /// </summary>
    public static async Task MarkAsync(OptLibDbContext db, long problemId, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        if (await db.Problems.Where(p => p.Id == problemId && (p.Status == ProblemStatus.Queued || p.Status == ProblemStatus.NeedsClarification))
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.Status, ProblemStatus.Cancelled).SetProperty(p => p.UpdatedAt, now), ct) == 0)
        {
            await db.Problems.Where(p => p.Id == problemId && p.Status == ProblemStatus.Running)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.Status, ProblemStatus.Cancelling).SetProperty(p => p.UpdatedAt, now), ct);
        }
    }
}

/// <summary>
/// The problem as it is now, and whether the request found it running, so that it stops in the background. That is
/// decided by the status transition itself: a solve that happens to stop within the request leaves it true.
/// </summary>
public sealed record CancelOutcome(ProblemDto Problem, bool Stopping);

public sealed class CancelProblemHandler(OptLibDbContext db, ISender sender) : IRequestHandler<CancelProblem, CancelOutcome?>
{
    public async ValueTask<CancelOutcome?> Handle(CancelProblem request, CancellationToken cancellationToken)
    {
        var problem = await db.Problems.AsNoTracking().Where(p => p.Id == request.Id)
            .Select(p => new { p.Status, p.JobId }).FirstOrDefaultAsync(cancellationToken);
        if (problem is null)
        {
            return null;
        }

        if (problem.Status is ProblemStatus.Solved or ProblemStatus.Failed or ProblemStatus.Cancelled)
        {
            throw new ConflictException("The problem has already finished.",
                $"Problem {request.Id} is {problem.Status.ToString().ToLowerInvariant()}; only a queued or running problem can be cancelled.",
                new Dictionary<string, object?> { ["status"] = problem.Status.ToString().ToLowerInvariant() });
        }

        if (problem.JobId is { } jobId && problem.Status != ProblemStatus.NeedsClarification) // a problem waiting for answers has no job running
        {
            await sender.Send(new CancelJob(jobId, request.Actor), cancellationToken);
        }
        else
        {
            await CancelProblem.MarkAsync(db, request.Id, cancellationToken); // stored before solves were jobs: nothing else runs it
        }

        if (problem.Status != ProblemStatus.Cancelling) // asked again while it stops: one audit entry is enough
        {
            await AuditLog.WriteAsync(db, request.Actor, "cancel", "problem", request.Id.ToString(CultureInfo.InvariantCulture),
                new { from = problem.Status.ToString().ToLowerInvariant(), job = problem.JobId }, CancellationToken.None);
        }

        var current = await sender.Send(new GetProblem(request.Id), cancellationToken);
        return current is null ? null : new CancelOutcome(current, Stopping: problem.Status is ProblemStatus.Running or ProblemStatus.Cancelling);
    }
}
