using System.Globalization;
using System.Text.Json;
using Mediator;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Attempts;
using OptLib.Library.Insights;
using OptLib.Library.Jobs;
using OptLib.Library.Models;
using OptLib.Library.Solving;
using OptLib.Library.Storage;

namespace OptLib.Library.Evaluation;

/// <summary>
/// Solves every problem of a dataset split with the current library, one item per problem, and reports accuracy
/// (correct answers over problems with a known answer), a breakdown by taxonomy, tokens, cost and time, with a chart
/// of accuracy and library size over the evaluations of that split. A re-run item solves its problem again; the
/// interrupted attempt stays in the problem's history.
/// </summary>
public sealed class EvaluationKind(OptLibDbContext db, ISender sender, IChatModel model) : IJobKind
{
    public const string KindName = "evaluation";
    public const string Phase = "solve";
    public const string ChartName = "accuracy.svg";
    public const string NoInsight = "(no insight retrieved)";

    public sealed record Parameters(string? Dataset, string? Split = "test", int? Limit = null)
    {
        public string SplitOrTest => string.IsNullOrWhiteSpace(Split) ? "test" : Split.Trim();
    }

    /// <summary>One problem's outcome: the item's result.</summary>
    public sealed record ProblemOutcome(long ProblemId, long AttemptId, string Status, bool Correct, bool HasExpected, string Taxonomy,
        int PromptTokens, int CompletionTokens, decimal Cost, double Milliseconds);

    public string Name => KindName;

    public string Summary => "Solves a dataset split and reports accuracy, per-taxonomy accuracy, tokens, cost and time (dataset, split, limit).";

    public IEnumerable<(string Field, string Error)> Validate(JsonElement parameters)
    {
        Parameters? p;
        try
        {
            p = parameters.Deserialize<Parameters>(JobContext.Json);
        }
        catch (JsonException ex)
        {
            return [("parameters", $"Expected {{ dataset, split, limit }}: {ex.Message}")];
        }

        var errors = new List<(string, string)>();
        if (string.IsNullOrWhiteSpace(p?.Dataset))
        {
            errors.Add(("parameters.dataset", "Name the dataset to evaluate, as imported with import-tasks."));
        }

        if (p?.Split is { Length: > 50 })
        {
            errors.Add(("parameters.split", "The split name is at most 50 characters."));
        }

        if (p?.Limit is < 1)
        {
            errors.Add(("parameters.limit", "The limit is a positive number of problems."));
        }

        return errors;
    }

    public async Task<JobPhase?> PlanAsync(JobContext job, int index, CancellationToken cancellationToken)
    {
        if (index > 0)
        {
            return null;
        }

        if (!model.IsConfigured)
        {
            throw new ModelNotConfiguredException();
        }

        var p = job.ParametersAs<Parameters>();
        var query = db.Problems.AsNoTracking().Where(x => x.Dataset == p.Dataset && x.Split == p.SplitOrTest).OrderBy(x => x.Id).Select(x => x.Id);
        var ids = await (p.Limit is { } limit ? query.Take(limit) : query).ToListAsync(cancellationToken);
        if (ids.Count == 0)
        {
            throw new InvalidOperationException($"The dataset '{p.Dataset}' has no problems in split '{p.SplitOrTest}'; import them first (optlib-worker import-tasks).");
        }

        await job.LogAsync($"Evaluating {ids.Count} problems of {p.Dataset}/{p.SplitOrTest} with {await ActiveInsightsAsync(cancellationToken)} active insights.", cancellationToken: cancellationToken);
        return new JobPhase(Phase, ids.Select(id => id.ToString(CultureInfo.InvariantCulture)).ToList());
    }

    public async Task<object?> RunItemAsync(JobItemContext item, CancellationToken cancellationToken)
    {
        var problemId = long.Parse(item.Key, CultureInfo.InvariantCulture);
        await item.StepAsync($"solving problem {problemId}", cancellationToken);
        return await SolveAsync(db, sender, problemId, new SideRun(KindName, CrossCheck: true), cancellationToken);
    }

    /// <summary>
    /// One problem solved as a side run (a measurement changes neither the problem nor the learning queue, and
    /// cross-checks every answer), and what an evaluation or a comparison keeps of it.
    /// </summary>
    public static async Task<ProblemOutcome> SolveAsync(OptLibDbContext db, ISender sender, long problemId, SideRun side, CancellationToken cancellationToken)
    {
        var attemptId = await sender.Send(new SolveSideRun(problemId, side), cancellationToken);
        cancellationToken.ThrowIfCancellationRequested(); // a cancelled solve records a cancelled attempt; the item is cancelled too
        var attempt = await db.Attempts.AsNoTracking().SingleAsync(a => a.Id == attemptId, cancellationToken);
        var expected = await db.Problems.Where(x => x.Id == problemId).Select(x => x.ExpectedObjective).SingleAsync(cancellationToken);
        return new ProblemOutcome(problemId, attempt.Id, attempt.Status.ToString(), attempt.Status == AttemptStatus.Correct, expected is not null,
            TopLabel(attempt), attempt.PromptTokens, attempt.CompletionTokens, attempt.CostEstimate, attempt.Timings?.GetValueOrDefault("total") ?? 0);
    }

    public async Task<JobOutcome> FinishAsync(JobContext job, CancellationToken cancellationToken)
    {
        var p = job.ParametersAs<Parameters>();
        var results = await job.ResultsAsync(Phase, cancellationToken);
        var outcomes = results.Select(r => r.ResultAs<ProblemOutcome>()).OfType<ProblemOutcome>().ToList();
        var started = await db.Jobs.Where(j => j.Id == job.JobId).Select(j => j.StartedAt).SingleAsync(cancellationToken);
        var metrics = EvaluationMetrics.From(p.Dataset!, p.SplitOrTest, outcomes, results.Count(r => r.State == JobItemState.Failed),
            await ActiveInsightsAsync(cancellationToken), started is { } s ? (DateTimeOffset.UtcNow - s).TotalSeconds : 0);

        var history = await HistoryAsync(job.JobId, p, cancellationToken);
        history.Add(new EvaluationRun(job.JobId, DateTimeOffset.UtcNow, metrics.Accuracy, metrics.LibrarySize));
        var chart = EvaluationChart.Svg($"{p.Dataset} / {p.SplitOrTest}", history);
        return new JobOutcome(metrics, EvaluationReport.Markdown(metrics, history, ChartName),
            [new JobArtifact { Name = ChartName, ContentType = "image/svg+xml", Content = chart }]);
    }

    private Task<int> ActiveInsightsAsync(CancellationToken cancellationToken) =>
        db.Insights.CountAsync(i => i.Status == InsightStatus.Active, cancellationToken);

    /// <summary>Earlier successful evaluations of the same dataset split, oldest first.</summary>
    private async Task<List<EvaluationRun>> HistoryAsync(long jobId, Parameters p, CancellationToken cancellationToken)
    {
        var earlier = await db.Jobs.AsNoTracking()
            .Where(j => j.Kind == KindName && j.State == JobState.Succeeded && j.Id != jobId && j.Metrics != null)
            .OrderBy(j => j.Id)
            .Select(j => new { j.Id, j.FinishedAt, j.Metrics })
            .ToListAsync(cancellationToken);
        return earlier
            .Select(j => (j.Id, j.FinishedAt, Metrics: j.Metrics!.Deserialize<EvaluationMetrics>(JobContext.Json)))
            .Where(j => j.Metrics is not null && j.Metrics.Dataset == p.Dataset && j.Metrics.Split == p.SplitOrTest)
            .Select(j => new EvaluationRun(j.Id, j.FinishedAt ?? DateTimeOffset.UtcNow, j.Metrics!.Accuracy, j.Metrics.LibrarySize))
            .ToList();
    }

    /// <summary>The level-1 label of the best formulation insight retrieved for the problem: the kind of problem it was taken for.</summary>
    public static string TopLabel(Attempt attempt) =>
        attempt.RetrievedInsights?.Formulation.Insights
            .Select(r => r.Insight.Taxonomy.FirstOrDefault()?.Level1)
            .FirstOrDefault(label => !string.IsNullOrEmpty(label)) ?? NoInsight;

}
