using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OptLib.Library.Insights;
using OptLib.Library.Models;
using OptLib.Library.Prompts;
using OptLib.Library.Storage;
using OptLib.Library.Taxonomy;
using Pgvector.EntityFrameworkCore;

namespace OptLib.Library.Learning;

/// <summary>
/// Puts a verified candidate into the library: merged into the nearest existing insight that shares a taxonomy
/// label when the model says they are one lesson and the merged text re-verifies on every source problem of both,
/// otherwise added as it is. A merge is a new version of the survivor holding the union of both taxonomy links and
/// both provenances (AlphaOPT's merge dropped the labels).
/// </summary>
public sealed class InsightMerge(OptLibDbContext db, IChatModel model, PromptLibrary prompts, SolveVerification verification, IOptions<LearningOptions> options)
{
    private sealed record Decision(long? MergeWith, string? Condition, string? Explanation, string? Example, string? Reason);

    public sealed record Placement(long InsightId, bool Merged);

    public async Task<Placement> PlaceAsync(Insight candidate, string actor, List<ModelUsage> usage, List<string> notes, CancellationToken ct)
    {
        var settings = options.Value;
        var neighbours = await NeighboursAsync(candidate, ct);
        if (neighbours.Count > 0)
        {
            var offered = neighbours.Select(n => n.Id).ToHashSet();
            var decision = await JsonReplies.AskAsync<Decision>(model, new ModelCall(ModelRole.Advanced, "You curate a library of modelling experience.",
                prompts[PromptLibrary.MergeDecision].Render(new Dictionary<string, string>
                {
                    ["candidate"] = Describe(candidate),
                    ["neighbours"] = string.Join("\n\n", neighbours.Select(Describe)),
                }), Purpose: "merge-decision"), d => Check(d, offered), settings.JsonAttempts, ct);
            usage.AddRange(decision.Usage);
            if (decision.Value.MergeWith is { } survivorId)
            {
                var survivor = neighbours.Single(n => n.Id == survivorId);
                if (await TryMergeAsync(candidate, survivor, decision.Value, actor, notes, ct))
                {
                    return new Placement(survivor.Id, true);
                }
            }
        }

        var problems = string.Join(", ", candidate.SourceProblemIds);
        await Candidates.ReviseAsync(db, candidate.Id, (insight, _) =>
        {
            insight.Origin = new InsightOrigin { Source = Candidates.LearnedSource };
            insight.Status = settings.RequireApproval ? InsightStatus.Proposed : InsightStatus.Active;
        }, actor, "verify", $"verified: problem {problems} reaches its expected objective with it" + (settings.RequireApproval ? "; awaits approval" : string.Empty), ct);
        return new Placement(candidate.Id, false);
    }

    private async Task<bool> TryMergeAsync(Insight candidate, Insight survivor, Decision decision, string actor, List<string> notes, CancellationToken ct)
    {
        var links = survivor.Taxonomy.Concat(candidate.Taxonomy).Select(t => t.Id).Distinct().Take(InsightRules.MaxTaxonomyLinks).ToList();
        var sourceProblems = survivor.SourceProblemIds.Concat(candidate.SourceProblemIds).Distinct().ToList();
        var sourceAttempts = survivor.SourceAttemptIds.Concat(candidate.SourceAttemptIds).Distinct().ToList();
        var merged = (await Candidates.CreateAsync(db,
            [new InsightDraft(decision.Condition!.Trim(), decision.Explanation!.Trim(), decision.Example?.Trim() ?? string.Empty, links)],
            sourceProblems, sourceAttempts, actor, $"proposed merge of insight {survivor.Id} and candidate {candidate.Id}: {decision.Reason}", ct)).Single();

        var problems = await db.Problems.AsNoTracking().Where(p => sourceProblems.Contains(p.Id) && p.ExpectedObjective != null).OrderBy(p => p.Id).ToListAsync(ct);
        foreach (var problem in problems)
        {
            var (reached, attemptId) = await verification.RunAsync(problem, "verify-merge", [merged.Id], [survivor.Id, candidate.Id], ct);
            if (!reached)
            {
                await Candidates.RetireAsync(db, merged.Id, actor, $"the merged text did not re-verify on problem {problem.Id} (attempt {attemptId})", ct);
                notes.Add($"merge of candidate {candidate.Id} into insight {survivor.Id} did not re-verify on problem {problem.Id}; added separately");
                return false;
            }
        }

        var verifiedOn = string.Join(", ", problems.Select(p => p.Id));
        var revised = await Candidates.ReviseAsync(db, survivor.Id, (insight, tree) =>
        {
            insight.Condition = merged.Condition;
            insight.Explanation = merged.Explanation;
            insight.Example = merged.Example;
            insight.Taxonomy.Clear();
            insight.Taxonomy.AddRange(links.Select(id => tree.Find(id)!));
            insight.SourceProblemIds = sourceProblems;
            insight.SourceAttemptIds = sourceAttempts;
        }, actor, "merge", $"merged with learned candidate {candidate.Id}; re-verified on problems {verifiedOn}; taxonomy links kept from both", ct);
        await Candidates.RetireAsync(db, merged.Id, actor, $"its text became version {revised.Version} of insight {survivor.Id}", ct);
        await Candidates.RetireAsync(db, candidate.Id, actor, $"merged into insight {survivor.Id} (version {revised.Version})", ct);
        return true;
    }

    /// <summary>The nearest insights by embedding among those sharing a taxonomy label, above the similarity floor.</summary>
    private async Task<List<Insight>> NeighboursAsync(Insight candidate, CancellationToken ct)
    {
        var settings = options.Value;
        if (settings.MergeNeighbours == 0 || candidate.Embedding is not { } vector)
        {
            return [];
        }

        var labels = candidate.Taxonomy.Select(t => t.Id).ToList();
        var nearest = await db.Insights.AsNoTracking()
            .Where(i => i.Id != candidate.Id && i.Status != InsightStatus.Retired && i.Origin.Source != Candidates.CandidateSource
                && i.Embedding != null && i.EmbeddingModel == candidate.EmbeddingModel && i.Taxonomy.Any(t => labels.Contains(t.Id)))
            .OrderBy(i => i.Embedding!.CosineDistance(vector))
            .Take(settings.MergeNeighbours)
            .Select(i => new { i.Id, Distance = i.Embedding!.CosineDistance(vector) })
            .ToListAsync(ct);
        var ids = nearest.Where(n => 1 - n.Distance >= settings.MergeSimilarity).Select(n => n.Id).ToList();
        var found = await db.Insights.Include(i => i.Taxonomy).Where(i => ids.Contains(i.Id)).ToListAsync(ct);
        return [.. found.OrderBy(i => ids.IndexOf(i.Id))];
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
