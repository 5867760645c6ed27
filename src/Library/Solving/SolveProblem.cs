using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using OptLib.Library.Attempts;
using OptLib.Library.Learning;
using OptLib.Library.Problems;
using OptLib.Library.Storage;

namespace OptLib.Library.Solving;

/// <summary>
/// A stored problem's own solve: claim it, run the pipeline, record one attempt holding everything, and settle the
/// problem's status. A failure with a known answer is queued for library learning. Zero when the problem was
/// cancelled before it started.
/// </summary>
public sealed record SolveProblem(long ProblemId) : IRequest<long>;

public sealed class SolveProblemHandler(OptLibDbContext db, Pipeline pipeline, ILogger<SolveProblemHandler> logger) : IRequestHandler<SolveProblem, long>
{
    public async ValueTask<long> Handle(SolveProblem request, CancellationToken cancellationToken)
    {
        // Claim the problem in one statement: one cancelled while it waited in the queue never starts.
        var claimed = await db.Problems
            .Where(p => p.Id == request.ProblemId && p.Status != ProblemStatus.Cancelled && p.Status != ProblemStatus.Cancelling)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.Status, ProblemStatus.Running).SetProperty(p => p.UpdatedAt, DateTimeOffset.UtcNow), cancellationToken);
        if (claimed == 0)
        {
            if (!await db.Problems.AnyAsync(p => p.Id == request.ProblemId, cancellationToken))
            {
                throw new InvalidOperationException($"Problem {request.ProblemId} does not exist.");
            }

            logger.LogInformation("Problem {Problem} was cancelled before it started", request.ProblemId);
            return 0;
        }

        var problem = await db.Problems.FirstAsync(p => p.Id == request.ProblemId, cancellationToken);
        var attempt = await AttemptStart.SaveAsync(db, problem.Id, cancellationToken);

        // The token is cancelled by the job engine when the problem's job is cancelled, or when this server stops.
        var run = await pipeline.RunAsync(problem, side: null, cancellationToken);
        run.WriteTo(attempt);
        // A stopping server is not a cancel request: the problem goes back to the queue, and its job's item runs again.
        var interrupted = run.Cancelled && !await CancelRequestedAsync(problem);
        if (run.Cancelled)
        {
            attempt.Error = interrupted ? "interrupted: the server stopped; the problem is queued again" : "cancelled on request";
        }

        // A provider outage teaches nothing about modelling, and held-out problems are never learned from: only
        // answers the library could have made right are queued.
        (attempt.QueuedForLearning, attempt.LearningNote) = LearningQueue.Decide(problem, attempt.Status, sideRunPurpose: null);
        if (run.Clarification is { } asked)
        {
            problem.Clarifications = [.. problem.Clarifications ?? [], new Clarification(attempt.Id, asked.Questions, asked.Missing, DateTimeOffset.UtcNow)];
        }

        problem.Status = attempt.Status switch
        {
            AttemptStatus.Cancelled => interrupted ? ProblemStatus.Queued : ProblemStatus.Cancelled,
            AttemptStatus.NeedsClarification => ProblemStatus.NeedsClarification,
            AttemptStatus.Correct or AttemptStatus.Solved or AttemptStatus.Unverified or AttemptStatus.Infeasible or AttemptStatus.Unbounded => ProblemStatus.Solved,
            _ => ProblemStatus.Failed,
        };
        problem.UpdatedAt = DateTimeOffset.UtcNow;
        await db.SaveChangesAsync(CancellationToken.None);
        logger.LogInformation("Problem {Problem}: attempt {Attempt} ended {Status} in {Ms:0} ms", problem.Id, attempt.Id, attempt.Status, run.Timings["total"]);
        if (interrupted)
        {
            throw new OperationCanceledException("The solve was interrupted; the problem is queued again.");
        }

        return attempt.Id;
    }

    /// <summary>
    /// Whether a cancel was asked for, read afresh: either route marks the problem cancelling (the solve kind is told
    /// before its job's items are stopped), so the problem's status alone says so.
    /// </summary>
    private async Task<bool> CancelRequestedAsync(Problem problem) =>
        await db.Problems.AsNoTracking().AnyAsync(p => p.Id == problem.Id && p.Status == ProblemStatus.Cancelling, CancellationToken.None);
}

/// <summary>The attempt row of a run that has begun, saved at once so that the problem's trace shows it running.</summary>
internal static class AttemptStart
{
    public static async Task<Attempt> SaveAsync(OptLibDbContext db, long problemId, CancellationToken ct)
    {
        var attempt = new Attempt { ProblemId = problemId, Status = AttemptStatus.Running, CreatedAt = DateTimeOffset.UtcNow };
        db.Attempts.Add(attempt);
        await db.SaveChangesAsync(ct);
        return attempt;
    }
}
