using System.Globalization;
using System.Text;
using System.Text.Json;
using Mediator;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Insights;
using OptLib.Library.Jobs;
using OptLib.Library.Learning;
using OptLib.Library.Snapshots;
using OptLib.Library.Storage;

namespace OptLib.Library.Evolution;

/// <summary>
/// The "evolution" job: phase 1 diagnoses problems whose answer is known against the library (one item each): by
/// default every one that may be learned from (submissions with an expected objective or feedback, and every
/// dataset's train split), or one dataset's train split. Phase 2 refines the condition of every insight with negative
/// or unretrieved evidence (one item each). Held-out problems are never diagnosed: that would be learning from them.
/// </summary>
public sealed class EvolutionKind : IJobKind
{
    public const string KindName = "evolution";

    private const string Diagnose = "diagnose";
    private const string Refine = "refine";

    public sealed record Parameters(string? Dataset = null, string? Split = null, string? RunTag = null);

    public string Name => KindName;

    public string Summary => "Library evolution: label how retrieved insights served the problems with known answers (optionally one dataset's train split), then refine misleading or missed conditions (dataset, split, runTag).";

    public IEnumerable<(string Field, string Error)> Validate(JsonElement parameters)
    {
        var (p, error) = JobParameters.Read<Parameters>(parameters);
        if (p is null)
        {
            yield return ("parameters", $"Expected {{ dataset, split, runTag }}: {error}");
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
            yield return ("parameters.split", $"Only the train split is learned from, and evolution learns; '{split}' is held out. Leave split out, or say \"train\".");
        }

        if (p.RunTag is { } tag && new DiagnoseProblem(0, tag).Validate().Any())
        {
            yield return ("parameters.runTag", "The run tag has 1 to 100 characters, without '|'.");
        }
    }

    public async Task<JobPhase?> PlanAsync(JobContext job, int index, CancellationToken cancellationToken)
    {
        var p = job.ParametersAs<Parameters>();
        var db = job.GetRequiredService<OptLibDbContext>();
        switch (index)
        {
            case 0:
                await JobSnapshots.TakeAsync(job, db, JobSnapshots.Before(job), cancellationToken); // "did it help?" compares with this
                var known = db.Problems.Where(x => x.ExpectedObjective != null && (x.Dataset == null || x.Split == LearningQueue.TrainSplit));
                if (p.Dataset?.Trim() is { } dataset)
                {
                    known = known.Where(x => x.Dataset == dataset);
                }

                var problems = await known.OrderBy(x => x.Id).Select(x => x.Id).ToListAsync(cancellationToken);
                return new JobPhase(Diagnose, problems.Select(Key).ToList());
            case 1:
                // The library is small enough (thousands at most) to read the evidence lists in memory.
                var evidence = await db.Insights.AsNoTracking().Where(i => i.Status != InsightStatus.Retired)
                    .Select(i => new { i.Id, i.Evidence }).ToListAsync(cancellationToken);
                return new JobPhase(Refine, evidence.Where(e => e.Evidence.Negative.Count > 0 || e.Evidence.Unretrieved.Count > 0)
                    .OrderBy(e => e.Id).Select(e => Key(e.Id)).ToList());
            default:
                return null;
        }
    }

    public async Task<object?> RunItemAsync(JobItemContext item, CancellationToken cancellationToken)
    {
        var id = long.Parse(item.Key, CultureInfo.InvariantCulture);
        var sender = item.GetRequiredService<ISender>();
        if (item.Phase == Diagnose)
        {
            await item.StepAsync($"diagnosing problem {id}", cancellationToken);
            return await sender.Send(new DiagnoseProblem(id, RunTag(item), item.JobId), cancellationToken);
        }

        await item.StepAsync($"refining the condition of insight {id}", cancellationToken);
        return await sender.Send(new RefineInsightCondition(id, $"job {item.JobId}", item.JobId), cancellationToken);
    }

    public async Task<JobOutcome> FinishAsync(JobContext job, CancellationToken cancellationToken)
    {
        var diagnosed = (await job.ResultsAsync(Diagnose, cancellationToken)).Select(r => r.ResultAs<DiagnosisOutcome>()).OfType<DiagnosisOutcome>().ToList();
        var refined = (await job.ResultsAsync(Refine, cancellationToken)).Select(r => r.ResultAs<RefinementOutcome>()).OfType<RefinementOutcome>().ToList();
        var labels = new[] { Labels.Positive, Labels.Invalid, Labels.Negative, Labels.Irrelevant, Labels.Unretrieved }
            .ToDictionary(l => l, l => diagnosed.Sum(d => d.Labels.Count(x => x.Label == l)));
        var correct = diagnosed.Count(d => d.Result == "correct");
        var failed = diagnosed.Count(d => d.Result == "failed");
        var changed = refined.Where(r => r.Result == "refined").ToList();
        var report = new StringBuilder().AppendLine("# Library evolution").AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Run `{RunTag(job)}`: {diagnosed.Count} problems diagnosed, {correct} correct, {failed} failed.")
            .AppendLine(CultureInfo.InvariantCulture, $"Labels: {string.Join(", ", labels.Select(l => $"{l.Value} {l.Key}"))}.").AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"{changed.Count} of {refined.Count} conditions refined.");
        if (changed.Count > 0)
        {
            report.AppendLine().AppendLine("| insight | labelled problems | score before | score after | version |").AppendLine("|---|---|---|---|---|");
            foreach (var r in changed)
            {
                report.AppendLine(CultureInfo.InvariantCulture, $"| {r.InsightId} | {r.Labelled} | {r.CurrentScore:0.###} | {r.Best!.Score:0.###} | {r.Version} |");
            }
        }

        return new JobOutcome(new
        {
            runTag = RunTag(job),
            diagnosed = diagnosed.Count,
            correct,
            failed,
            labels,
            conditionsRefined = changed.Count,
            conditionsKept = refined.Count(r => r.Result == "kept"),
        }, report.ToString());
    }

    /// <summary>The run tag makes diagnoses idempotent: the job's own unless the client named one.</summary>
    private static string RunTag(JobContext job) =>
        job.ParametersAs<Parameters>().RunTag?.Trim() is { Length: > 0 } tag ? tag : $"job-{job.JobId.ToString(CultureInfo.InvariantCulture)}";

    private static string Key(long id) => id.ToString(CultureInfo.InvariantCulture);
}
