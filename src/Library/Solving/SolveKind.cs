using System.Globalization;
using System.Text.Json;
using Mediator;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Jobs;
using OptLib.Library.Problems;
using OptLib.Library.Storage;
using OptLib.Platform.Jobs;

namespace OptLib.Library.Solving;

/// <summary>
/// A submitted problem's solve, as a job like every other background run: one item keyed by the problem, on the
/// "solve" queue (Worker:SolveConcurrency), with the job's progress, log and cancel. POST /api/problems makes it.
/// </summary>
public sealed class SolveKind(OptLibDbContext db, ISender sender) : IJobKind
{
    public const string KindName = "solve";
    public const string Phase = "solve";

    public sealed record Parameters(long Problem);

    /// <summary>The item's result and the job's metrics: which attempt the solve made and how it ended.</summary>
    public sealed record Outcome(long Problem, long? Attempt, string Status, double? Objective);

    public string Name => KindName;

    public string Summary => "Solves one submitted problem (problem); POST /api/problems starts it, and cancelling either cancels both.";

    public string Queue => BackgroundJobs.SolveQueue;

    public bool CreatedByClients => false;

    public IEnumerable<(string Field, string Error)> Validate(JsonElement parameters)
    {
        if (!parameters.TryGetProperty("problem", out var problem) || !problem.TryGetInt64(out var id) || id < 1)
        {
            yield return ("parameters.problem", "Name the problem to solve by its id.");
        }
    }

    public Task<JobPhase?> PlanAsync(JobContext job, int index, CancellationToken cancellationToken) =>
        Task.FromResult(index == 0 ? new JobPhase(Phase, [job.ParametersAs<Parameters>().Problem.ToString(CultureInfo.InvariantCulture)]) : null);

    public async Task<object?> RunItemAsync(JobItemContext item, CancellationToken cancellationToken)
    {
        var problemId = long.Parse(item.Key, CultureInfo.InvariantCulture);
        // Run again after its worker died: a solve that had finished is not paid for twice.
        if (item.Attempt > 1 && await db.Problems.AnyAsync(p => p.Id == problemId && (p.Status == ProblemStatus.Solved || p.Status == ProblemStatus.Failed), cancellationToken))
        {
            return await OutcomeAsync(problemId, null, cancellationToken);
        }

        await item.StepAsync($"solving problem {problemId}", cancellationToken);
        long attemptId;
        try
        {
            attemptId = await sender.Send(new SolveProblem(problemId), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The item fails with the error in the job's log; the problem must not look as if it were still running.
            await db.Problems.Where(p => p.Id == problemId && p.Status == ProblemStatus.Running)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.Status, ProblemStatus.Failed).SetProperty(p => p.UpdatedAt, DateTimeOffset.UtcNow), CancellationToken.None);
            throw;
        }

        return await OutcomeAsync(problemId, attemptId == 0 ? null : attemptId, cancellationToken);
    }

    public async Task<JobOutcome> FinishAsync(JobContext job, CancellationToken cancellationToken)
    {
        var outcome = (await job.ResultsAsync(Phase, cancellationToken)).Select(r => r.ResultAs<Outcome>()).OfType<Outcome>().SingleOrDefault()
            ?? throw new InvalidOperationException("The solve ended without a result.");
        var report = $"Problem {outcome.Problem}: " + (outcome.Attempt is { } attempt
            ? $"attempt {attempt} ended {outcome.Status}" + (outcome.Objective is { } objective ? $" with objective {objective.ToString(CultureInfo.InvariantCulture)}." : ".")
            : $"{outcome.Status}; nothing was solved.");
        return new JobOutcome(outcome, report);
    }

    /// <summary>The problem says so at once: a queued one is cancelled, a running one is stopping until its solve stops.</summary>
    public async Task CancelRequestedAsync(JobContext job, CancellationToken cancellationToken) =>
        await CancelProblem.MarkAsync(db, job.ParametersAs<Parameters>().Problem, cancellationToken);

    private async Task<Outcome> OutcomeAsync(long problemId, long? attemptId, CancellationToken ct)
    {
        var attempt = await db.Attempts.AsNoTracking().Where(a => a.ProblemId == problemId && (attemptId == null || a.Id == attemptId))
            .OrderByDescending(a => a.Id).Select(a => new { a.Id, a.Status, a.Objective }).FirstOrDefaultAsync(ct);
        var status = await db.Problems.Where(p => p.Id == problemId).Select(p => p.Status).SingleAsync(ct);
        return attemptId is null && status == ProblemStatus.Cancelled
            ? new Outcome(problemId, null, "cancelled before it started", null)
            : new Outcome(problemId, attempt?.Id, attempt?.Status.ToString() ?? status.ToString().ToLowerInvariant(), attempt?.Objective);
    }
}
