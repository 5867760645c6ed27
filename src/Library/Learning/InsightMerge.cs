using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OptLib.Library.Insights;
using OptLib.Library.Models;
using OptLib.Library.Problems;
using OptLib.Library.Prompts;
using OptLib.Library.Retrieval;
using OptLib.Library.Storage;
using OptLib.Library.Validation;
using Pgvector.EntityFrameworkCore;

namespace OptLib.Library.Learning;

/// <summary>
/// Where a learned candidate goes in the library, one lesson one insight. First a plan, without solving anything:
/// <list type="bullet">
/// <item>fold: the candidate says what a neighbour already says (a shared label, a near-identical text); the neighbour
/// keeps its text and gains the candidate's sources, labels and evidence;</item>
/// <item>merge: the model calls it the same lesson as a neighbour and writes the combined text, stored as a draft;</item>
/// <item>new: anything else.</item>
/// </list>
/// Learning verifies what the plan would put in the library (the neighbour, the merged draft or the candidate) on the
/// candidate's problem, then commits it. A merge also re-verifies on the survivor's newest sources (verdicts are
/// remembered per text and problem), and a commit that finds the survivor changed by another learner fails with a
/// conflict, so the caller plans again against the winner.
/// </summary>
public sealed class InsightMerge(OptLibDbContext db, IEmbeddingProvider embeddings, IChatModel model, PromptLibrary prompts, SolveVerification verification, IOptions<LearningOptions> options)
{
    /// <summary>Plans tried against a neighbour that other learners keep changing.</summary>
    public const int MaxRaces = 4;

    private sealed record Decision(long? MergeWith, string? Condition, string? Explanation, string? Example, string? Reason);

    public enum PlanKind
    {
        New,
        Fold,
        Merge,
    }

    /// <param name="Shown">The insight whose text the plan puts in the library: the candidate, the neighbour or the merged draft.</param>
    /// <param name="Excluded">Insights the verification leaves out (a merge replaces both the survivor and the candidate).</param>
    public sealed record Plan(PlanKind Kind, long CandidateId, long Shown, IReadOnlyList<long> Excluded, long? SurvivorId = null, int SurvivorVersion = 0,
        double Similarity = 0, string? Reason = null);

    public sealed record Placement(long InsightId, bool Merged, bool Duplicate = false);

    /// <summary>
    /// What to do with the candidate (an insight of the library when <paramref name="consolidating"/>: only older
    /// active neighbours then). <paramref name="against"/> is the survivor of a merge that lost a race: it is offered
    /// again whatever its new text's similarity, since the model already called the two one lesson.
    /// </summary>
    public async Task<Plan> PlanAsync(long candidateId, bool consolidating, string actor, List<ModelUsage> usage, CancellationToken ct, long? against = null)
    {
        var settings = options.Value;
        var candidate = await LoadAsync(candidateId, ct);
        var neighbours = await NeighboursAsync(candidate, consolidating, ct);
        if (against is { } winner && neighbours.All(n => n.Insight.Id != winner)
            && await db.Insights.AsNoTracking().Include(i => i.Taxonomy).FirstOrDefaultAsync(i => i.Id == winner && i.Status != InsightStatus.Retired, ct) is { } raced)
        {
            neighbours.Add(new Neighbour(raced, settings.MergeSimilarity));
        }

        if (neighbours.FirstOrDefault(n => n.Similarity >= settings.DuplicateSimilarity) is { } same)
        {
            return new Plan(PlanKind.Fold, candidate.Id, same.Insight.Id, [], same.Insight.Id, same.Insight.Version, same.Similarity);
        }

        if (neighbours.Count == 0)
        {
            return new Plan(PlanKind.New, candidate.Id, candidate.Id, []);
        }

        var offered = neighbours.Select(n => n.Insight.Id).ToHashSet();
        var decision = await JsonReplies.AskAsync<Decision>(model, new ModelCall(ModelRole.Advanced, "You curate a library of modelling experience.",
            prompts[PromptLibrary.MergeDecision].Render(new Dictionary<string, string>
            {
                ["candidate"] = Describe(candidate),
                ["neighbours"] = string.Join("\n\n", neighbours.Select(n => Describe(n.Insight))),
            }), Purpose: "merge-decision"), d => Check(d, offered), settings.JsonAttempts, ct);
        usage.AddRange(decision.Usage);
        if (decision.Value.MergeWith is not { } survivorId)
        {
            return new Plan(PlanKind.New, candidate.Id, candidate.Id, []);
        }

        var survivor = neighbours.Single(n => n.Insight.Id == survivorId).Insight;
        var links = survivor.Taxonomy.Concat(candidate.Taxonomy).Select(t => t.Id).Distinct().Take(InsightRules.MaxTaxonomyLinks).ToList();
        var draft = (await Candidates.CreateAsync(db, embeddings,
            [new InsightDraft(decision.Value.Condition!.Trim(), decision.Value.Explanation!.Trim(), decision.Value.Example?.Trim() ?? string.Empty, links)],
            [.. survivor.SourceProblemIds.Concat(candidate.SourceProblemIds)], [.. survivor.SourceAttemptIds.Concat(candidate.SourceAttemptIds)],
            actor, $"proposed merge of insight {survivor.Id} and insight {candidate.Id}: {decision.Value.Reason}", ct)).Single();
        return new Plan(PlanKind.Merge, candidate.Id, draft.Id, [survivor.Id, candidate.Id], survivor.Id, survivor.Version, Reason: decision.Value.Reason);
    }

    /// <summary>A plan that did not verify: its merged draft is retired, nothing else changes.</summary>
    public async Task AbandonAsync(Plan plan, string actor, string why, CancellationToken ct)
    {
        if (plan.Kind == PlanKind.Merge)
        {
            await Candidates.RetireAsync(db, plan.Shown, actor, why, ct);
        }
    }

    /// <summary>
    /// Puts a plan whose text reached the answer on <paramref name="problem"/> into the library. A merge must also
    /// re-verify on the survivor's newest sources; one that does not is abandoned and null is returned. A survivor
    /// changed since the plan was made is a <see cref="ConflictException"/> (the draft is retired first).
    /// </summary>
    /// <param name="problem">The problem the plan's text was verified on (a fold, whose text stays, needs none).</param>
    public async Task<Placement?> CommitAsync(Plan plan, Problem? problem, bool consolidating, string actor, List<string> notes, CancellationToken ct)
    {
        switch (plan.Kind)
        {
            case PlanKind.Fold:
                var duplicate = await LoadAsync(plan.CandidateId, ct);
                await FoldAsync(duplicate, plan.SurvivorId!.Value, plan.SurvivorVersion, actor,
                    $"the same lesson as insight {duplicate.Id} (cosine similarity {plan.Similarity.ToString("0.000", CultureInfo.InvariantCulture)})", ct);
                notes.Add($"insight {duplicate.Id} says what insight {plan.SurvivorId} says; folded into it");
                return new Placement(plan.SurvivorId.Value, true, true);
            case PlanKind.Merge:
                return await MergeAsync(plan, consolidating ? "insight" : "candidate", problem ?? throw new ArgumentNullException(nameof(problem), "A merge is verified on a problem."), actor, notes, ct);
            default:
                if (!consolidating)
                {
                    var settings = options.Value;
                    await Candidates.ReviseAsync(db, embeddings, plan.CandidateId, (insight, _) =>
                    {
                        insight.Origin = new InsightOrigin { Source = Candidates.LearnedSource };
                        insight.Status = settings.RequireApproval ? InsightStatus.Proposed : InsightStatus.Active;
                    }, actor, "verify", $"verified: problem {problem?.Id} reaches its expected objective with it" + (settings.RequireApproval ? "; awaits approval" : string.Empty), ct);
                }

                return new Placement(plan.CandidateId, false);
        }
    }

    private async Task<Placement?> MergeAsync(Plan plan, string what, Problem problem, string actor, List<string> notes, CancellationToken ct)
    {
        var survivorId = plan.SurvivorId!.Value;
        var draft = await LoadAsync(plan.Shown, ct);
        var survivor = await LoadAsync(survivorId, ct);
        var reverify = Math.Max(0, options.Value.MergeReverifications - 1);
        var newest = survivor.SourceProblemIds.Where(id => id != problem.Id).OrderDescending().Take(reverify).ToList();
        var checkedOn = new List<(long Id, bool Remembered)> { (problem.Id, false) };
        foreach (var on in await db.Problems.AsNoTracking().Where(p => newest.Contains(p.Id) && p.ExpectedObjective != null).OrderBy(p => p.Id).ToListAsync(ct))
        {
            var (reached, attemptId, remembered) = await verification.VerdictAsync(on, draft, "verify-merge", plan.Excluded, ct);
            if (!reached)
            {
                await AbandonAsync(plan, actor, $"the merged text did not re-verify on problem {on.Id} (attempt {attemptId})", ct);
                notes.Add($"merge of insight {plan.CandidateId} into insight {survivorId} did not re-verify on problem {on.Id}");
                return null;
            }

            checkedOn.Add((on.Id, remembered));
        }

        InsightDto revised;
        try
        {
            revised = await Candidates.ReviseAsync(db, embeddings, survivorId, (insight, tree) =>
            {
                Expect(insight, plan.SurvivorVersion);
                insight.Condition = draft.Condition;
                insight.Explanation = draft.Explanation;
                insight.Example = draft.Example;
                insight.Taxonomy.Clear();
                insight.Taxonomy.AddRange(draft.Taxonomy.Select(t => tree.Find(t.Id)!));
                insight.SourceProblemIds = [.. insight.SourceProblemIds.Union(draft.SourceProblemIds)];
                insight.SourceAttemptIds = [.. insight.SourceAttemptIds.Union(draft.SourceAttemptIds)];
            }, actor, "merge", $"merged with learned {what} {plan.CandidateId}; re-verified on problems {string.Join(", ", checkedOn.OrderBy(c => c.Id).Select(c => c.Id.ToString(CultureInfo.InvariantCulture) + (c.Remembered ? " (remembered)" : string.Empty)))}; taxonomy links kept from both", ct);
        }
        catch (ConflictException)
        {
            db.ChangeTracker.Clear();
            await AbandonAsync(plan, actor, $"insight {survivorId} changed while this merge into it was verified; the merge is planned again against the new version", ct);
            throw;
        }

        await Candidates.RetireAsync(db, draft.Id, actor, $"its text became version {revised.Version} of insight {survivorId}", ct);
        await Candidates.RetireAsync(db, plan.CandidateId, actor, $"merged into insight {survivorId} (version {revised.Version})", ct);
        return new Placement(survivorId, true);
    }

    /// <summary>
    /// Folds <paramref name="duplicate"/> into the survivor: the survivor keeps its text (so no verdict can change)
    /// and gains the duplicate's labels, sources and evidence; the duplicate is retired.
    /// </summary>
    private async Task FoldAsync(Insight duplicate, long survivorId, int survivorVersion, string actor, string why, CancellationToken ct)
    {
        var revised = await Candidates.ReviseAsync(db, embeddings, survivorId, (insight, tree) =>
        {
            Expect(insight, survivorVersion);
            foreach (var node in duplicate.Taxonomy.Where(t => insight.Taxonomy.All(x => x.Id != t.Id)).Take(InsightRules.MaxTaxonomyLinks - insight.Taxonomy.Count).ToList())
            {
                insight.Taxonomy.Add(tree.Find(node.Id)!);
            }

            insight.SourceProblemIds = [.. insight.SourceProblemIds.Union(duplicate.SourceProblemIds)];
            insight.SourceAttemptIds = [.. insight.SourceAttemptIds.Union(duplicate.SourceAttemptIds)];
            Unite(insight, duplicate.Evidence);
        }, actor, "merge", $"took in insight {duplicate.Id}: {why}; text kept, sources, labels and evidence united", ct);
        await Candidates.RetireAsync(db, duplicate.Id, actor, $"folded into insight {survivorId} (version {revised.Version}): {why}", ct);
    }

    /// <summary>Another learner changed the survivor after the plan was made against it: plan again against theirs.</summary>
    private static void Expect(Insight insight, int version)
    {
        if (insight.Version != version)
        {
            throw new ConflictException("The insight changed while a merge into it was verified.",
                $"Insight {insight.Id} is at version {insight.Version}, not {version}.");
        }
    }

    private Task<Insight> LoadAsync(long id, CancellationToken ct) =>
        db.Insights.AsNoTracking().Include(i => i.Taxonomy).SingleAsync(i => i.Id == id, ct);

    private sealed record Neighbour(Insight Insight, double Similarity);

    /// <summary>
    /// The nearest insights by embedding among those sharing a taxonomy label, above the similarity floor, nearest
    /// first; when consolidating, only older active ones (so two insights are never merged each into the other).
    /// </summary>
    private async Task<List<Neighbour>> NeighboursAsync(Insight candidate, bool olderActiveOnly, CancellationToken ct)
    {
        var settings = options.Value;
        if (settings.MergeNeighbours == 0 || candidate.Embedding is not { } vector)
        {
            return [];
        }

        var labels = candidate.Taxonomy.Select(t => t.Id).ToList();
        var nearest = await db.Insights.AsNoTracking()
            .Where(i => i.Id != candidate.Id && i.Status != InsightStatus.Retired && i.Origin.Source != Candidates.CandidateSource
                && (!olderActiveOnly || (i.Id < candidate.Id && i.Status == InsightStatus.Active))
                && i.Embedding != null && i.EmbeddingModel == candidate.EmbeddingModel && i.Taxonomy.Any(t => labels.Contains(t.Id)))
            .OrderBy(i => i.Embedding!.CosineDistance(vector))
            .Take(settings.MergeNeighbours)
            .Select(i => new { i.Id, Distance = i.Embedding!.CosineDistance(vector) })
            .ToListAsync(ct);
        var similar = nearest.Where(n => 1 - n.Distance >= settings.MergeSimilarity).ToDictionary(n => n.Id, n => 1 - n.Distance);
        var found = await db.Insights.AsNoTracking().Include(i => i.Taxonomy).Where(i => similar.Keys.Contains(i.Id)).ToListAsync(ct);
        return [.. found.Select(i => new Neighbour(i, similar[i.Id])).OrderByDescending(n => n.Similarity).ThenBy(n => n.Insight.Id)];
    }

    /// <summary>The duplicate's evidence joins the survivor's, and each problem newly added counts once, as diagnosis counts.</summary>
    private static void Unite(Insight into, UsageEvidence from)
    {
        foreach (var label in new[] { Evolution.Labels.Positive, Evolution.Labels.Negative, Evolution.Labels.Invalid, Evolution.Labels.Irrelevant, Evolution.Labels.Unretrieved })
        {
            var list = Evolution.RetrievalRecord.Of(into.Evidence, label);
            foreach (var entry in Evolution.RetrievalRecord.Of(from, label).Where(e => !list.Contains(e)).ToList())
            {
                list.Add(entry);
                Evolution.Labels.Count(into.Usage, label);
            }
        }
    }

    private static string? Check(Decision decision, HashSet<long> offered) => decision.MergeWith switch
    {
        null => null,
        { } id when !offered.Contains(id) => $"mergeWith must be null or one of the ids offered ({string.Join(", ", offered)}), not {id}",
        _ when string.IsNullOrWhiteSpace(decision.Condition) || string.IsNullOrWhiteSpace(decision.Explanation) => "a merge needs the combined condition and explanation",
        _ => InsightRules.Validate(decision.Condition!, decision.Explanation!, decision.Example ?? string.Empty, [0]).Select(e => e.Error).FirstOrDefault(),
    };

    private static string Describe(Insight i)
    {
        var text = new StringBuilder();
        text.Append("Id: ").AppendLine(i.Id.ToString(CultureInfo.InvariantCulture))
            .Append("Labels: ").AppendLine(string.Join("; ", i.Taxonomy.Select(t => t.Name)))
            .Append("Condition: ").AppendLine(i.Condition)
            .Append("Explanation: ").AppendLine(i.Explanation)
            .Append("Example: ").Append(i.Example);
        return text.ToString();
    }
}
