using System.Globalization;
using System.Text;
using System.Text.Json;
using Mediator;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Attempts;
using OptLib.Library.Insights;
using OptLib.Library.Jobs;
using OptLib.Library.Problems;
using OptLib.Library.Solving;
using OptLib.Library.Storage;

namespace OptLib.Library.Learning;

/// <summary>
/// The "learning" job: per iteration, solve the dataset's train problems that need it (not yet solved and with no
/// failed attempt waiting), then learn from every attempt waiting for learning, one work item each.
/// </summary>
public sealed class LearningKind : IJobKind
{
    public const string KindName = "learning";

    public const string Split = "train";

    public sealed record Parameters(string? Dataset, int Iterations = 1);

    public sealed record Solved(long ProblemId, long? AttemptId, string Status);

    public string Name => KindName;

    public string Summary => "Library learning over a dataset's train split: solve what needs it, then learn from each failed attempt (dataset, iterations).";

    public IEnumerable<(string Field, string Error)> Validate(JsonElement parameters)
    {
        var (p, error) = JobParameters.Read<Parameters>(parameters);
        if (p is null)
        {
            yield return ("parameters", $"Expected {{ dataset, iterations }}: {error}");
            yield break;
        }

        foreach (var problem in JobParameters.CheckDataset(p.Dataset))
        {
            yield return problem;
        }

        if (p.Iterations is < 1 or > 20)
        {
            yield return ("parameters.iterations", "Between 1 and 20 iterations.");
        }
    }

    public async Task<JobPhase?> PlanAsync(JobContext job, int index, CancellationToken cancellationToken)
    {
        var p = job.ParametersAs<Parameters>();
        var iteration = index / 2 + 1;
        if (iteration > p.Iterations)
        {
            return null;
        }

        var db = job.GetRequiredService<OptLibDbContext>();
        var dataset = p.Dataset!.Trim();
        var problems = db.Problems.Where(x => x.Dataset == dataset && x.Split == Split && x.ExpectedObjective != null);
        if (index % 2 == 0)
        {
            var unsolved = await NeedSolving(db, problems).OrderBy(x => x.Id).Select(x => x.Id).ToListAsync(cancellationToken);
            return new JobPhase(SolvePhase(iteration), unsolved.Select(Key).ToList());
        }

        var waiting = await db.Attempts.Where(a => a.QueuedForLearning && problems.Any(x => x.Id == a.ProblemId))
            .GroupBy(a => a.ProblemId).Select(g => g.Max(a => a.Id)).OrderBy(id => id).ToListAsync(cancellationToken);
        return new JobPhase(LearnPhase(iteration), waiting.Select(Key).ToList());
    }

    public async Task<object?> RunItemAsync(JobItemContext item, CancellationToken cancellationToken)
    {
        var id = long.Parse(item.Key, CultureInfo.InvariantCulture);
        var sender = item.GetRequiredService<ISender>();
        if (item.Phase.StartsWith("learn", StringComparison.Ordinal))
        {
            await item.StepAsync($"{item.Phase}: learning from attempt {id}", cancellationToken);
            return await sender.Send(new LearnFromAttempt(id, $"job {item.JobId}", item.JobId), cancellationToken);
        }

        // A retried item whose solve already finished finds the problem solved or its failure waiting: nothing to redo.
        var db = item.GetRequiredService<OptLibDbContext>();
        if (!await NeedSolving(db, db.Problems.Where(x => x.Id == id)).AnyAsync(cancellationToken))
        {
            return new Solved(id, null, "already solved or waiting for learning");
        }

        await item.StepAsync($"{item.Phase}: solving problem {id}", cancellationToken);
        var attemptId = await sender.Send(new SolveProblem(id), cancellationToken);
        if (attemptId == 0)
        {
            return new Solved(id, null, "cancelled before it started");
        }

        var status = await db.Attempts.Where(a => a.Id == attemptId).Select(a => a.Status).SingleAsync(cancellationToken);
        return new Solved(id, attemptId, status.ToString());
    }

    public async Task<JobOutcome> FinishAsync(JobContext job, CancellationToken cancellationToken)
    {
        var p = job.ParametersAs<Parameters>();
        var rows = new List<object>();
        var report = new StringBuilder().AppendLine("# Library learning").AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Dataset `{p.Dataset}`, train split, {p.Iterations} iteration(s).").AppendLine()
            .AppendLine("| iteration | solved | correct | learned from | extracted | verified | discarded | added | merged | verify rate |")
            .AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        var all = new List<LearningOutcome>();
        for (var iteration = 1; iteration <= p.Iterations; iteration++)
        {
            var solved = (await job.ResultsAsync(SolvePhase(iteration), cancellationToken)).Select(r => r.ResultAs<Solved>()).OfType<Solved>().Where(s => s.AttemptId is not null).ToList();
            var learned = (await job.ResultsAsync(LearnPhase(iteration), cancellationToken)).Select(r => r.ResultAs<LearningOutcome>()).OfType<LearningOutcome>().ToList();
            all.AddRange(learned);
            var correct = solved.Count(s => s.Status == nameof(AttemptStatus.Correct));
            var t = Totals(learned);
            rows.Add(new { iteration, solved = solved.Count, correct, learnedFrom = learned.Count, t.Extracted, t.Verified, t.Discarded, t.Added, t.Merged, t.VerifyRate });
            report.AppendLine(CultureInfo.InvariantCulture,
                $"| {iteration} | {solved.Count} | {correct} | {learned.Count} | {t.Extracted} | {t.Verified} | {t.Discarded} | {t.Added} | {t.Merged} | {Rate(t.VerifyRate)} |");
        }

        var db = job.GetRequiredService<OptLibDbContext>();
        var active = await db.Insights.CountAsync(i => i.Status == InsightStatus.Active, cancellationToken);
        var total = Totals(all);
        report.AppendLine().AppendLine(CultureInfo.InvariantCulture,
            $"Verify rate {Rate(total.VerifyRate)} ({total.Verified} of {total.Extracted} extracted insights re-solved their problem); {total.Added} added, {total.Merged} merged, {total.Discarded} discarded; the library has {active} active insights.");
        return new JobOutcome(new
        {
            total.Extracted,
            total.Verified,
            total.Discarded,
            insightsAdded = total.Added,
            insightsMerged = total.Merged,
            total.VerifyRate,
            activeInsights = active,
            iterations = rows,
        }, report.ToString());
    }

    private sealed record Total(int Extracted, int Verified, int Discarded, int Added, int Merged, double? VerifyRate);

    private static Total Totals(List<LearningOutcome> outcomes)
    {
        var extracted = outcomes.Sum(o => o.Extracted);
        var verified = outcomes.Sum(o => o.Verified);
        return new Total(extracted, verified, outcomes.Sum(o => o.Discarded), outcomes.Sum(o => o.Added), outcomes.Sum(o => o.Merged),
            extracted == 0 ? null : (double)verified / extracted);
    }

    /// <summary>Problems with no verdict yet and no failed attempt waiting for learning.</summary>
    private static IQueryable<Problem> NeedSolving(OptLibDbContext db, IQueryable<Problem> problems) =>
        problems.Where(x => x.Status != ProblemStatus.Solved && !db.Attempts.Any(a => a.ProblemId == x.Id && a.QueuedForLearning));

    private static string SolvePhase(int iteration) => $"solve {iteration}";

    private static string LearnPhase(int iteration) => $"learn {iteration}";

    private static string Key(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static string Rate(double? rate) => rate is { } r ? r.ToString("0%", CultureInfo.InvariantCulture) : "n/a";
}

/// <summary>Reading and checking the parameters of the learning and evolution jobs.</summary>
internal static class JobParameters
{
    public static (T? Value, string? Error) Read<T>(JsonElement parameters) where T : class
    {
        try
        {
            return (parameters.Deserialize<T>(JobContext.Json), null);
        }
        catch (JsonException ex)
        {
            return (null, ex.Message);
        }
    }

    public static IEnumerable<(string Field, string Error)> CheckDataset(string? dataset)
    {
        if (string.IsNullOrWhiteSpace(dataset) || dataset.Trim().Length > 200)
        {
            yield return ("parameters.dataset", "Name the dataset (1 to 200 characters), as it was imported.");
        }
    }
}
