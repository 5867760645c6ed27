using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OptLib.Library.Problems;
using OptLib.Library.Solving;
using OptLib.Library.Storage;
using OptLib.Solver;

namespace OptLib.Library.Learning;

/// <summary>
/// Re-solves a problem through the whole pipeline as a side run (not queued for learning, the problem's status
/// untouched) with extra insights in its prompts and others left out, and says whether it reached the answer.
/// </summary>
public sealed class SolveVerification(ISender sender, OptLibDbContext db, IOptions<SolverOptions> solver)
{
    public async Task<(bool Reached, long AttemptId)> RunAsync(Problem problem, string purpose, IReadOnlyList<long> extra, IReadOnlyList<long> excluded, CancellationToken ct)
    {
        var attemptId = await sender.Send(new SolveProblem(problem.Id, new SolveOptions(purpose, extra, excluded)), ct);
        var objective = await db.Attempts.AsNoTracking().Where(a => a.Id == attemptId).Select(a => a.Objective).SingleAsync(ct);
        return (Answers.Reaches(problem, objective, solver.Value), attemptId);
    }
}
