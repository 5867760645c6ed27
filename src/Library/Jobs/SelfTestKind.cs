using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OptLib.Library.Jobs;

/// <summary>
/// A diagnostic kind that exercises the job engine without a model: each item sleeps a while, logs which process ran
/// it and when, and returns that as its result. Operators use it to check that workers take items; the engine's
/// crash and scale-out tests use it from separate worker processes.
/// </summary>
public sealed class SelfTestKind : IJobKind
{
    public const string KindName = "selftest";

    public sealed record Parameters(int Items = 10, int SleepMs = 100, int Phases = 1, string[]? FailKeys = null);

    public sealed record ItemRun(string Worker, int ProcessId, DateTimeOffset StartedAt, DateTimeOffset FinishedAt, int Attempt);

    public string Name => KindName;

    public string Summary => "Diagnostic: items sleep sleepMs and record the worker that ran them (items, sleepMs, phases, failKeys).";

    public IEnumerable<(string Field, string Error)> Validate(JsonElement parameters)
    {
        Parameters? p = null;
        string? error = null;
        try
        {
            p = parameters.Deserialize<Parameters>(JobContext.Json);
        }
        catch (JsonException ex)
        {
            error = ex.Message;
        }

        if (p is null)
        {
            yield return ("parameters", $"Expected {{ items, sleepMs, phases, failKeys }}: {error}");
            yield break;
        }

        if (p.Items is < 1 or > 10_000)
        {
            yield return ("parameters.items", "Between 1 and 10000 items.");
        }

        if (p.SleepMs is < 0 or > 600_000)
        {
            yield return ("parameters.sleepMs", "Between 0 and 600000 ms.");
        }

        if (p.Phases is < 1 or > 10)
        {
            yield return ("parameters.phases", "Between 1 and 10 phases.");
        }
    }

    public Task<JobPhase?> PlanAsync(JobContext job, int index, CancellationToken cancellationToken)
    {
        var p = job.ParametersAs<Parameters>();
        return Task.FromResult(index < p.Phases
            ? new JobPhase($"phase {index + 1}", Enumerable.Range(1, p.Items).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList())
            : null);
    }

    public async Task<object?> RunItemAsync(JobItemContext item, CancellationToken cancellationToken)
    {
        var p = item.ParametersAs<Parameters>();
        var started = DateTimeOffset.UtcNow;
        await Task.Delay(p.SleepMs, cancellationToken);
        if (p.FailKeys?.Contains(item.Key, StringComparer.Ordinal) == true)
        {
            throw new InvalidOperationException($"item {item.Key} was asked to fail");
        }

        var run = new ItemRun(JobStore.WorkerName, Environment.ProcessId, started, DateTimeOffset.UtcNow, item.Attempt);
        await item.LogAsync(string.Create(CultureInfo.InvariantCulture,
            $"{item.Phase} item {item.Key} ran on {run.Worker} pid {run.ProcessId} from {run.StartedAt:O} to {run.FinishedAt:O} (attempt {run.Attempt})"),
            cancellationToken: CancellationToken.None);
        return run;
    }

    public async Task<JobOutcome> FinishAsync(JobContext job, CancellationToken cancellationToken)
    {
        var p = job.ParametersAs<Parameters>();
        var runs = new List<ItemRun>();
        var failed = 0;
        for (var phase = 1; phase <= p.Phases; phase++)
        {
            foreach (var result in await job.ResultsAsync($"phase {phase}", cancellationToken))
            {
                if (result.ResultAs<ItemRun>() is { } run)
                {
                    runs.Add(run);
                }
                else
                {
                    failed++;
                }
            }
        }

        var byWorker = runs.GroupBy(r => r.Worker).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var report = new StringBuilder()
            .AppendLine("# Self-test")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"{runs.Count} items succeeded and {failed} failed over {p.Phases} phase(s).")
            .AppendLine()
            .AppendLine("| worker | items |")
            .AppendLine("|---|---|");
        foreach (var (worker, count) in byWorker.OrderBy(w => w.Key, StringComparer.Ordinal))
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"| {worker} | {count} |");
        }

        return new JobOutcome(new { succeeded = runs.Count, failed, workers = byWorker }, report.ToString());
    }
}
