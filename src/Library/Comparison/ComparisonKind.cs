using System.Globalization;
using System.Text.Json;
using Mediator;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Attempts;
using OptLib.Library.Evaluation;
using OptLib.Library.Jobs;
using OptLib.Library.Learning;
using OptLib.Library.Models;
using OptLib.Library.Snapshots;
using OptLib.Library.Solving;
using OptLib.Library.Storage;

namespace OptLib.Library.Comparison;

/// <summary>
/// Did the library get better? Solves every problem of a dataset split twice, once as of the baseline snapshot and
/// once as of the candidate (a snapshot, or "current", which the job snapshots when it plans, so both sides stay
/// fixed while it runs), with the same model settings; one item per problem and side. It reports both accuracies, the
/// paired counts and the exact McNemar p-value, per taxonomy label, with tokens and cost per side.
/// </summary>
public sealed class ComparisonKind(OptLibDbContext db, ISender sender, IChatModel model) : IJobKind
{
    public const string KindName = "comparison";
    public const string Phase = "solve";
    public const string ChartName = "comparison.svg";
    public const string Baseline = "baseline";
    public const string Candidate = "candidate";
    public const string Current = "current";

    /// <param name="Candidate">A snapshot id, or "current" (the default).</param>
    public sealed record Parameters(string? Dataset, string? Split = "test", long? Baseline = null, JsonElement? Candidate = null, int? Limit = null)
    {
        public string SplitOrTest => string.IsNullOrWhiteSpace(Split) ? "test" : Split.Trim();

        /// <summary>The candidate snapshot's id, or null for "current".</summary>
        public long? CandidateId => Candidate is { ValueKind: JsonValueKind.Number } n && n.TryGetInt64(out var id) ? id : null;
    }

    public string Name => KindName;

    public string Summary => "Solves a dataset split as of two library snapshots and reports both accuracies, the paired counts and McNemar's p (dataset, split, baseline, candidate, limit).";

    public IEnumerable<(string Field, string Error)> Validate(JsonElement parameters)
    {
        var (p, error) = JobParameters.Read<Parameters>(parameters);
        if (p is null)
        {
            return [("parameters", $"Expected {{ dataset, split, baseline, candidate, limit }}: {error}")];
        }

        var errors = JobParameters.CheckDataset(p.Dataset).ToList();
        if (p.Split is { Length: > 50 })
        {
            errors.Add(("parameters.split", "The split name is at most 50 characters."));
        }

        if (p.Limit is < 1)
        {
            errors.Add(("parameters.limit", "The limit is a positive number of problems."));
        }

        if (p.Baseline is not { } baseline)
        {
            errors.Add(("parameters.baseline", "Name the baseline snapshot's id (POST /api/library/snapshots takes one; learning and evolution jobs take one before they change the library)."));
        }
        else if (!SnapshotExists(baseline))
        {
            errors.Add(("parameters.baseline", $"There is no library snapshot {baseline}."));
        }

        switch (p.Candidate)
        {
            case null or { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined }:
                break;
            case { ValueKind: JsonValueKind.String } s when string.Equals(s.GetString()?.Trim(), Current, StringComparison.OrdinalIgnoreCase):
                break;
            case { ValueKind: JsonValueKind.Number } when p.CandidateId is { } id:
                if (!SnapshotExists(id))
                {
                    errors.Add(("parameters.candidate", $"There is no library snapshot {id}."));
                }

                break;
            default:
                errors.Add(("parameters.candidate", "The candidate is a snapshot id or \"current\"."));
                break;
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
        var query = db.Problems.AsNoTracking().Where(x => x.Dataset == p.Dataset!.Trim() && x.Split == p.SplitOrTest).OrderBy(x => x.Id).Select(x => x.Id);
        var ids = await (p.Limit is { } limit ? query.Take(limit) : query).ToListAsync(cancellationToken);
        if (ids.Count == 0)
        {
            throw new InvalidOperationException($"The dataset '{p.Dataset}' has no problems in split '{p.SplitOrTest}'; import them first (optlib-worker import-tasks).");
        }

        var (baseline, candidate) = await SnapshotsAsync(job, p, cancellationToken);
        await job.LogAsync($"Comparing {ids.Count} problems of {p.Dataset}/{p.SplitOrTest}: baseline snapshot {baseline.Id} \"{baseline.Name}\" ({baseline.InsightCount} insights) " +
            $"against candidate snapshot {candidate.Id} \"{candidate.Name}\" ({candidate.InsightCount} insights).", cancellationToken: cancellationToken);
        return new JobPhase(Phase, ids.SelectMany(id => new[] { Key(Baseline, id), Key(Candidate, id) }).ToList());
    }

    public async Task<object?> RunItemAsync(JobItemContext item, CancellationToken cancellationToken)
    {
        var (side, problemId) = ParseKey(item.Key);
        var (baseline, candidate) = await SnapshotsAsync(item, item.ParametersAs<Parameters>(), cancellationToken);
        var snapshot = side == Baseline ? baseline : candidate;
        await item.StepAsync($"solving problem {problemId} as of the {side} (snapshot {snapshot.Id})", cancellationToken);

        return await EvaluationKind.SolveAsync(db, sender, problemId, new SideRun($"{KindName} {side}", Snapshot: snapshot.Id, CrossCheck: true), cancellationToken);
    }

    public async Task<JobOutcome> FinishAsync(JobContext job, CancellationToken cancellationToken)
    {
        var p = job.ParametersAs<Parameters>();
        var results = await job.ResultsAsync(Phase, cancellationToken);
        var (baseline, candidate) = await SnapshotsAsync(job, p, cancellationToken);
        var byKey = results.ToDictionary(r => r.Key, StringComparer.Ordinal);
        var problemIds = results.Select(r => ParseKey(r.Key).ProblemId).Distinct().Order().ToList();
        var known = (await db.Problems.AsNoTracking().Where(x => problemIds.Contains(x.Id) && x.ExpectedObjective != null).Select(x => x.Id)
            .ToListAsync(cancellationToken)).ToHashSet();
        EvaluationKind.ProblemOutcome? Outcome(string side, long id) => byKey.TryGetValue(Key(side, id), out var r) ? r.ResultAs<EvaluationKind.ProblemOutcome>() : null;
        var pairs = problemIds.Select(id => new ComparisonMetrics.Pair(id, known.Contains(id), Outcome(Baseline, id), Outcome(Candidate, id))).ToList();
        var started = await db.Jobs.Where(j => j.Id == job.JobId).Select(j => j.StartedAt).SingleAsync(cancellationToken);
        var metrics = ComparisonMetrics.From(p.Dataset!.Trim(), p.SplitOrTest, pairs, results.Count(r => r.State == JobItemState.Failed),
            (baseline.Id, baseline.Name, baseline.InsightCount), (candidate.Id, candidate.Name, candidate.InsightCount),
            started is { } s ? (DateTimeOffset.UtcNow - s).TotalSeconds : 0);
        return new JobOutcome(metrics, ComparisonReport.Markdown(metrics, job.JobId, ChartName),
            [new JobArtifact { Name = ChartName, ContentType = "image/svg+xml", Content = ComparisonChart.Svg(metrics) }]);
    }

    public static string Key(string side, long problemId) => side + ":" + problemId.ToString(CultureInfo.InvariantCulture);

    public static (string Side, long ProblemId) ParseKey(string key)
    {
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        return (key[..colon], long.Parse(key[(colon + 1)..], CultureInfo.InvariantCulture));
    }

    /// <summary>Both sides' snapshots; "current" is the snapshot this job took when it planned (taken here the first time).</summary>
    private async Task<(LibrarySnapshot Baseline, LibrarySnapshot Candidate)> SnapshotsAsync(JobContext job, Parameters p, CancellationToken ct)
    {
        var baseline = await db.LibrarySnapshots.AsNoTracking().FirstOrDefaultAsync(s => s.Id == p.Baseline, ct)
            ?? throw new SnapshotNotFoundException(p.Baseline ?? 0);
        var candidate = p.CandidateId is { } id
            ? await db.LibrarySnapshots.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, ct) ?? throw new SnapshotNotFoundException(id)
            : await JobSnapshots.TakeAsync(job, db, $"current for comparison job {job.JobId}", ct);
        return (baseline, candidate);
    }

    private bool SnapshotExists(long id) => db.LibrarySnapshots.Any(s => s.Id == id);
}
