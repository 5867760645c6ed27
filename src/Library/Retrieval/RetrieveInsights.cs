using Mediator;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Insights;
using OptLib.Library.Storage;
using OptLib.Library.Taxonomy;
using OptLib.Library.Validation;
using Pgvector;
using Pgvector.EntityFrameworkCore;

namespace OptLib.Library.Retrieval;

/// <summary>
/// Candidate insights for a problem, without a model: pgvector kNN on the HNSW index and Postgres full-text search,
/// fused by reciprocal-rank fusion. Only active insights whose stage fits the request are candidates.
/// </summary>
public sealed record RetrieveInsights(string Problem, string Stage, string? Formulation, int K = 8, ConditionOverride? Override = null) : IRequest<RetrievalResult>, IValidatable
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

        if (K is < 1 or > MaxK)
        {
            yield return (nameof(K), $"k is between 1 and {MaxK}.");
        }
    }
}

/// <summary>Every score behind a ranking, so the admin UI and the attempt record can show why an insight was chosen.</summary>
public sealed record RetrievedInsight(
    InsightDto Insight,
    int Rank,
    double FusedScore,
    int? VectorRank,
    double? VectorSimilarity,
    int? TextRank,
    double? TextScore,
    bool? ModelApplies,
    string? ModelReason);

/// <summary>Replays retrieval as if one insight had another condition (library evolution scores candidate conditions).</summary>
public sealed record ConditionOverride(long InsightId, string Condition);

public sealed record RetrievalResult(string Stage, string EmbeddingModel, int Candidates, IReadOnlyList<RetrievedInsight> Insights);

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

public sealed class RetrieveInsightsHandler(OptLibDbContext db, IEmbeddingProvider embeddings) : IRequestHandler<RetrieveInsights, RetrievalResult>
{
    /// <summary>The usual RRF constant: ranks beyond the first few differ little.</summary>
    private const int RrfK = 60;

    public async ValueTask<RetrievalResult> Handle(RetrieveInsights request, CancellationToken cancellationToken)
    {
        var text = string.IsNullOrWhiteSpace(request.Formulation) ? request.Problem : request.Problem + "\n" + request.Formulation;
        var tree = await TaxonomyTree.LoadAsync(db, cancellationToken);
        var stages = RetrievalStages.Stages(request.Stage)!.Select(TaxonomyLabels.Normalise).ToHashSet();
        var leaves = tree.Nodes.Where(n => n.Depth == 2 && stages.Contains(TaxonomyLabels.Normalise(tree.PathOf(n)[0]))).Select(n => n.Id).ToList();
        var pool = Math.Max(50, request.K * 5);

        var eligible = db.Insights.AsNoTracking()
            .Where(i => i.Status == InsightStatus.Active && i.Taxonomy.Any(t => leaves.Contains(t.Id)));

        var query = new Vector(await embeddings.EmbedAsync(text, cancellationToken));
        // Vectors of another model are not comparable; during a re-embed they wait for their turn.
        var model = embeddings.ModelId;
        var byVector = await eligible.Where(i => i.Embedding != null && i.EmbeddingModel == model)
            .OrderBy(i => i.Embedding!.CosineDistance(query)) // ORDER BY embedding <=> @q: the HNSW index serves it
            .Take(pool)
            .Select(i => new { i.Id, Distance = i.Embedding!.CosineDistance(query) })
            .ToListAsync(cancellationToken);
        var overridden = request.Override is { } o ? await eligible.Where(i => i.Id == o.InsightId).Select(i => i.Explanation).FirstOrDefaultAsync(cancellationToken) : null;
        if (overridden is not null)
        {
            var vector = await embeddings.EmbedAsync(request.Override!.Condition + "\n" + overridden, cancellationToken);
            byVector.RemoveAll(v => v.Id == request.Override.InsightId);
            byVector.Add(new { Id = request.Override.InsightId, Distance = 1 - Cosine(query.ToArray(), vector) });
            byVector = byVector.OrderBy(v => v.Distance).ThenBy(v => v.Id).Take(pool).ToList();
        }

        var byText = new List<(long Id, double Score)>();
        if (OrQuery(text) is { } tsquery)
        {
            var rows = await eligible
                .Where(i => i.SearchVector.Matches(EF.Functions.ToTsQuery("english", tsquery)))
                .Select(i => new { i.Id, Score = i.SearchVector.Rank(EF.Functions.ToTsQuery("english", tsquery)) })
                .OrderByDescending(r => r.Score).ThenBy(r => r.Id)
                .Take(pool)
                .ToListAsync(cancellationToken);
            byText = rows.Select(r => (r.Id, (double)r.Score)).ToList();
            if (overridden is not null)
            {
                var id = request.Override!.InsightId;
                var replaced = request.Override.Condition + " " + overridden;
                var score = await db.Insights.Where(i => i.Id == id)
                    .Select(i => EF.Functions.ToTsVector("english", replaced).Matches(EF.Functions.ToTsQuery("english", tsquery))
                        ? (float?)EF.Functions.ToTsVector("english", replaced).Rank(EF.Functions.ToTsQuery("english", tsquery)) : null)
                    .FirstOrDefaultAsync(cancellationToken);
                byText.RemoveAll(t => t.Id == id);
                if (score is { } rank)
                {
                    byText.Add((id, rank));
                }

                byText = byText.OrderByDescending(t => t.Score).ThenBy(t => t.Id).Take(pool).ToList();
            }
        }

        var fused = new Dictionary<long, (double Fused, int? VRank, double? VSim, int? TRank, double? TScore)>();
        for (var r = 0; r < byVector.Count; r++)
        {
            var e = fused.GetValueOrDefault(byVector[r].Id);
            fused[byVector[r].Id] = (e.Fused + 1.0 / (RrfK + r + 1), r + 1, 1 - byVector[r].Distance, e.TRank, e.TScore);
        }

        for (var r = 0; r < byText.Count; r++)
        {
            var e = fused.GetValueOrDefault(byText[r].Id);
            fused[byText[r].Id] = (e.Fused + 1.0 / (RrfK + r + 1), e.VRank, e.VSim, r + 1, byText[r].Score);
        }

        var top = fused.OrderByDescending(f => f.Value.Fused).ThenBy(f => f.Key).Take(request.K).ToList();
        var ids = top.Select(t => t.Key).ToList();
        var insights = await db.Insights.AsNoTracking().Include(i => i.Taxonomy).Where(i => ids.Contains(i.Id)).ToDictionaryAsync(i => i.Id, cancellationToken);
        var ranked = top.Select((t, index) => new RetrievedInsight(InsightDto.From(insights[t.Key], tree), index + 1, t.Value.Fused,
            t.Value.VRank, t.Value.VSim, t.Value.TRank, t.Value.TScore, null, null)).ToList();
        return new RetrievalResult(request.Stage.Trim().ToLowerInvariant(), embeddings.ModelId, fused.Count, ranked);
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

    /// <summary>
    /// An OR of the problem's words: a whole problem statement as an AND (plainto_tsquery) matches nothing. Words are
    /// reduced to letters and digits, so nothing the client wrote can break the tsquery syntax.
    /// </summary>
    private static string? OrQuery(string text)
    {
        var words = LexicalEmbedding.Tokens(text).Where(w => w.All(char.IsAsciiLetterOrDigit)).Distinct().Take(200).ToList();
        return words.Count == 0 ? null : string.Join(" | ", words);
    }
}
