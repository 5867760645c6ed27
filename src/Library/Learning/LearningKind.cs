using System.Globalization;
using System.Text;
using System.Text.Json;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OptLib.Library.Attempts;
using OptLib.Library.Insights;
using OptLib.Library.Jobs;
using OptLib.Library.Problems;
using OptLib.Library.Snapshots;
using OptLib.Library.Solving;
using OptLib.Library.Storage;

namespace OptLib.Library.Learning;

/// <summary>
/// The "learning" job. Without parameters it learns from every failure waiting on the one learning queue, whatever
/// its answer's source (a submission's expected objective, feedback, a dataset's train split): one work item each.
/// With a dataset, each iteration first solves that dataset's train problems that need it. A last phase folds
/// duplicates that learners running side by side added, so one lesson is one insight.
/// </summary>
public sealed class LearningKind(OptLibDbContext db, ISender sender, IServiceScopeFactory scopes, IOptions<LearningOptions> options) : IJobKind
{
    public const string KindName = "learning";

    private const string Consolidate = "consolidate";

    public sealed record Parameters(string? Dataset = null, string? Split = null, int Iterations = 1);

    public sealed record Solved(long ProblemId, long? AttemptId, string Status);

    public string Name => KindName;

    public string Summary => "Library learning from every failure waiting for it (optionally of one dataset's train split, which each iteration solves first): dataset, split, iterations.";

    public IEnumerable<(string Field, string Error)> Validate(JsonElement parameters)
    {
        var (p, error) = JobParameters.Read<Parameters>(parameters);
        if (p is null)
        {
            yield return ("parameters", $"Expected {{ dataset, split, iterations }}, each optional: {error}");
            yield break;
        }

        if (p.Dataset is not null)
        {
            foreach (var problem in JobParameters.CheckDataset(p.Dataset))
            {
                yield return problem;
            }
        }

        if (p.Split is { } split && !string.Equals(split.Trim(), LearningQueue.TrainSplit, StringComparison.OrdinalIgnoreCase))
        {
            yield return ("parameters.split", $"Only the train split is learned from; '{split}' is held out. Leave split out, or say \"train\".");
        }

        if (p.Iterations is < 1 or > 20)
        {
            yield return ("parameters.iterations", "Between 1 and 20 iterations.");
        }
    }

    /// <summary>Per iteration a solve phase (with a dataset only) and a learn phase; then one consolidation.</summary>
    public async Task<JobPhase?> PlanAsync(JobContext job, int index, CancellationToken cancellationToken)
    {
        if (index == 0)
        {
            await JobSnapshots.TakeAsync(job, db, JobSnapshots.Before(job), cancellationToken); // "did it help?" compares with this
        }

        var p = job.ParametersAs<Parameters>();
        var dataset = p.Dataset?.Trim();
        var perIteration = dataset is null ? 1 : 2;
        var iteration = index / perIteration + 1;
        if (iteration > p.Iterations)
        {
            return index == p.Iterations * perIteration ? new JobPhase(Consolidate, ["library"]) : null;
        }

        if (dataset is not null && index % perIteration == 0)
        {
            var problems = db.Problems.Where(x => x.Dataset == dataset && x.Split == LearningQueue.TrainSplit && x.ExpectedObjective != null);
            var unsolved = await NeedSolving(db, problems).OrderBy(x => x.Id).Select(x => x.Id).ToListAsync(cancellationToken);
            return new JobPhase(SolvePhase(iteration), unsolved.Select(Key).ToList());
        }

        var split = dataset is not null || p.Split is not null ? LearningQueue.TrainSplit : null;
        var waiting = await LearningQueue.Waiting(db, dataset, split).OrderBy(id => id).ToListAsync(cancellationToken);
        return new JobPhase(LearnPhase(iteration), waiting.Select(Key).ToList());
    }

    public async Task<object?> RunItemAsync(JobItemContext item, CancellationToken cancellationToken)
    {
        if (item.Phase == Consolidate)
        {
            await item.StepAsync("folding duplicate insights", cancellationToken);
            var started = await db.Jobs.Where(j => j.Id == item.JobId).Select(j => j.StartedAt ?? j.CreatedAt).SingleAsync(cancellationToken);
            return await sender.Send(new ConsolidateInsights(started, $"job {item.JobId}"), cancellationToken);
        }

        var id = long.Parse(item.Key, CultureInfo.InvariantCulture);
        if (item.Phase.StartsWith("learn", StringComparison.Ordinal))
        {
            await item.StepAsync($"{item.Phase}: learning from attempt {id}", cancellationToken);
            return await LearnAsync(item, id, cancellationToken);
        }

        // A retried item whose solve already finished finds the problem solved or its failure waiting: nothing to redo.
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

    /// <summary>
    /// Learns from one attempt, each try from a fresh start (its own scope: nothing a failed try tracked survives). A
    /// try that failed (a write race that kept being lost, a fault) is tried again within Learning:ItemTries; the
    /// learning itself resumes safely. After the last, the item fails and what it left unverified is retired.
    /// </summary>
    private async Task<LearningOutcome> LearnAsync(JobItemContext item, long attemptId, CancellationToken ct)
    {
        var tries = options.Value.ItemTries;
        var actor = $"job {item.JobId}";
        var spent = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var attempt = 1; ; attempt++)
        {
            await using var scope = scopes.CreateAsyncScope();
            try
            {
                var outcome = await scope.ServiceProvider.GetRequiredService<ISender>().Send(new LearnFromAttempt(attemptId, actor, item.JobId), ct);
                return spent.Count == 0 ? outcome : outcome with { Solves = Add(spent, outcome.Solves ?? new Dictionary<string, int>()) };
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Add(spent, scope.ServiceProvider.GetRequiredService<SolveVerification>().Solves);
                if (attempt < tries)
                {
                    await item.LogAsync($"{item.Phase} {item.Key}: try {attempt} of {tries} failed ({ex.Message}); trying again from a fresh start", "warning", ct);
                    continue;
                }

                await using var cleanup = scopes.CreateAsyncScope();
                var retired = await Candidates.RetireLeftoversAsync(cleanup.ServiceProvider.GetRequiredService<OptLibDbContext>(), attemptId, actor,
                    $"discarded: learning from attempt {attemptId} failed after {tries} tries ({ex.Message})", CancellationToken.None);
                throw new InvalidOperationException(
                    $"Learning from attempt {attemptId} failed after {tries} tries: {ex.Message}" +
                    (retired.Count > 0 ? $" Unverified candidates {string.Join(", ", retired)} were retired." : string.Empty) +
                    $" Solves spent: {Describe(spent)}.", ex);
            }
        }
    }

    public async Task<JobOutcome> FinishAsync(JobContext job, CancellationToken cancellationToken)
    {
        var p = job.ParametersAs<Parameters>();
        var rows = new List<object>();
        var scope = p.Dataset is { } d ? $"Dataset `{d}`, train split" : p.Split is not null ? "Every dataset's train split" : "Every waiting failure (submissions, feedback and train splits)";
        var report = new StringBuilder().AppendLine("# Library learning").AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"{scope}, {p.Iterations} iteration(s).").AppendLine()
            .AppendLine("| iteration | solved | correct | learn items | learned | nothing verified | no fix | skipped | failed | extracted | verified | discarded | added | merged | verification solves |")
            .AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        var all = new List<LearningOutcome>();
        var failedItems = 0;
        for (var iteration = 1; iteration <= p.Iterations; iteration++)
        {
            var solved = (await job.ResultsAsync(SolvePhase(iteration), cancellationToken)).Select(r => r.ResultAs<Solved>()).OfType<Solved>().Where(s => s.AttemptId is not null).ToList();
            var items = await job.ResultsAsync(LearnPhase(iteration), cancellationToken);
            var learned = items.Select(r => r.ResultAs<LearningOutcome>()).OfType<LearningOutcome>().ToList();
            var failed = items.Count(r => r.State == JobItemState.Failed);
            failedItems += failed;
            all.AddRange(learned);
            var correct = solved.Count(s => s.Status == nameof(AttemptStatus.Correct));
            var t = Totals(learned);
            var results = Results(learned);
            rows.Add(new
            {
                iteration, solved = solved.Count, correct, learnItems = items.Count, learnedFrom = learned.Count, results, failed,
                t.Extracted, t.Verified, t.Discarded, t.Added, t.Merged, t.VerifyRate, solves = t.Solves,
            });
            report.AppendLine(CultureInfo.InvariantCulture,
                $"| {iteration} | {solved.Count} | {correct} | {items.Count} | {results.GetValueOrDefault("learned")} | {results.GetValueOrDefault("nothing-verified")} | {results.GetValueOrDefault("no-fix-found")} | {results.GetValueOrDefault("skipped") + results.GetValueOrDefault("resumed")} | {failed} | {t.Extracted} | {t.Verified} | {t.Discarded} | {t.Added} | {t.Merged} | {t.Solves.Values.Sum()} |");
        }

        var consolidated = (await job.ResultsAsync(Consolidate, cancellationToken)).Select(r => r.ResultAs<ConsolidationOutcome>()).OfType<ConsolidationOutcome>().SingleOrDefault();
        var active = await db.Insights.CountAsync(i => i.Status == InsightStatus.Active, cancellationToken);
        var total = Totals(all);
        Add(total.Solves, consolidated?.Solves ?? new Dictionary<string, int>());
        var consumed = all.Count(o => o.Result != "skipped");
        var verificationSolves = total.Solves.Values.Sum();
        double? perFailure = consumed == 0 ? null : (double)verificationSolves / consumed;
        report.AppendLine().AppendLine(CultureInfo.InvariantCulture,
            $"Verify rate {Rate(total.VerifyRate)} ({total.Verified} of {total.Extracted} extracted insights re-solved their problem); {total.Added} added, {total.Merged} merged, {total.Discarded} discarded; {failedItems} learn item(s) failed; {consolidated?.Joined.Count ?? 0} insight(s) joined to an older one by consolidation; the library has {active} active insights.")
            .AppendLine().AppendLine(CultureInfo.InvariantCulture,
            $"Verification solves: {verificationSolves} for {consumed} consumed failure(s) ({(perFailure is { } f ? f.ToString("0.00", CultureInfo.InvariantCulture) : "n/a")} each): {Describe(total.Solves)}.");
        return new JobOutcome(new
        {
            total.Extracted,
            total.Verified,
            total.Discarded,
            insightsAdded = total.Added,
            insightsMerged = total.Merged,
            total.VerifyRate,
            learnItems = all.Count + failedItems,
            failedItems,
            consumedFailures = consumed,
            results = Results(all),
            solves = total.Solves,
            verificationSolves,
            verificationSolvesPerFailure = perFailure,
            consolidated = consolidated?.Joined ?? [],
            activeInsights = active,
            iterations = rows,
        }, report.ToString());
    }

    private sealed record Total(int Extracted, int Verified, int Discarded, int Added, int Merged, double? VerifyRate, Dictionary<string, int> Solves);

    private static Total Totals(List<LearningOutcome> outcomes)
    {
        var extracted = outcomes.Sum(o => o.Extracted);
        var verified = outcomes.Sum(o => o.Verified);
        var solves = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var o in outcomes.Where(o => !o.Repeated))
        {
            Add(solves, o.Solves ?? new Dictionary<string, int>());
        }

        return new Total(extracted, verified, outcomes.Sum(o => o.Discarded), outcomes.Sum(o => o.Added), outcomes.Sum(o => o.Merged),
            extracted == 0 ? null : (double)verified / extracted, solves);
    }

    private static Dictionary<string, int> Results(List<LearningOutcome> outcomes) =>
        outcomes.GroupBy(o => o.Result).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());

    private static Dictionary<string, int> Add(Dictionary<string, int> into, IReadOnlyDictionary<string, int> more)
    {
        foreach (var (purpose, n) in more)
        {
            into[purpose] = into.GetValueOrDefault(purpose) + n;
        }

        return into;
    }

    private static string Describe(IReadOnlyDictionary<string, int> solves) =>
        solves.Count == 0 ? "none" : string.Join(", ", solves.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Value} {s.Key}"));

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
