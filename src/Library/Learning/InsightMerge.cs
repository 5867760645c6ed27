using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OptLib.Library.Insights;
using OptLib.Library.Models;
using OptLib.Library.Problems;
using OptLib.Library.Prompts;
using OptLib.Library.Storage;
using OptLib.Library.Taxonomy;
using OptLib.Library.Validation;
using Pgvector.EntityFrameworkCore;

namespace OptLib.Library.Learning;

/// <summary>
/// Puts a verified candidate into the library, one lesson one insight:
/// <list type="bullet">
/// <item>a candidate that says what a neighbour already says (a shared label and a near-identical text) is folded
/// into it: the neighbour keeps its text and gains the candidate's sources, labels and evidence;</item>
/// <item>a candidate the model calls the same lesson as a neighbour is merged: the merged text becomes a new version
/// of the neighbour once it reaches the answer on the candidate's problem and on the neighbour's newest source whose
/// verdict it could change (see <see cref="LearningOptions.MergeReverifications"/>; verdicts are remembered per text and
/// problem, so a text is never verified twice on one problem);</item>
/// <item>anything else is added as it is.</item>
/// </list>
/// A placement that loses a write race on the neighbour is redone against the winner.
/// </summary>
public sealed class InsightMerge(OptLibDbContext db, IChatModel model, PromptLibrary prompts, SolveVerification verification, IOptions<LearningOptions> options)
{
    /// <summary>Placements tried against a neighbour that other learners keep changing.</summary>
    public const int MaxRaces = 4;

    private sealed record Decision(long? MergeWith, string? Condition, string? Explanation, string? Example, string? Reason);

    public sealed record Placement(long InsightId, bool Merged, bool Duplicate = false);

    public Task<Placement> PlaceAsync(Insight candidate, Problem problem, string actor, List<ModelUsage> usage, List<string> notes, CancellationToken ct) =>
        RacingAsync(candidate.Id, notes, () => PlaceOnceAsync(candidate.Id, problem, consolidating: false, actor, usage, notes, ct));

    /// <summary>
    /// Places an insight that is already in the library again, among the older ones only: one that says what an older
    /// one says is folded into it, one the model calls the same lesson is merged into it once the merged text
    /// re-verifies on <paramref name="problem"/> (the insight's newest source) and the older one's newest source.
    /// Otherwise it stays as it is.
    /// </summary>
    public Task<Placement> ConsolidateAsync(long insightId, Problem? problem, string actor, List<ModelUsage> usage, List<string> notes, CancellationToken ct) =>
        RacingAsync(insightId, notes, () => PlaceOnceAsync(insightId, problem, consolidating: true, actor, usage, notes, ct));

    private async Task<Placement> RacingAsync(long insightId, List<string> notes, Func<Task<Placement>> place)
    {
        for (var race = 1; ; race++)
        {
            try
            {
                return await place();
            }
            catch (ConflictException ex) when (race < MaxRaces)
            {
                db.ChangeTracker.Clear();
                notes.Add($"placing insight {insightId} lost a write race ({ex.Message}); placing it again against the winner");
            }
        }
    }

    private async Task<Placement> PlaceOnceAsync(long candidateId, Problem? problem, bool consolidating, string actor, List<ModelUsage> usage, List<string> notes, CancellationToken ct)
    {
        var settings = options.Value;
        var candidate = await db.Insights.AsNoTracking().Include(i => i.Taxonomy).SingleAsync(i => i.Id == candidateId, ct);
        var neighbours = await NeighboursAsync(candidate, consolidating, ct);
        if (neighbours.FirstOrDefault(n => n.Similarity >= settings.DuplicateSimilarity) is { } same)
        {
            await FoldAsync(candidate, same.Insight.Id, actor, $"the same lesson as insight {candidate.Id} (cosine similarity {same.Similarity:0.000})", ct);
            notes.Add($"insight {candidate.Id} says what insight {same.Insight.Id} says; folded into it");
            return new Placement(same.Insight.Id, true, true);
        }

        if (neighbours.Count > 0 && problem is not null)
        {
            var offered = neighbours.Select(n => n.Insight.Id).ToHashSet();
            var decision = await JsonReplies.AskAsync<Decision>(model, new ModelCall(ModelRole.Advanced, "You curate a library of modelling experience.",
                prompts[PromptLibrary.MergeDecision].Render(new Dictionary<string, string>
                {
                    ["candidate"] = Describe(candidate),
                    ["neighbours"] = string.Join("\n\n", neighbours.Select(n => Describe(n.Insight))),
                }), Purpose: "merge-decision"), d => Check(d, offered), settings.JsonAttempts, ct);
            usage.AddRange(decision.Usage);
            if (decision.Value.MergeWith is { } survivorId && await TryMergeAsync(candidate, survivorId, problem, decision.Value, actor, notes, ct))
            {
                return new Placement(survivorId, true);
            }
        }

        if (consolidating)
        {
            return new Placement(candidate.Id, false);
        }

        var problems = string.Join(", ", candidate.SourceProblemIds);
        await Candidates.ReviseAsync(db, candidate.Id, (insight, _) =>
        {
            insight.Origin = new InsightOrigin { Source = Candidates.LearnedSource };
            insight.Status = settings.RequireApproval ? InsightStatus.Proposed : InsightStatus.Active;
        }, actor, "verify", $"verified: problem {problems} reaches its expected objective with it" + (settings.RequireApproval ? "; awaits approval" : string.Empty), ct);
        return new Placement(candidate.Id, false);
    }

    /// <summary>
    /// Folds <paramref name="duplicate"/> into <paramref name="survivorId"/>: the survivor keeps its text (so no verdict
    /// can change) and gains the duplicate's labels, sources and evidence; the duplicate is retired.
    /// </summary>
    public async Task FoldAsync(Insight duplicate, long survivorId, string actor, string why, CancellationToken ct)
    {
        var revised = await Candidates.ReviseAsync(db, survivorId, (insight, tree) =>
        {
            foreach (var node in duplicate.Taxonomy.Where(t => insight.Taxonomy.All(x => x.Id != t.Id)).Take(InsightRules.MaxTaxonomyLinks - insight.Taxonomy.Count))
            {
                insight.Taxonomy.Add(tree.Find(node.Id)!);
            }

            insight.SourceProblemIds = [.. insight.SourceProblemIds.Union(duplicate.SourceProblemIds)];
            insight.SourceAttemptIds = [.. insight.SourceAttemptIds.Union(duplicate.SourceAttemptIds)];
            Unite(insight, duplicate.Evidence);
        }, actor, "merge", $"took in insight {duplicate.Id}: {why}; text kept, sources, labels and evidence united", ct);
        await Candidates.RetireAsync(db, duplicate.Id, actor, $"folded into insight {survivorId} (version {revised.Version}): {why}", ct);
    }

    private async Task<bool> TryMergeAsync(Insight candidate, long survivorId, Problem problem, Decision decision, string actor, List<string> notes, CancellationToken ct)
    {
        var survivor = await db.Insights.AsNoTracking().Include(i => i.Taxonomy).SingleAsync(i => i.Id == survivorId, ct);
        var links = survivor.Taxonomy.Concat(candidate.Taxonomy).Select(t => t.Id).Distinct().Take(InsightRules.MaxTaxonomyLinks).ToList();
        var sourceProblems = survivor.SourceProblemIds.Concat(candidate.SourceProblemIds).Distinct().ToList();
        var sourceAttempts = survivor.SourceAttemptIds.Concat(candidate.SourceAttemptIds).Distinct().ToList();
        var merged = (await Candidates.CreateAsync(db,
            [new InsightDraft(decision.Condition!.Trim(), decision.Explanation!.Trim(), decision.Example?.Trim() ?? string.Empty, links)],
            sourceProblems, sourceAttempts, actor, $"proposed merge of insight {survivor.Id} and candidate {candidate.Id}: {decision.Reason}", ct)).Single();
        merged = await db.Insights.AsNoTracking().Include(i => i.Taxonomy).SingleAsync(i => i.Id == merged.Id, ct);

        // The merged text must still answer the candidate's problem, and the survivor's newest sources, whose verdicts
        // a new text could change; a text already verified on a problem is not solved there again.
        var reverify = Math.Max(0, options.Value.MergeReverifications - 1);
        var survivorSources = survivor.SourceProblemIds.Where(id => id != problem.Id).OrderDescending().Take(reverify).ToList();
        var others = await db.Problems.AsNoTracking().Where(p => survivorSources.Contains(p.Id) && p.ExpectedObjective != null).ToListAsync(ct);
        var checkedOn = new List<string>();
        foreach (var on in others.Prepend(problem).OrderBy(p => p.Id))
        {
            var (reached, attemptId, remembered) = await verification.VerdictAsync(on, merged, "verify-merge", [survivor.Id, candidate.Id], ct);
            if (!reached)
            {
                await Candidates.RetireAsync(db, merged.Id, actor, $"the merged text did not re-verify on problem {on.Id} (attempt {attemptId})", ct);
                notes.Add($"merge of candidate {candidate.Id} into insight {survivor.Id} did not re-verify on problem {on.Id}; added separately");
                return false;
            }

            checkedOn.Add(on.Id.ToString(CultureInfo.InvariantCulture) + (remembered ? " (remembered)" : string.Empty));
        }

        InsightDto revised;
        try
        {
            revised = await ReviseSurvivorAsync();
        }
        catch (ConflictException)
        {
            db.ChangeTracker.Clear();
            await Candidates.RetireAsync(db, merged.Id, actor, $"insight {survivor.Id} changed while this merge into it was verified; the merge is redone against the new version", ct);
            throw;
        }

        await Candidates.RetireAsync(db, merged.Id, actor, $"its text became version {revised.Version} of insight {survivor.Id}", ct);
        await Candidates.RetireAsync(db, candidate.Id, actor, $"merged into insight {survivor.Id} (version {revised.Version})", ct);
        return true;

        Task<InsightDto> ReviseSurvivorAsync() => Candidates.ReviseAsync(db, survivor.Id, (insight, tree) =>
        {
            if (insight.Version != survivor.Version)
            {
                // Another learner changed the survivor after this merge was written against it: redo it against theirs.
                throw new ConflictException("The insight changed while a merge into it was verified.",
                    $"Insight {survivor.Id} is at version {insight.Version}, not {survivor.Version}.");
            }

            insight.Condition = merged.Condition;
            insight.Explanation = merged.Explanation;
            insight.Example = merged.Example;
            insight.Taxonomy.Clear();
            insight.Taxonomy.AddRange(links.Select(id => tree.Find(id)!));
            insight.SourceProblemIds = sourceProblems;
            insight.SourceAttemptIds = sourceAttempts;
        }, actor, "merge", $"merged with learned candidate {candidate.Id}; re-verified on problems {string.Join(", ", checkedOn)}; taxonomy links kept from both", ct);
    }

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
