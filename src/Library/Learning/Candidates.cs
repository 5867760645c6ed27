using Microsoft.EntityFrameworkCore;
using OptLib.Library.Insights;
using OptLib.Library.Retrieval;
using OptLib.Library.Storage;
using OptLib.Library.Taxonomy;

namespace OptLib.Library.Learning;

/// <summary>An insight as the model proposed it, before it is stored.</summary>
public sealed record InsightDraft(string Condition, string Explanation, string Example, IReadOnlyList<long> TaxonomyNodeIds);

/// <summary>
/// Learning's insights on their way into the library. An extracted insight is stored at once as a proposed
/// candidate (invisible to retrieval), so verification can put it in prompts by id and its history starts with its
/// extraction. Verified, it becomes "learning" and active (or stays proposed for approval); never verified, it is
/// retired with the reason. Nothing is erased.
/// </summary>
public static class Candidates
{
    /// <summary>Origin source of an insight extracted but not yet verified.</summary>
    public const string CandidateSource = "learning-candidate";

    /// <summary>Origin source of an insight learning verified and added.</summary>
    public const string LearnedSource = "learning";

    public static async Task<List<Insight>> CreateAsync(
        OptLibDbContext db, IEmbeddingProvider embeddings, IReadOnlyList<InsightDraft> drafts, IReadOnlyList<long> problemIds, IReadOnlyList<long> attemptIds,
        string actor, string reason, CancellationToken ct)
    {
        var tree = await TaxonomyTree.LoadAsync(db, ct);
        var now = DateTimeOffset.UtcNow;
        var created = drafts.Select(d => new Insight
        {
            Status = InsightStatus.Proposed,
            Version = 1,
            Condition = d.Condition,
            Explanation = d.Explanation,
            Example = d.Example,
            Taxonomy = InsightRules.ResolveLeaves(tree, d.TaxonomyNodeIds),
            SourceProblemIds = [.. problemIds.Distinct()],
            SourceAttemptIds = [.. attemptIds.Distinct()],
            Origin = new InsightOrigin { Source = CandidateSource },
            CreatedAt = now,
            UpdatedAt = now,
            CreatedBy = actor,
            UpdatedBy = actor,
        }).ToList();

        foreach (var insight in created)
        {
            await embeddings.EmbedAsync(insight, ct);
        }

        await InsightHistory.AssignIdsAsync(db, created, ct);
        foreach (var insight in created)
        {
            db.Insights.Add(insight);
            await InsightHistory.RecordAsync(db, insight, tree, actor, "create", reason, ct);
        }

        return created;
    }

    /// <summary>Retires the insight with the reason, as a new version (no-op when already retired).</summary>
    public static async Task RetireAsync(OptLibDbContext db, long id, string actor, string reason, CancellationToken ct)
    {
        if (await InsightEdits.LoadAsync(db, id, ct) is not { Status: not InsightStatus.Retired } insight)
        {
            return;
        }

        insight.Status = InsightStatus.Retired;
        await InsightEdits.CommitAsync(db, insight, await TaxonomyTree.LoadAsync(db, ct), actor, "retire", reason, ct);
    }

    /// <summary>Changes an insight and records the change as a new version with the reason.</summary>
    public static async Task<InsightDto> ReviseAsync(OptLibDbContext db, IEmbeddingProvider embeddings, long id, Action<Insight, TaxonomyTree> change,
        string actor, string action, string reason, CancellationToken ct)
    {
        var insight = await InsightEdits.LoadAsync(db, id, ct) ?? throw new InvalidOperationException($"Insight {id} does not exist.");
        var tree = await TaxonomyTree.LoadAsync(db, ct);
        var textBefore = InsightEmbedding.TextOf(insight);
        change(insight, tree);
        await embeddings.RefreshAsync(insight, textBefore, ct);
        return await InsightEdits.CommitAsync(db, insight, tree, actor, action, reason, ct);
    }

    /// <summary>Retires what an attempt's learning left unverified (its candidates and merge drafts), e.g. after a failed run.</summary>
    public static async Task<List<long>> RetireLeftoversAsync(OptLibDbContext db, long attemptId, string actor, string reason, CancellationToken ct)
    {
        var leftovers = await FromAttempt(db, attemptId).Where(i => i.Origin.Source == CandidateSource).Select(i => i.Id).ToListAsync(ct);
        foreach (var id in leftovers)
        {
            await RetireAsync(db, id, actor, reason, ct);
        }

        return leftovers;
    }

    /// <summary>
    /// The level-2 node for a label the model proposed, matched ignoring case, plurals and spacing; a level-2 label
    /// that exists under another level-1 label of the stage is reused; anything else is added. An unknown stage
    /// falls back to the one the failure belongs to. A label is never a reason to drop an insight.
    /// </summary>
    public static TaxonomyNode Place(TaxonomyTree tree, string? stage, string? level1, string? level2, string fallbackStage, List<string> notes)
    {
        var stageNode = tree.Nodes.FirstOrDefault(n => n.Depth == 0 && Same(n.Name, stage))
            ?? tree.Nodes.FirstOrDefault(n => n.Depth == 0 && Same(n.Name, fallbackStage));
        var stageName = stageNode?.Name ?? fallbackStage;
        var first = string.IsNullOrWhiteSpace(level1) ? "Learned" : TaxonomyLabels.Tidy(level1);
        var second = string.IsNullOrWhiteSpace(level2) ? first : TaxonomyLabels.Tidy(level2);
        if (tree.Find(stageName, first, second) is { } exact)
        {
            return exact;
        }

        var elsewhere = tree.Nodes.Where(n => n.Depth == 2 && Same(n.Name, second) && Same(tree.PathOf(n)[0], stageName)).ToList();
        if (elsewhere.Count == 1)
        {
            return elsewhere[0];
        }

        var (node, created) = tree.Ensure([stageName, first, second]);
        if (created)
        {
            notes.Add($"added the label '{stageName} / {first} / {second}'");
        }

        return node;
    }

    private static bool Same(string a, string? b) => b is not null && TaxonomyLabels.Normalise(a) == TaxonomyLabels.Normalise(b);

    /// <summary>Non-retired insights that already carry the attempt as provenance, candidates or not.</summary>
    public static IQueryable<Insight> FromAttempt(OptLibDbContext db, long attemptId) =>
        db.Insights.Where(i => i.Status != InsightStatus.Retired && i.SourceAttemptIds.Contains(attemptId));
}
