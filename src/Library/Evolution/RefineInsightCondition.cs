using System.Globalization;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OptLib.Library.Insights;
using OptLib.Library.Learning;
using OptLib.Library.Models;
using OptLib.Library.Problems;
using OptLib.Library.Prompts;
using OptLib.Library.Retrieval;
using OptLib.Library.Solving;
using OptLib.Library.Storage;
using OptLib.Library.Taxonomy;
using OptLib.Library.Validation;

namespace OptLib.Library.Evolution;

/// <summary>
/// Library evolution, phase 2, for one insight with negative or unretrieved evidence: the model writes K candidate
/// conditions; retrieval is replayed with each over the insight's labelled problems and scored as (positives still
/// retrieved + unretrieved now retrieved + negatives no longer retrieved) / labelled. The best candidate replaces the
/// condition only if it strictly beats the current one, as a new version whose reason holds both scores.
/// </summary>
public sealed record RefineInsightCondition(long InsightId, string Actor, long? JobId = null) : IRequest<RefinementOutcome>, IValidatable
{
    public IEnumerable<(string Field, string Error)> Validate()
    {
        if (string.IsNullOrWhiteSpace(Actor))
        {
            yield return (nameof(Actor), "Name who or what is refining.");
        }
    }
}

public sealed record ConditionScore(string Condition, double Score);

/// <param name="Result">refined, kept (no candidate beat the current condition), no-evidence, or skipped.</param>
public sealed record RefinementOutcome(long InsightId, string Result, int Labelled, double? CurrentScore, ConditionScore? Best,
    IReadOnlyList<ConditionScore> Candidates, int? Version, IReadOnlyList<string> Notes);

public sealed class RefineInsightConditionHandler(
    OptLibDbContext db,
    IEmbeddingProvider embeddings,
    ISender sender,
    IChatModel model,
    PromptLibrary prompts,
    IOptions<PipelineOptions> pipeline,
    IOptions<EvolutionOptions> options,
    IOptions<LearningOptions> learning) : IRequestHandler<RefineInsightCondition, RefinementOutcome>
{
    private sealed record Reply(List<string>? Conditions);

    private sealed record Labelled(Problem Problem, string Label, string? Formulation);

    public async ValueTask<RefinementOutcome> Handle(RefineInsightCondition request, CancellationToken cancellationToken)
    {
        var insight = await db.Insights.AsNoTracking().Include(i => i.Taxonomy).FirstOrDefaultAsync(i => i.Id == request.InsightId, cancellationToken);
        if (insight is null || insight.Status == InsightStatus.Retired)
        {
            return new RefinementOutcome(request.InsightId, "skipped", 0, null, null, [], insight?.Version,
                [insight is null ? $"insight {request.InsightId} does not exist" : "the insight is retired"]);
        }

        var labelled = await LabelledAsync(insight, cancellationToken);
        var notes = new List<string>();
        if (!labelled.Any(l => l.Label is Labels.Negative or Labels.Unretrieved))
        {
            return new RefinementOutcome(insight.Id, "no-evidence", labelled.Count, null, null, [], insight.Version,
                ["no problem of the library's record was misled by it or missed it"]);
        }

        var stages = await StagesAsync(insight, cancellationToken);
        var current = await ScoreAsync(insight.Id, null, labelled, stages, cancellationToken);
        var reply = await JsonReplies.AskAsync<Reply>(model, new ModelCall(ModelRole.Advanced, "You make retrieval conditions precise.",
            prompts[PromptLibrary.RefineCondition].Render(new Dictionary<string, string>
            {
                ["count"] = options.Value.ConditionCandidates.ToString(CultureInfo.InvariantCulture),
                ["condition"] = insight.Condition,
                ["explanation"] = insight.Explanation,
                ["positive"] = Listing(labelled, Labels.Positive),
                ["negative"] = Listing(labelled, Labels.Negative),
                ["unretrieved"] = Listing(labelled, Labels.Unretrieved),
            }), Purpose: "refine-condition"), Check, learning.Value.JsonAttempts, cancellationToken);

        var scored = new List<ConditionScore>();
        foreach (var condition in reply.Value.Conditions!.Select(c => c.Trim()).Distinct().Take(options.Value.ConditionCandidates))
        {
            scored.Add(new ConditionScore(condition, await ScoreAsync(insight.Id, condition, labelled, stages, cancellationToken)));
        }

        var best = scored.OrderByDescending(s => s.Score).First();
        if (best.Score <= current)
        {
            return new RefinementOutcome(insight.Id, "kept", labelled.Count, current, best, scored, insight.Version,
                [$"no candidate beat the current condition's {current:0.###}"]);
        }

        var counts = string.Join(", ", new[] { Labels.Positive, Labels.Negative, Labels.Unretrieved }.Select(l => $"{labelled.Count(x => x.Label == l)} {l}"));
        var revised = await Candidates.ReviseAsync(db, embeddings, insight.Id, (i, _) =>
        {
            if (i.Version != insight.Version)
            {
                throw new ConflictException("The insight changed during refinement.", $"Insight {i.Id} is at version {i.Version}, refinement read version {insight.Version}.", null);
            }

            i.Condition = best.Condition;
        }, request.Actor, "refine",
            $"condition refined by evolution: replay score {current.ToString("0.###", CultureInfo.InvariantCulture)} -> {best.Score.ToString("0.###", CultureInfo.InvariantCulture)} over {labelled.Count} labelled problems ({counts})",
            cancellationToken);
        return new RefinementOutcome(insight.Id, "refined", labelled.Count, current, best, scored, revised.Version, notes);
    }

    /// <summary>(positives retrieved + unretrieved retrieved + negatives not retrieved) / labelled, with the condition replaced (null: as it is).</summary>
    private async Task<double> ScoreAsync(long insightId, string? condition, List<Labelled> labelled, IReadOnlyList<string> stages, CancellationToken ct)
    {
        var good = 0;
        foreach (var item in labelled)
        {
            var retrieved = false;
            foreach (var stage in stages)
            {
                var result = await sender.Send(new RetrieveInsights(item.Problem.Text, stage, stage == "program" ? item.Formulation : null,
                    Math.Max(pipeline.Value.InsightsPerStage, 1), condition is null ? null : new ConditionOverride(insightId, condition)), ct);
                retrieved |= result.Insights.Any(r => r.Insight.Id == insightId); // an id against ids (AlphaOPT compared it with a list of lists)
            }

            good += item.Label == Labels.Negative ? (retrieved ? 0 : 1) : (retrieved ? 1 : 0);
        }

        return (double)good / labelled.Count;
    }

    /// <summary>The problems of the insight's positive, negative and unretrieved evidence, with the formulation the program stage replays with.</summary>
    private async Task<List<Labelled>> LabelledAsync(Insight insight, CancellationToken ct)
    {
        var lists = new[] { Labels.Positive, Labels.Negative, Labels.Unretrieved }.Select(l => (Label: l, Entries: RetrievalRecord.Of(insight.Evidence, l))).ToList();
        var problems = await RetrievalRecord.ProblemsAsync(db, lists.SelectMany(l => l.Entries), ct);
        var ids = problems.Values.Select(p => p.Id).Distinct().ToList();
        var formulations = await db.Attempts.AsNoTracking().Where(a => ids.Contains(a.ProblemId) && a.Formulation != null)
            .GroupBy(a => a.ProblemId).Select(g => g.OrderByDescending(a => a.Id).Select(a => new { a.ProblemId, a.Formulation }).First())
            .ToDictionaryAsync(a => a.ProblemId, a => a.Formulation, ct);
        return [.. lists.SelectMany(l => l.Entries.Distinct().Where(problems.ContainsKey)
            .Select(e => new Labelled(problems[e], l.Label, formulations.GetValueOrDefault(problems[e].Id))))];
    }

    /// <summary>The retrieval stages whose taxonomy the insight is filed under.</summary>
    private async Task<List<string>> StagesAsync(Insight insight, CancellationToken ct)
    {
        var tree = await TaxonomyTree.LoadAsync(db, ct);
        var filed = insight.Taxonomy.Select(t => TaxonomyLabels.Normalise(tree.PathOf(tree.Find(t.Id) ?? t)[0])).ToHashSet();
        return [.. new[] { "formulation", "program" }.Where(s => RetrievalStages.Stages(s)!.Any(x => filed.Contains(TaxonomyLabels.Normalise(x))))];
    }

    private static string Listing(List<Labelled> labelled, string label)
    {
        var items = labelled.Where(l => l.Label == label).Take(8).Select(l => "- " + (l.Problem.Text.Length > 600 ? l.Problem.Text[..600] + "..." : l.Problem.Text)).ToList();
        return items.Count == 0 ? "(none)" : string.Join('\n', items);
    }

    private static string? Check(Reply reply) => reply.Conditions switch
    {
        null or { Count: 0 } => "\"conditions\" must hold at least one condition",
        var c when c.Any(string.IsNullOrWhiteSpace) => "a condition is empty",
        var c when c.Any(x => x.Length > InsightRules.MaxCondition) => $"a condition is longer than {InsightRules.MaxCondition} characters",
        _ => null,
    };
}
