using System.Globalization;
using System.Text.Json;
using Mediator;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Comparison;
using OptLib.Library.Jobs;
using OptLib.Library.Storage;
using OptLib.Library.Validation;

namespace OptLib.Library.Evaluation;

/// <summary>
/// Every problem of an evaluation or a comparison with its verdict(s), objective(s) and attempt ids, a page at a time
/// in problem order; null when there is no such job. <c>verdict</c> keeps problems where a run ended so (correct,
/// wrongAnswer, ..., or failed, pending, running, cancelled for an item that has no attempt); <c>pair</c> keeps a
/// comparison's problems of one cell of the paired table.
/// </summary>
public sealed record ListJobResults(long Id, string? Verdict = null, string? Pair = null, int Page = 1, int PageSize = 50) : IRequest<JobResultPage?>, IValidatable
{
    public const int MaxPageSize = 500;

    public static readonly string[] Pairs = ["bothRight", "onlyBaseline", "onlyCandidate", "bothWrong"];

    public IEnumerable<(string Field, string Error)> Validate()
    {
        if (Page < 1)
        {
            yield return (nameof(Page), "Pages start at 1.");
        }

        if (PageSize is < 1 or > MaxPageSize)
        {
            yield return (nameof(PageSize), $"The page size is between 1 and {MaxPageSize}.");
        }

        if (Pair is not null && !Pairs.Contains(Pair.Trim(), StringComparer.OrdinalIgnoreCase))
        {
            yield return (nameof(Pair), "The pair is one of " + string.Join(", ", Pairs) + ".");
        }

        if (Verdict is { Length: > 50 })
        {
            yield return (nameof(Verdict), "A verdict is a word such as correct or wrongAnswer.");
        }
    }
}

/// <param name="Side">"evaluation" for an evaluation; "baseline" or "candidate" for a comparison.</param>
/// <param name="Verdict">The attempt's status (correct, wrongAnswer, ...), or the item's state when it has no outcome.</param>
public sealed record JobResultRun(string Side, string Verdict, bool Correct, double? Objective, long? AttemptId, string? Error);

/// <param name="Pair">For a comparison's problem with a known answer: bothRight, onlyBaseline, onlyCandidate or bothWrong.</param>
public sealed record JobResultRow(long ProblemId, string Problem, double? ExpectedObjective, string? Pair, IReadOnlyList<JobResultRun> Runs);

public sealed record JobResultPage(long JobId, string Kind, IReadOnlyList<JobResultRow> Items, int Total, int Page, int PageSize);

public sealed class ListJobResultsHandler(OptLibDbContext db) : IRequestHandler<ListJobResults, JobResultPage?>
{
    private const int ProblemPreview = 200;

    public async ValueTask<JobResultPage?> Handle(ListJobResults request, CancellationToken cancellationToken)
    {
        var job = await db.Jobs.AsNoTracking().Where(j => j.Id == request.Id).Select(j => new { j.Id, j.Kind }).FirstOrDefaultAsync(cancellationToken);
        if (job is null)
        {
            return null;
        }

        var comparison = job.Kind == ComparisonKind.KindName;
        if (!comparison && job.Kind != EvaluationKind.KindName)
        {
            throw ValidationFailedException.For("id", $"Job {job.Id} is a {job.Kind} job; results are listed for evaluation and comparison jobs.");
        }

        if (!comparison && request.Pair is not null)
        {
            throw ValidationFailedException.For(nameof(request.Pair), "Pairs are a comparison's; this job is an evaluation.");
        }

        var items = await db.JobItems.AsNoTracking().Where(i => i.JobId == job.Id && i.Phase == EvaluationKind.Phase)
            .Select(i => new { i.Key, i.State, i.Result, i.Error }).ToListAsync(cancellationToken);
        var runs = items.Select(i =>
        {
            var (side, problemId) = comparison ? ComparisonKind.ParseKey(i.Key) : (EvaluationKind.KindName, long.Parse(i.Key, CultureInfo.InvariantCulture));
            var outcome = i.State == JobItemState.Succeeded ? i.Result?.Deserialize<EvaluationKind.ProblemOutcome>(JobContext.Json) : null;
            return (ProblemId: problemId, Side: side, Outcome: outcome, Run: new JobResultRun(side,
                outcome is null ? JobStore.Name(i.State) : JsonNamingPolicy.CamelCase.ConvertName(outcome.Status),
                outcome?.Correct == true, null, outcome?.AttemptId, i.Error));
        }).ToList();

        var problemIds = runs.Select(r => r.ProblemId).Distinct().ToList();
        var known = (await db.Problems.AsNoTracking().Where(p => problemIds.Contains(p.Id) && p.ExpectedObjective != null).Select(p => p.Id)
            .ToListAsync(cancellationToken)).ToHashSet();
        var rows = runs.GroupBy(r => r.ProblemId).OrderBy(g => g.Key).Select(g =>
        {
            var ordered = g.OrderBy(r => r.Side == ComparisonKind.Candidate ? 1 : 0).ToList();
            string? pair = null;
            if (comparison && known.Contains(g.Key))
            {
                bool Right(string side) => ordered.Any(r => r.Side == side && r.Run.Correct);
                pair = (Right(ComparisonKind.Baseline), Right(ComparisonKind.Candidate)) switch
                {
                    (true, true) => "bothRight",
                    (true, false) => "onlyBaseline",
                    (false, true) => "onlyCandidate",
                    _ => "bothWrong",
                };
            }

            return (ProblemId: g.Key, Pair: pair, Runs: ordered.Select(r => r.Run).ToList());
        });

        if (!string.IsNullOrWhiteSpace(request.Verdict))
        {
            var verdict = request.Verdict.Trim();
            rows = rows.Where(r => r.Runs.Any(run => string.Equals(run.Verdict, verdict, StringComparison.OrdinalIgnoreCase)));
        }

        if (!string.IsNullOrWhiteSpace(request.Pair))
        {
            rows = rows.Where(r => string.Equals(r.Pair, request.Pair.Trim(), StringComparison.OrdinalIgnoreCase));
        }

        var filtered = rows.ToList();
        var page = filtered.Skip((request.Page - 1) * request.PageSize).Take(request.PageSize).ToList();

        // Text, expected and objectives for this page only.
        var pageIds = page.Select(r => r.ProblemId).ToList();
        var problems = await db.Problems.AsNoTracking().Where(p => pageIds.Contains(p.Id))
            .Select(p => new { p.Id, Text = p.Text.Substring(0, ProblemPreview), p.ExpectedObjective }).ToDictionaryAsync(p => p.Id, cancellationToken);
        var attemptIds = page.SelectMany(r => r.Runs).Select(r => r.AttemptId).OfType<long>().ToList();
        var objectives = await db.Attempts.AsNoTracking().Where(a => attemptIds.Contains(a.Id)).Select(a => new { a.Id, a.Objective })
            .ToDictionaryAsync(a => a.Id, a => a.Objective, cancellationToken);
        var result = page.Select(r => new JobResultRow(r.ProblemId, problems.GetValueOrDefault(r.ProblemId)?.Text ?? string.Empty,
            problems.GetValueOrDefault(r.ProblemId)?.ExpectedObjective, r.Pair,
            r.Runs.Select(run => run with { Objective = run.AttemptId is { } a ? objectives.GetValueOrDefault(a) : null }).ToList())).ToList();
        return new JobResultPage(job.Id, job.Kind, result, filtered.Count, request.Page, request.PageSize);
    }
}
