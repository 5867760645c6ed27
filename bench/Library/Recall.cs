using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OptLib.Library.Insights;
using OptLib.Library.Interchange;
using OptLib.Library.Models;
using OptLib.Library.Prompts;
using OptLib.Library.Retrieval;
using OptLib.Library.Storage;
using OptLib.Library.Taxonomy;

namespace OptLib.Library.Bench;

/// <summary>
/// A (problem, insight) pair of a library in AlphaOPT's format: from its distribution, positive and unretrieved tasks
/// are helpful (the insight should be found), negative ones misleading. The pair is queried at the insight's stage.
/// </summary>
internal sealed record LabelledPair(string Problem, string Stage, long InsightId, bool Helpful);

/// <summary>A library file, its tasks, and the labelled pairs its distribution gives.</summary>
internal sealed record LabelledSet(string Name, AlphaOptDocument Document, List<LabelledPair> Pairs, int Unmatched)
{
    public static LabelledSet Read(string name, string library, string taxonomy, IEnumerable<string> taskFiles)
    {
        var tasks = taskFiles.SelectMany(f => JsonNode.Parse(File.ReadAllText(f))!.AsArray())
            .Where(t => t?["task_id"] is not null && t["description"] is not null)
            .ToDictionary(t => t!["task_id"]!.GetValue<string>(), t => t!["description"]!.GetValue<string>());
        var document = JsonSerializer.Deserialize<AlphaOptDocument>(
            $"{{\"library\": {File.ReadAllText(library)}, \"taxonomy\": {File.ReadAllText(taxonomy)}}}")!;
        var pairs = new List<LabelledPair>();
        var unmatched = 0;
        foreach (var insight in document.Library!)
        {
            var stage = insight.Taxonomy!.Keys.Any(s => TaxonomyLabels.Normalise(s) == TaxonomyLabels.Normalise("Code Implementation")) ? "program" : "formulation";
            var d = insight.Distribution!;
            // Lists, not sets, as the distribution counts them (5 of AlphaOPT's tasks are both positive and unretrieved).
            foreach (var (ids, helpful) in new[] { ((d.Positive ?? []).Concat(d.Unretrieved ?? []), true), (d.Negative ?? [], false) })
            {
                foreach (var id in ids)
                {
                    if (tasks.TryGetValue(id, out var problem))
                    {
                        pairs.Add(new LabelledPair(problem, stage, insight.InsightId, helpful));
                    }
                    else
                    {
                        unmatched++;
                    }
                }
            }
        }

        return new LabelledSet(name, document, pairs, unmatched);
    }
}

/// <summary>
/// Recall of the model-free retrieval per embedding provider on labelled pairs (see README.md, "Recall"). The
/// product's rankings come from <see cref="RetrieveInsightsHandler"/> on one database per provider; the rankings no
/// provider gives on its own (the kNN lists alone, and lexical + MiniLM kNN + full text fused) are fused here from
/// the same lists, and the bench checks that its own fusion reproduces the handler's for both providers.
/// </summary>
internal static class RecallBench
{
    private const int K = RetrieveInsights.MaxK;
    private const int RrfK = 60; // RetrieveInsightsHandler's constant
    private static readonly int[] Cutoffs = [6, 10, 12, 20, 30, 50];

    private sealed record Query(LabelledPair Pair, long TargetId, List<long> Text, List<(long Id, string Text)> Eligible);

    public static async Task RunAsync(AlphaOpt data, string paraphrases)
    {
        LabelledSet[] sets =
        [
            LabelledSet.Read("AlphaOPT's labelled pairs", data.Library, data.Taxonomy, Directory.GetFiles(Path.Combine(data.Directory, "tasks"), "*_train.json")),
            LabelledSet.Read("paraphrase set", Path.Combine(paraphrases, "library.json"), Path.Combine(paraphrases, "taxonomy.json"), [Path.Combine(paraphrases, "paraphrase_train.json")]),
        ];
        var clock = Stopwatch.StartNew();
        var minilm = new MiniLmEmbedding();
        minilm.Embed("warm-up: loads the model");
        var loadMs = clock.Elapsed.TotalMilliseconds;
        IEmbeddingProvider[] providers = [new LexicalEmbedding(), minilm];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores; MiniLM loaded in {loadMs:F0} ms"));
        foreach (var set in sets)
        {
            Console.WriteLine($"{set.Name}: {set.Document.Library!.Count} insights, {set.Pairs.Count(p => p.Helpful)} helpful and {set.Pairs.Count(p => !p.Helpful)} misleading pairs ({set.Unmatched} name no known task)");
        }

        var timing = await TimingAsync(providers, sets);

        // The product's ranking with each provider, through the handler, each on its own database. The first run also
        // keeps the full-text list and the eligible insights of every query for the fusions computed below.
        var product = new Dictionary<string, List<int?>[]>();
        List<Query>[]? queries = null;
        foreach (var provider in providers)
        {
            var name = ProviderName(provider);
            using var host = await BenchHost.StartAsync(name);
            var ranks = new List<int?>[sets.Length];
            var kept = new List<Query>[sets.Length];
            for (var s = 0; s < sets.Length; s++)
            {
                await using var scope = host.Services.CreateAsyncScope();
                var ids = await BenchHost.ImportAsync(scope.ServiceProvider, sets[s].Document, sets[s].Name);
                var db = scope.ServiceProvider.GetRequiredService<OptLibDbContext>();
                var handler = new RetrieveInsightsHandler(db, scope.ServiceProvider.GetRequiredService<IEmbeddingProvider>(), new UnconfiguredChatModel(),
                    scope.ServiceProvider.GetRequiredService<PromptLibrary>(), scope.ServiceProvider.GetRequiredService<IOptions<RetrievalOptions>>());
                (ranks[s], kept[s]) = ([], []);
                foreach (var pair in sets[s].Pairs)
                {
                    var target = ids[pair.InsightId];
                    var result = await handler.Handle(new RetrieveInsights(pair.Problem, pair.Stage, null, K), CancellationToken.None);
                    var at = result.Insights.ToList().FindIndex(r => r.Insight.Id == target);
                    ranks[s].Add(at < 0 ? null : at + 1);
                    if (queries is null)
                    {
                        kept[s].Add(new Query(pair, target, await TextListAsync(db, pair), await EligibleAsync(db, pair.Stage)));
                    }
                }
            }

            product[name] = ranks;
            queries ??= kept;
            await host.StopAsync();
        }

        Console.WriteLine();
        Console.WriteLine("Embedding time, ms per text (mean over every insight text and every problem of both sets, after the warm-up)");
        Console.WriteLine("| provider | insight texts | problems |");
        Console.WriteLine("|---|---:|---:|");
        foreach (var (provider, (insightMs, problemMs)) in timing)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {provider} | {insightMs:F1} | {problemMs:F1} |"));
        }

        for (var s = 0; s < sets.Length; s++)
        {
            var vectors = providers.ToDictionary(ProviderName, p => Vectors(p, queries![s]));
            var rankings = new (string Name, Func<Query, List<long>> Rank)[]
            {
                ("lexical kNN alone", q => Fuse(vectors["lexical"][q])),
                ("MiniLM kNN alone", q => Fuse(vectors["minilm"][q])),
                ("lexical kNN + full text (product, `lexical`)", q => Fuse(vectors["lexical"][q], q.Text)),
                ("MiniLM kNN + full text (product, `minilm`)", q => Fuse(vectors["minilm"][q], q.Text)),
                ("lexical kNN + MiniLM kNN", q => Fuse(vectors["lexical"][q], vectors["minilm"][q])),
                ("lexical kNN + MiniLM kNN + full text", q => Fuse(vectors["lexical"][q], vectors["minilm"][q], q.Text)),
            };

            Console.WriteLine();
            Console.WriteLine($"{sets[s].Name}: recall@k of the helpful pairs; last column, the share of misleading pairs in the top 10 (lower is better)");
            Console.WriteLine("| ranking | " + string.Join(" | ", Cutoffs.Select(c => $"@{c}")) + " | misleading@10 |");
            Console.WriteLine("|---|" + string.Concat(Cutoffs.Select(_ => "---:|")) + "---:|");
            foreach (var (name, rank) in rankings)
            {
                var ranks = queries![s].Select(q => rank(q).IndexOf(q.TargetId) is var i and >= 0 ? i + 1 : (int?)null).ToList();
                Console.WriteLine(Row(name, ranks, queries[s]));
            }

            if (queries![s].Count <= 40)
            {
                Console.WriteLine();
                Console.WriteLine("Each pair's rank in the handler's ranking (– beyond 50)");
                Console.WriteLine("| insight | " + string.Join(" | ", product.Keys) + " |");
                Console.WriteLine("|---|" + string.Concat(product.Keys.Select(_ => "---:|")));
                for (var q = 0; q < queries[s].Count; q++)
                {
                    var label = sets[s].Document.Library!.Single(i => i.InsightId == queries[s][q].Pair.InsightId).Taxonomy!.Values.Single().Values.Single().Single();
                    Console.WriteLine($"| {queries[s][q].Pair.InsightId}. {label} | " + string.Join(" | ", product.Values.Select(r => r[s][q]?.ToString(CultureInfo.InvariantCulture) ?? "–")) + " |");
                }
            }

            foreach (var (provider, ranks) in product)
            {
                Console.WriteLine(Row($"handler, Embeddings:Provider={provider}", ranks[s], queries![s]));
                var fused = queries[s].Select(q => Fuse(vectors[provider][q], q.Text).IndexOf(q.TargetId) is var i and >= 0 && i < K ? i + 1 : (int?)null).ToList();
                Console.WriteLine($"  the bench's fusion agrees with the handler on {fused.Zip(ranks[s]).Count(p => p.First == p.Second)} of {fused.Count} ranks");
            }
        }
    }

    private static string ProviderName(IEmbeddingProvider provider) => provider is MiniLmEmbedding ? EmbeddingOptions.MiniLm : EmbeddingOptions.Lexical;

    private static string Row(string name, List<int?> ranks, List<Query> queries)
    {
        var helpful = ranks.Where((_, i) => queries[i].Pair.Helpful).ToList();
        var misleading = ranks.Where((_, i) => !queries[i].Pair.Helpful).ToList();
        var recall = Cutoffs.Select(c => string.Create(CultureInfo.InvariantCulture, $"{helpful.Count(r => r <= c) / (double)helpful.Count:F2}"));
        var misled = misleading.Count == 0 ? "–" : string.Create(CultureInfo.InvariantCulture, $"{misleading.Count(r => r <= 10) / (double)misleading.Count:F2}");
        return $"| {name} | {string.Join(" | ", recall)} | {misled} |";
    }

    /// <summary>Mean ms per text for each provider, embedding one text at a time as the service does.</summary>
    private static async Task<List<(string Provider, (double InsightMs, double ProblemMs))>> TimingAsync(IEnumerable<IEmbeddingProvider> providers, LabelledSet[] sets)
    {
        var insights = sets.SelectMany(s => s.Document.Library!).Select(i => i.Condition + "\n" + i.Explanation).ToList();
        var problems = sets.SelectMany(s => s.Pairs).Select(p => p.Problem).Distinct().ToList();
        var rows = new List<(string, (double, double))>();
        foreach (var provider in providers)
        {
            await provider.EmbedAsync(problems[0], CancellationToken.None);
            var ms = new List<double>();
            foreach (var texts in new[] { insights, problems })
            {
                var clock = Stopwatch.StartNew();
                foreach (var text in texts)
                {
                    await provider.EmbedAsync(text, CancellationToken.None);
                }

                ms.Add(clock.Elapsed.TotalMilliseconds / texts.Count);
            }

            rows.Add((ProviderName(provider), (ms[0], ms[1])));
        }

        return rows;
    }

    /// <summary>Each query's eligible insights ranked by cosine similarity to the problem (exact; the handler's HNSW scan at ef_search 200 is exact at this size).</summary>
    private static Dictionary<Query, List<long>> Vectors(IEmbeddingProvider provider, List<Query> queries)
    {
        var cache = new Dictionary<string, float[]>(StringComparer.Ordinal);
        float[] Embed(string text) => cache.TryGetValue(text, out var v) ? v : cache[text] = provider.EmbedAsync(text, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        return queries.ToDictionary(q => q, q =>
        {
            var problem = Embed(q.Pair.Problem);
            return q.Eligible.Select(e => (e.Id, Similarity: Embed(e.Text).Zip(problem, (a, b) => (double)a * b).Sum()))
                .OrderByDescending(e => e.Similarity).ThenBy(e => e.Id).Select(e => e.Id).ToList();
        });
    }

    /// <summary>Reciprocal-rank fusion with the handler's constant and tie-break (score, then id).</summary>
    private static List<long> Fuse(params List<long>[] lists)
    {
        var scores = new Dictionary<long, double>();
        foreach (var list in lists)
        {
            for (var r = 0; r < list.Count; r++)
            {
                scores[list[r]] = scores.GetValueOrDefault(list[r]) + 1.0 / (RrfK + r + 1);
            }
        }

        return scores.OrderByDescending(s => s.Value).ThenBy(s => s.Key).Select(s => s.Key).ToList();
    }

    private static IQueryable<Insight> Eligible(OptLibDbContext db, List<long> leafIds) =>
        db.Insights.AsNoTracking().Where(i => i.Status == InsightStatus.Active && i.Taxonomy.Any(t => leafIds.Contains(t.Id)));

    private static async Task<List<long>> LeavesAsync(OptLibDbContext db, string stage)
    {
        var tree = await TaxonomyTree.LoadAsync(db, CancellationToken.None);
        var stages = RetrievalStages.Stages(stage)!.Select(TaxonomyLabels.Normalise).ToHashSet();
        return tree.Nodes.Where(n => n.Depth == 2 && stages.Contains(TaxonomyLabels.Normalise(tree.PathOf(n)[0]))).Select(n => n.Id).ToList();
    }

    private static async Task<List<(long, string)>> EligibleAsync(OptLibDbContext db, string stage) =>
        (await Eligible(db, await LeavesAsync(db, stage)).ToListAsync()).Select(i => (i.Id, InsightEmbedding.TextOf(i))).ToList();

    /// <summary>The handler's full-text list: an OR of the problem's words, ranked by ts_rank, ties by id.</summary>
    private static async Task<List<long>> TextListAsync(OptLibDbContext db, LabelledPair pair)
    {
        var words = LexicalEmbedding.Tokens(pair.Problem).Where(w => w.All(char.IsAsciiLetterOrDigit)).Distinct().Take(200).ToList();
        if (words.Count == 0)
        {
            return [];
        }

        var tsquery = string.Join(" | ", words);
        return await Eligible(db, await LeavesAsync(db, pair.Stage))
            .Where(i => i.SearchVector.Matches(EF.Functions.ToTsQuery("english", tsquery)))
            .Select(i => new { i.Id, Score = i.SearchVector.Rank(EF.Functions.ToTsQuery("english", tsquery)) })
            .OrderByDescending(r => r.Score).ThenBy(r => r.Id)
            .Take(Math.Max(50, K * 5))
            .Select(r => r.Id)
            .ToListAsync();
    }
}
