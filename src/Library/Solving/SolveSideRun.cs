using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using OptLib.Library.Learning;
using OptLib.Library.Storage;

namespace OptLib.Library.Solving;

/// <summary>
/// A side run of the pipeline over a stored problem (verification, diagnosis, an evaluation): it records an attempt,
/// which is never queued for learning, and leaves the problem's status alone. Its caller's token stops it; the
/// cancelled attempt is recorded and the cancellation thrown on.
/// </summary>
public sealed record SolveSideRun(long ProblemId, SideRun Side) : IRequest<long>;

public sealed class SolveSideRunHandler(OptLibDbContext db, Pipeline pipeline, ILogger<SolveSideRunHandler> logger) : IRequestHandler<SolveSideRun, long>
{
    public async ValueTask<long> Handle(SolveSideRun request, CancellationToken cancellationToken)
    {
        var problem = await db.Problems.AsNoTracking().FirstOrDefaultAsync(p => p.Id == request.ProblemId, cancellationToken)
            ?? throw new InvalidOperationException($"Problem {request.ProblemId} does not exist.");
        var attempt = await AttemptStart.SaveAsync(db, problem.Id, cancellationToken);
        var run = await pipeline.RunAsync(problem, request.Side, cancellationToken);
        run.WriteTo(attempt);
        if (run.Cancelled)
        {
            attempt.Error = "interrupted: the side run's caller stopped it";
        }

        (attempt.QueuedForLearning, attempt.LearningNote) = LearningQueue.Decide(problem, attempt.Status, request.Side.Purpose);
        await db.SaveChangesAsync(CancellationToken.None);
        logger.LogInformation("Problem {Problem}: {Purpose} attempt {Attempt} ended {Status}", problem.Id, request.Side.Purpose, attempt.Id, attempt.Status);
        cancellationToken.ThrowIfCancellationRequested();
        return attempt.Id;
    }
}
