using System.Globalization;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OptLib.Library.Insights;
using OptLib.Library.Models;
using OptLib.Library.Prompts;
using OptLib.Library.Storage;
using OptLib.Library.Taxonomy;
using OptLib.Library.Validation;

namespace OptLib.Library.Retrieval;

/// <summary>
/// The ranked insights for a problem and stage: lexical candidates fused by reciprocal rank, then, with a model, a
/// label boost and an applicability check (see <see cref="RetrieveInsightsHandler"/>). Only active insights whose
/// stage fits the request are candidates.
/// </summary>
/// <param name="Snapshot">Retrieve as of this library snapshot: only its insight versions, with their text and vectors then.</param>
public sealed record RetrieveInsights(string Problem, string Stage, string? Formulation, int K = 8, ConditionOverride? Override = null, long? Snapshot = null)
    : IRequest<RetrievalResult>, IValidatable
{
    public const int MaxK = 50;
    public const int MaxText = 100_000;

    public IEnumerable<(string Field, string Error)> Validate()
    {
        if (string.IsNullOrWhiteSpace(Problem))
        {
            yield return (nameof(Problem), "Retrieval needs the problem text.");
        }
        else if (Problem.Length > MaxText)
        {
            yield return (nameof(Problem), $"The problem is longer than {MaxText} characters.");
        }

        if (Formulation is { Length: > MaxText })
        {
            yield return (nameof(Formulation), $"The formulation is longer than {MaxText} characters.");
        }

        if (RetrievalStages.Stages(Stage) is null)
        {
            yield return (nameof(Stage), "The stage is formulation (Domain Modeling, General Formulation) or program (Code Implementation).");
        }

        if (Override is { } o && (string.IsNullOrWhiteSpace(o.Condition) || o.Condition.Length > Insights.InsightRules.MaxCondition))
        {
            yield return (nameof(Override), $"A replayed condition has 1 to {Insights.InsightRules.MaxCondition} characters.");
        }

        if (Snapshot is not null && Override is not null)
        {
            yield return (nameof(Snapshot), "A replayed condition changes the current library; it cannot be replayed as of a snapshot.");
        }

        if (Snapshot is < 1)
        {
            yield return (nameof(Snapshot), "A snapshot id is a positive number.");
        }

        if (K is < 1 or > MaxK)
        {
            yield return (nameof(K), $"k is between 1 and {MaxK}.");
        }
    }
}

/// <summary>
/// Every score behind a ranking, so the admin UI and the attempt record can show why an insight was chosen. The
/// label rank is the insight's place among those filed under a label the model chose; the verdict and its reason come
/// from the applicability check.
/// </summary>
public sealed record RetrievedInsight(
    InsightDto Insight,
    int Rank,
    double FusedScore,
    int? VectorRank,
    double? VectorSimilarity,
    int? TextRank,
    double? TextScore,
    bool? ModelApplies,
    string? ModelReason,
    int? LabelRank = null);

/// <summary>Replays retrieval as if one insight had another condition (library evolution scores candidate conditions).</summary>
public sealed record ConditionOverride(long InsightId, string Condition);

/// <param name="Labels">The level-2 labels the model chose ("stage / level 1 / level 2"), when it was asked.</param>
/// <param name="Rejected">
/// Candidates the applicability check judged not to apply, with its reasons, ranked by their place in the fused
/// ranking; never in Insights.
/// </param>
/// <param name="Notes">What the model-backed stage did or why it was skipped or abandoned.</param>
/// <param name="Usage">The model calls this retrieval made, re-asks included.</param>
/// <param name="Prompts">Each prompt sent, with its template version and its size in o200k tokens.</param>
public sealed record RetrievalResult(
    string Stage,
    string EmbeddingModel,
    int Candidates,
    IReadOnlyList<RetrievedInsight> Insights,
    IReadOnlyList<string>? Labels = null,
    IReadOnlyList<RetrievedInsight>? Rejected = null,
    IReadOnlyList<string>? Notes = null,
    IReadOnlyList<ModelUsage>? Usage = null,
    IReadOnlyList<RetrievalPrompt>? Prompts = null);

public sealed record RetrievalPrompt(string Purpose, string Template, int Tokens, int Shown);

public static class RetrievalStages
{
    /// <summary>The taxonomy stages a retrieval stage draws on.</summary>
    public static string[]? Stages(string? stage) => stage?.Trim().ToLowerInvariant() switch
    {
        "formulation" => ["Domain Modeling", "General Formulation"],
        "program" => ["Code Implementation"],
        _ => null,
    };
}

/// <summary>
/// Lexical candidates first: the exact kNN list of the in-process <see cref="VectorIndex"/> and full-text search,
/// fused by reciprocal rank. With a
/// model configured (and Retrieval:UseModel on) two bounded calls follow:
/// <list type="number">
/// <item>the model labels the problem from a compact list of level-2 labels; insights filed under a chosen label form
/// a third ranked list (by vector similarity), weighted 2, in the fusion: a boost, never a filter;</item>
/// <item>one applicability call judges the digested conditions of as many of the best fused candidates as fit in what
/// the labelling prompt left of <see cref="RetrievalOptions.PromptTokenBudget"/> (at most
/// <see cref="RetrievalOptions.ApplicabilityCandidates"/>). Those judged not to apply leave the ranking (they are listed
/// in <see cref="RetrievalResult.Rejected"/> with the model's reasons); the others keep their fused order, and no
/// unjudged candidate takes a place.</item>
/// </list>
/// A model failure never fails retrieval: the step is skipped, the lexical ranking stands, and a note says so.
/// </summary>
public sealed class RetrieveInsightsHandler(
    OptLibDbContext db,
    IEmbeddingProvider embeddings,
    IChatModel model,
    PromptLibrary prompts,
    TextQuery textQuery,
    VectorIndex vectorIndex,
    IOptions<RetrievalOptions> options) : IRequestHandler<RetrieveInsights, RetrievalResult>
{
    /// <summary>The usual RRF constant: ranks beyond the first few differ little.</summary>
    private const int RrfK = 60;

    /// <summary>
    /// The model's labels weigh as much as the two lexical lists together: the best insight under a chosen label
    /// competes with the best lexical match, and the applicability check then judges both.
    /// </summary>
    private const double LabelWeight = 2;

    public async ValueTask<RetrievalResult> Handle(RetrieveInsights request, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var stage = request.Stage.Trim().ToLowerInvariant();
        var text = string.IsNullOrWhiteSpace(request.Formulation) ? request.Problem : request.Problem + "\n" + request.Formulation;
        var tree = await TaxonomyTree.LoadAsync(db, cancellationToken);
        var stages = RetrievalStages.Stages(request.Stage)!.Select(TaxonomyLabels.Normalise).ToHashSet();
        var leaves = tree.Nodes.Where(n => n.Depth == 2 && stages.Contains(TaxonomyLabels.Normalise(tree.PathOf(n)[0]))).OrderBy(n => n.Id).ToList();
        var leafIds = leaves.Select(n => n.Id).ToList();
        var pool = Math.Max(50, request.K * 5);

        // As of a snapshot, the candidates are its insight versions (ADR 0019); otherwise the active insights.
        var asOf = request.Snapshot is { } snapshotId ? await SnapshotCandidates.LoadAsync(db, embeddings, snapshotId, cancellationToken) : null;
        var eligible = db.Insights.AsNoTracking()
            .Where(i => i.Status == InsightStatus.Active && i.Taxonomy.Any(t => leafIds.Contains(t.Id)));

        var notes = new List<string>();
        var calls = new List<RetrievalPrompt>();
        var metered = new MeteredModel(model);
        var judge = settings.UseModel && model.IsConfigured ? new RetrievalPrompts(prompts, settings) : null;
        if (judge is null)
        {
            notes.Add(model.IsConfigured ? "Lexical ranking only: Retrieval:UseModel is off." : "Lexical ranking only: no model is configured (Model:Provider).");
        }

        var problemText = judge?.ProblemText(request.Problem, request.Formulation) ?? string.Empty;
        Task<Labelling>? labelling = null;
        var judgeBudget = settings.PromptTokenBudget; // what the labelling prompt leaves to the applicability prompt
        if (judge is not null)
        {
            var labels = await LabelsAsync(judge, stage, problemText, leaves, tree, cancellationToken);
            judgeBudget -= labels.Prompt.Tokens;
            calls.Add(new RetrievalPrompt("taxonomy labels", labels.Prompt.Template, labels.Prompt.Tokens, labels.Prompt.Shown));
            labelling = LabelAsync(metered, labels, stage, settings.MaxAttempts, cancellationToken); // runs while the database answers
        }

        var query = await embeddings.EmbedAsync(text, cancellationToken);
        var scores = new Dictionary<long, Scores>();

        // The kNN lists come from the in-process index of the active insights' vectors (exact at any size, ADR 0018),
        // brought up to the library's change stamp first. Vectors of another model are not comparable and are not in it;
        // during a re-embed they wait for their turn.
        if (asOf is null)
        {
            await vectorIndex.CatchUpAsync(db, cancellationToken);
        }

        var overridden = request.Override is { } o ? await eligible.Where(i => i.Id == o.InsightId).Select(i => i.Explanation).FirstOrDefaultAsync(cancellationToken) : null;
        var replayed = overridden is null ? null : await embeddings.EmbedAsync(request.Override!.Condition + "\n" + overridden, cancellationToken);

        // Full-text search runs in the database while this thread scans the vectors.
        var byText = TextRankingAsync(text, leafIds, pool, request.Override, overridden, settings.MaxTextMatches, asOf, cancellationToken);
        var byVector = (asOf?.Nearest(query, leafIds.ToHashSet(), pool) ?? vectorIndex.Nearest(query, leafIds.ToHashSet(), pool)).ToList();
        if (replayed is not null)
        {
            byVector.RemoveAll(v => v.Id == request.Override!.InsightId);
            byVector.Add(new Neighbour(request.Override!.InsightId, (float)Cosine(query, replayed)));
            byVector = byVector.OrderByDescending(v => v.Similarity).ThenBy(v => v.Id).Take(pool).ToList();
        }

        for (var r = 0; r < byVector.Count; r++)
        {
            var s = Add(scores, byVector[r].Id, r);
            (s.VectorRank, s.VectorSimilarity) = (r + 1, byVector[r].Similarity);
        }

        var textRanking = await byText;
        for (var r = 0; r < textRanking.Count; r++)
        {
            var s = Add(scores, textRanking[r].Id, r);
            (s.TextRank, s.TextScore) = (r + 1, textRanking[r].Score);
        }

        var chosen = labelling is null ? null : await labelling;
        if (chosen?.Note is { } labelNote)
        {
            notes.Add(labelNote);
        }

        if (chosen is { NodeIds.Count: > 0 })
        {
            var byLabel = asOf?.Nearest(query, chosen.NodeIds.ToHashSet(), pool) ?? vectorIndex.Nearest(query, chosen.NodeIds.ToHashSet(), pool);
            for (var r = 0; r < byLabel.Count; r++)
            {
                Add(scores, byLabel[r].Id, r, LabelWeight).LabelRank = r + 1;
            }
        }

        var ranking = scores.OrderByDescending(s => s.Value.Fused).ThenBy(s => s.Key).Select(s => s.Key).ToList();
        var window = judge is null ? 0 : Math.Min(settings.ApplicabilityCandidates, ranking.Count);
        var ids = ranking.Take(Math.Max(window, request.K)).ToList(); // the judged window, or the top k when nobody judges
        var insights = asOf is not null
            ? ids.ToDictionary(id => id, asOf.Dto)
            : (await db.Insights.AsNoTracking().Include(i => i.Taxonomy).Where(i => ids.Contains(i.Id)).ToListAsync(cancellationToken))
                .ToDictionary(i => i.Id, i => InsightDto.From(i, tree));

        var verdicts = new Dictionary<long, Verdict>();
        if (judge is not null && window > 0)
        {
            // A replay judges the condition being tried, not the stored one.
            var candidates = ranking.Take(window).Select(id => new RetrievalPrompts.Candidate(id,
                request.Override is { } replay && replay.InsightId == id ? replay.Condition : insights[id].Condition)).ToList();
            var prompt = judge.Applicability(stage, problemText, candidates, judgeBudget);
            calls.Add(new RetrievalPrompt("applicability", prompt.Template, prompt.Tokens, prompt.Shown));
            verdicts = await JudgeAsync(metered, prompt, candidates.Take(prompt.Shown).Select(c => c.Id).ToHashSet(), settings.MaxAttempts, notes, cancellationToken);
        }

        RetrievedInsight Row(long id, int rank) => new(insights[id], rank, scores[id].Fused,
            scores[id].VectorRank, scores[id].VectorSimilarity, scores[id].TextRank, scores[id].TextScore,
            verdicts.TryGetValue(id, out var v) ? v.Applies : null, verdicts.TryGetValue(id, out v) ? v.Reason : null, scores[id].LabelRank);

        // Once a model has judged, only what it judged applicable reaches the prompt: a candidate nobody judged never
        // fills a place it refused. Without verdicts (no model, or its answer failed) the model-free ranking stands.
        var kept = (verdicts.Count > 0 ? ranking.Where(id => verdicts.TryGetValue(id, out var v) && v.Applies) : ranking).Take(request.K).ToList();
        var rejected = ranking.Select((id, index) => (id, index)).Where(x => verdicts.TryGetValue(x.id, out var v) && !v.Applies).Select(x => Row(x.id, x.index + 1)).ToList();
        return new RetrievalResult(stage, embeddings.ModelId, scores.Count, kept.Select((id, index) => Row(id, index + 1)).ToList(),
            Labels: chosen?.Paths, Rejected: judge is null ? null : rejected, Notes: notes, Usage: metered.Usage, Prompts: calls);
    }

    /// <summary>
    /// The full-text ranking: the insights of the stage matching the problem's words (its rarest ones in a large
    /// library, <see cref="TextQuery"/>), by ts_rank. A replay ranks the insight by the condition being tried.
    /// </summary>
    private async Task<List<(long Id, double Score)>> TextRankingAsync(string text, List<long> leafIds, int pool, ConditionOverride? replay, string? explanation, int maxMatches,
        SnapshotCandidates? asOf, CancellationToken ct)
    {
        if (await textQuery.BuildAsync(db, text, maxMatches, asOf is null ? vectorIndex.Count : null, ct) is not { } tsquery)
        {
            return [];
        }

        if (asOf is not null)
        {
            return await asOf.TextRankingAsync(db, tsquery, leafIds, pool, ct);
        }

        // The stage filter as a probe of each matched row's labels (a LIMIT 1 subquery), not a semi-join, which at
        // 100k insights reads every insight's labels to keep a few hundred matches.
        var byText = await db.Insights.AsNoTracking()
            .Where(i => i.Status == InsightStatus.Active && i.SearchVector.Matches(EF.Functions.ToTsQuery("english", tsquery)))
            .Where(i => i.Taxonomy.Where(t => leafIds.Contains(t.Id)).Select(t => 1).FirstOrDefault() == 1)
            .Select(i => new { i.Id, Score = i.SearchVector.Rank(EF.Functions.ToTsQuery("english", tsquery)) })
            .OrderByDescending(r => r.Score).ThenBy(r => r.Id)
            .Take(pool)
            .ToListAsync(ct);
        var ranking = byText.Select(r => (r.Id, Score: (double)r.Score)).ToList();
        if (replay is null || explanation is null)
        {
            return ranking;
        }

        var replaced = replay.Condition + " " + explanation;
        var score = await db.Insights.Where(i => i.Id == replay.InsightId)
            .Select(i => EF.Functions.ToTsVector("english", replaced).Matches(EF.Functions.ToTsQuery("english", tsquery))
                ? (float?)EF.Functions.ToTsVector("english", replaced).Rank(EF.Functions.ToTsQuery("english", tsquery)) : null)
            .FirstOrDefaultAsync(ct);
        ranking.RemoveAll(t => t.Id == replay.InsightId);
        if (score is { } rank)
        {
            ranking.Add((replay.InsightId, rank));
        }

        return ranking.OrderByDescending(t => t.Score).ThenBy(t => t.Id).Take(pool).ToList();
    }

    private sealed record Labelling(RetrievalPrompts.Prompt Prompt, IReadOnlyList<RetrievalPrompts.Label> Shown, IReadOnlyList<long> NodeIds, IReadOnlyList<string>? Paths, string? Note);

    private sealed record Verdict(bool Applies, string Reason);

    /// <summary>
    /// The labelling prompt. A taxonomy whose label list passes the budget keeps the labels with the most active
    /// insights (the count is only queried then).
    /// </summary>
    private async Task<Labelling> LabelsAsync(RetrievalPrompts judge, string stage, string problemText, List<TaxonomyNode> leaves, TaxonomyTree tree, CancellationToken ct)
    {
        var labels = leaves.Select(n => tree.PathOf(n)).Zip(leaves, (p, n) => new RetrievalPrompts.Label(n.Id, p[0], p[1], p[2])).ToList();
        var prompt = judge.Labelling(stage, problemText, labels);
        if (prompt.Shown < labels.Count)
        {
            var leafIds = leaves.Select(n => n.Id).ToList();
            var counts = await db.Insights.AsNoTracking().Where(i => i.Status == InsightStatus.Active)
                .SelectMany(i => i.Taxonomy).Where(t => leafIds.Contains(t.Id))
                .GroupBy(t => t.Id).Select(g => new { g.Key, Count = g.Count() })
                .ToDictionaryAsync(g => g.Key, g => g.Count, ct);
            labels = labels.OrderByDescending(l => counts.GetValueOrDefault(l.NodeId)).ThenBy(l => l.NodeId).ToList();
            prompt = judge.Labelling(stage, problemText, labels);
        }

        return new Labelling(prompt, labels.Take(prompt.Shown).ToList(), [], null, null);
    }

    private static async Task<Labelling> LabelAsync(IChatModel model, Labelling labelling, string stage, int attempts, CancellationToken ct)
    {
        var call = new ModelCall(ModelRole.Base, "You classify optimization problems by modelling topic.", labelling.Prompt.Text, Json: true, Purpose: "retrieval labels");
        try
        {
            var reply = await JsonReplies.AskAsync<LabelReply>(model, call, r => r.Labels is null
                ? "it has no \"labels\" array"
                : r.Labels.Count > 0 && RetrievalPrompts.Match(r.Labels, labelling.Shown).Count == 0
                    ? $"none of {string.Join(", ", r.Labels.Take(6).Select(l => $"\"{l}\""))} is a label of the list"
                    : null, attempts, ct);
            var ids = RetrievalPrompts.Match(reply.Value.Labels!, labelling.Shown);
            var paths = labelling.Shown.Where(l => ids.Contains(l.NodeId)).Select(l => $"{l.Stage} / {l.Level1} / {l.Level2}").ToList();
            var note = paths.Count == 0
                ? "The model chose no taxonomy label for this problem."
                : $"The model labelled the problem ({stage} stage) with {paths.Count} label(s); insights filed under them are boosted.";
            return labelling with { NodeIds = [.. ids], Paths = paths, Note = note };
        }
        catch (ModelCallFailedException e)
        {
            return labelling with { Note = $"Taxonomy labelling failed, so there is no label boost: {e.Message}" };
        }
    }

    private static async Task<Dictionary<long, Verdict>> JudgeAsync(IChatModel model, RetrievalPrompts.Prompt prompt, HashSet<long> asked, int attempts, List<string> notes, CancellationToken ct)
    {
        var call = new ModelCall(ModelRole.Base, "You decide whether modelling advice applies to an optimization problem.", prompt.Text, Json: true, Purpose: "retrieval applicability");
        try
        {
            var reply = await JsonReplies.AskAsync<VerdictReply>(model, call, r => Problem(r, asked), attempts, ct);
            var verdicts = reply.Value.Verdicts!.ToDictionary(v => v.Id!.Value, v => new Verdict(v.Applies!.Value, v.Reason?.Trim() ?? string.Empty));
            notes.Add($"The model judged {verdicts.Count} candidate(s): {verdicts.Values.Count(v => v.Applies)} apply, {verdicts.Values.Count(v => !v.Applies)} do not and left the ranking.");
            return verdicts;
        }
        catch (ModelCallFailedException e)
        {
            notes.Add($"The applicability check failed, so the lexical ranking stands: {e.Message}");
            return [];
        }
    }

    /// <summary>What is wrong with a verdict reply, told back to the model on a re-ask; null when it is usable.</summary>
    private static string? Problem(VerdictReply reply, HashSet<long> asked)
    {
        if (reply.Verdicts is null)
        {
            return "it has no \"verdicts\" array";
        }

        var strangers = reply.Verdicts.Where(v => v.Id is not { } id || !asked.Contains(id)).Select(v => v.Id?.ToString(CultureInfo.InvariantCulture) ?? "null").ToList();
        if (strangers.Count > 0)
        {
            return $"the ids {string.Join(", ", strangers)} are not ids of the items";
        }

        if (reply.Verdicts.Any(v => v.Applies is null))
        {
            return "every verdict needs \"applies\": true or false";
        }

        var missing = asked.Except(reply.Verdicts.Select(v => v.Id!.Value)).Order().ToList();
        return missing.Count > 0 ? $"there is no verdict for the items {string.Join(", ", missing)}" : null;
    }

    private sealed record LabelReply(List<string>? Labels);

    private sealed record VerdictReply(List<VerdictItem>? Verdicts);

    private sealed record VerdictItem(long? Id, bool? Applies, string? Reason);

    /// <summary>Adds a reciprocal-rank term (rank counted from 0) to the insight's fused score.</summary>
    private static Scores Add(Dictionary<long, Scores> scores, long id, int rank, double weight = 1)
    {
        var s = scores.TryGetValue(id, out var found) ? found : scores[id] = new Scores();
        s.Fused += weight / (RrfK + rank + 1);
        return s;
    }

    private sealed class Scores
    {
        public double Fused { get; set; }

        public int? VectorRank { get; set; }

        public double? VectorSimilarity { get; set; }

        public int? TextRank { get; set; }

        public double? TextScore { get; set; }

        public int? LabelRank { get; set; }
    }

    /// <summary>
    /// Keeps the usage of every call, re-asks and failed attempts included, which a thrown failure would lose. The
    /// two calls of a retrieval run one after the other.
    /// </summary>
    private sealed class MeteredModel(IChatModel inner) : IChatModel
    {
        public List<ModelUsage> Usage { get; } = [];

        public bool IsConfigured => inner.IsConfigured;

        public async Task<ModelReply> CompleteAsync(ModelCall call, CancellationToken cancellationToken)
        {
            var reply = await inner.CompleteAsync(call, cancellationToken);
            Usage.Add(reply.Usage);
            return reply;
        }
    }

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }

        return na == 0 || nb == 0 ? 0 : dot / Math.Sqrt(na * nb);
    }
}
