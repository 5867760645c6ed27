using Hangfire;
using Mediator;
using OptLib.Library.Jobs;
using OptLib.Platform.Jobs;

namespace OptLib.Library.Solving;

/// <summary>The Hangfire job on the "solve" queue: every worker process shares it, each with its own concurrency.</summary>
public sealed class SolveProblemJob(ISender sender)
{
    [Queue(BackgroundJobs.SolveQueue)]
    [AutomaticRetry(Attempts = 0)] // a failed solve is recorded as an attempt; running it again would cost model calls
    public async Task Run(long problemId, CancellationToken cancellationToken) =>
        await sender.Send(new SolveProblem(problemId), cancellationToken);
}
