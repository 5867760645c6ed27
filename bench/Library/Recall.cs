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
/// A labelled query: a problem at a stage, and what should (<see cref="Helpful"/>) or should not come back, either one
/// insight of the set's library (by its insight_id) or level-2 taxonomy labels.
/// </summary>
internal sealed record LabelledQuery(string Problem, string Stage, bool Helpful, long? InsightId, IReadOnlyList<string> Labels);

/// <summary>A labelled set: the library it adds (none: it queries the library as it stands) and its queries.</summary>
internal sealed record LabelledSet(string Name, AlphaOptDocument? Document, List<LabelledQuery> Queries, int Unmatched)
{
    /// <summary>
    /// A library in AlphaOPT's format and its tasks: from each insight's distribution, positive and unretrieved tasks
    /// are helpful pairs, negative ones misleading. A pair is queried at the insight's stage.
    /// </summary>
    public static LabelledSet Pairs(string name, string library, string taxonomy, IEnumerable<string> taskFiles)
    {
        var tasks = taskFiles.SelectMany(f => JsonNode.Parse(File.ReadAllText(f))!.AsArray())
            .Where(t => t?["task_id"] is not null && t["description"] is not null)
            .ToDictionary(t => t!["task_id"]!.GetValue<string>(), t => t!["description"]!.GetValue<string>());
        var document = JsonSerializer.Deserialize<AlphaOptDocument>(
            $"{{\"library\": {File.ReadAllText(library)}, \"taxonomy\": {File.ReadAllText(taxonomy)}}}")!;
        var queries = new List<LabelledQuery>();
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
                        queries.Add(new LabelledQuery(problem, stage, helpful, insight.InsightId, []));
                    }
                    else
                    {
                        unmatched++;
                    }
                }
            }
        }

        return new LabelledSet(name, document, queries, unmatched);
    }

    /// <summary>tests/OptLib.Tests/Library/RetrievalCases.json: each case's relevant labels (helpful) and irrelevant ones.</summary>
    public static LabelledSet Cases(string name, string path) => new(name, null,
    [
        .. JsonNode.Parse(File.ReadAllText(path))!.AsArray().SelectMany(c => new[] { ("relevant", true), ("irrelevant", false) }
            .Select(x => new LabelledQuery(c!["problem"]!.GetValue<string>(), c["stage"]!.GetValue<string>(), x.Item2, null,
                [.. c[x.Item1]!.AsArray().Select(l => TaxonomyLabels.Normalise(l!.GetValue<string>()))]))
            .Where(q => q.Labels.Count > 0)),
    ], 0);
}

/// <summary>
/// Recall of the model-free retrieval per embedding provider on labelled sets (see README.md, "Recall"). The
/// product's rankings come from <see cref="RetrieveInsightsHandler"/> on one database per provider; the rankings no
/// provider gives on its own (the kNN lists alone, and lexical + MiniLM kNN + full text fused) are fused here from
/// the same lists, and the bench checks that its own fusion reproduces the handler's for both providers.
/// </summary>
internal static class RecallBench
{
    private const int K = RetrieveInsights.MaxK;
    private const int RrfK = 60; // RetrieveInsightsHandler's constant
    private static readonly int[] Cutoffs = [5, 6, 10, 12, 20, 30, 50];

    /// <summary>A query as the first database answered it: its full-text list, the eligible insights, and how a ranking scores.</summary>
    private sealed record Query(LabelledQuery Labelled, List<long> Text, List<(long Id, string Text)> Eligible, Func<List<long>, int, double> Found);

    public static async Task RunAsync(AlphaOpt data, string paraphrases, string cases)
    {
        LabelledSet[] sets =
        [
            LabelledSet.Pairs("AlphaOPT's labelled pairs", data.Library, data.Taxonomy, Directory.GetFiles(Path.Combine(data.Directory, "tasks"), "*_train.json")),
            LabelledSet.Cases("RetrievalCases (labels, on AlphaOPT's library)", cases),
            LabelledSet.Pairs("paraphrase set", Path.Combine(paraphrases, "library.json"), Path.Combine(paraphrases, "taxonomy.json"), [Path.Combine(paraphrases, "paraphrase_train.json")]),
        ];
        var clock = Stopwatch.StartNew();
        var minilm = new MiniLmEmbedding();
        minilm.Embed("warm-up: loads the model");
        var loadMs = clock.Elapsed.TotalMilliseconds;
        IEmbeddingProvider[] providers = [new LexicalEmbedding(), minilm];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores; MiniLM loaded in {loadMs:F0} ms"));
        foreach (var set in sets)
        {
            Console.WriteLine($"{set.Name}: {set.Document?.Library!.Count ?? 0} insights added, {set.Queries.Count(p => p.Helpful)} helpful and {set.Queries.Count(p => !p.Helpful)} misleading queries ({set.Unmatched} pairs name no known task)");
        }

        var timing = await TimingAsync(providers, sets);

        // The product's ranking with each provider, through the handler, each on its own database. The first run also
        // keeps the full-text list and the eligible insights of every query for the fusions computed below.
        var product = new Dictionary<string, List<List<long>>[]>();
        List<Query>[]? queries = null;
        foreach (var provider in providers)
        {
            var name = ProviderName(provider);
            using var host = await BenchHost.StartAsync(name);
            var rankings = new List<List<long>>[sets.Length];
            var kept = new List<Query>[sets.Length];
            var ids = new Dictionary<long, long>();
            for (var s = 0; s < sets.Length; s++)
            {
                await using var scope = host.Services.CreateAsyncScope();
                if (sets[s].Document is { } document)
                {
                    ids = await BenchHost.ImportAsync(scope.ServiceProvider, document, sets[s].Name);
                }

                var known = ids; // this set's ids, for the closures below (a later set's import replaces ids)
                var db = scope.ServiceProvider.GetRequiredService<OptLibDbContext>();
                var labels = await db.Insights.AsNoTracking().Select(i => new { i.Id, Names = i.Taxonomy.Select(t => t.Name).ToList() })
                    .ToDictionaryAsync(i => i.Id, i => i.Names.Select(n => TaxonomyLabels.Normalise(n)).ToHashSet());
                var handler = new RetrieveInsightsHandler(db, scope.ServiceProvider.GetRequiredService<IEmbeddingProvider>(), new UnconfiguredChatModel(),
                    scope.ServiceProvider.GetRequiredService<PromptLibrary>(), scope.ServiceProvider.GetRequiredService<TextQuery>(),
                    scope.ServiceProvider.GetRequiredService<VectorIndex>(), scope.ServiceProvider.GetRequiredService<IOptions<RetrievalOptions>>());
                (rankings[s], kept[s]) = ([], []);
                foreach (var labelled in sets[s].Queries)
                {
                    var result = await handler.Handle(new RetrieveInsights(labelled.Problem, labelled.Stage, null, K), CancellationToken.None);
                    rankings[s].Add([.. result.Insights.Select(r => r.Insight.Id)]);
                    if (queries is null)
                    {
                        Func<List<long>, int, double> found = labelled.InsightId is { } insightId
                            ? (ranking, k) => ranking.Take(k).Contains(known[insightId]) ? 1 : 0
                            : (ranking, k) => labelled.Labels.Count(l => ranking.Take(k).Any(id => labels[id].Contains(l))) / (double)labelled.Labels.Count;
                        kept[s].Add(new Query(labelled, await TextListAsync(db, labelled), await EligibleAsync(db, labelled.Stage), found));
                    }
                }
            }

            product[name] = rankings;
            queries ??= kept;
            await host.StopAsync();
        }

        Console.WriteLine();
        Console.WriteLine("Embedding time, ms per text (mean over every insight text and every problem of the sets, after the warm-up)");
        Console.WriteLine("| provider | insight texts | problems |");
        Console.WriteLine("|---|---:|---:|");
        foreach (var (provider, (insightMs, problemMs)) in timing)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {provider} | {insightMs:F1} | {problemMs:F1} |"));
        }

        for (var s = 0; s < sets.Length; s++)
        {
            var vectors = providers.ToDictionary(ProviderName, p => Vectors(p, queries![s]));
            var fused = new (string Name, Func<Query, List<long>> Rank)[]
            {
                ("lexical kNN alone", q => Fuse(vectors["lexical"][q])),
                ("MiniLM kNN alone", q => Fuse(vectors["minilm"][q])),
                ("lexical kNN + full text (product, `lexical`)", q => Fuse(vectors["lexical"][q], q.Text)),
                ("MiniLM kNN + full text (product, `minilm`)", q => Fuse(vectors["minilm"][q], q.Text)),
                ("lexical kNN + MiniLM kNN", q => Fuse(vectors["lexical"][q], vectors["minilm"][q])),
                ("lexical kNN + MiniLM kNN + full text", q => Fuse(vectors["lexical"][q], vectors["minilm"][q], q.Text)),
            };

            Console.WriteLine();
            Console.WriteLine($"{sets[s].Name}: recall@k of what should come back; last column, the share of what should not that is in the top 10 (lower is better)");
            Console.WriteLine("| ranking | " + string.Join(" | ", Cutoffs.Select(c => $"@{c}")) + " | should not, @10 |");
            Console.WriteLine("|---|" + string.Concat(Cutoffs.Select(_ => "---:|")) + "---:|");
            foreach (var (name, rank) in fused)
            {
                Console.WriteLine(Row(name, [.. queries![s].Select(rank)], queries[s]));
            }

            foreach (var (provider, rankings) in product)
            {
                Console.WriteLine(Row($"handler, Embeddings:Provider={provider}", rankings[s], queries![s]));
            }

            foreach (var (provider, rankings) in product)
            {
                var agree = queries![s].Zip(rankings[s]).Count(p => Fuse(vectors[provider][p.First], p.First.Text).Take(K).SequenceEqual(p.Second));
                Console.WriteLine($"The bench's fusion reproduces the handler's ranking ({provider}) for {agree} of {rankings[s].Count} queries.");
            }

            if (sets[s].Document is { Library.Count: <= 40 } document)
            {
                Console.WriteLine();
                Console.WriteLine("Each pair's rank in the handler's ranking (– beyond 50)");
                Console.WriteLine("| insight | " + string.Join(" | ", product.Keys) + " |");
                Console.WriteLine("|---|" + string.Concat(product.Keys.Select(_ => "---:|")));
                for (var q = 0; q < queries![s].Count; q++)
                {
                    var entry = document.Library!.Single(i => i.InsightId == queries[s][q].Labelled.InsightId);
                    var ranks = product.Values.Select(r => Enumerable.Range(1, K).FirstOrDefault(k => queries[s][q].Found(r[s][q], k) > 0) is var k and > 0 ? k.ToString(CultureInfo.InvariantCulture) : "–");
                    Console.WriteLine($"| {entry.InsightId}. {entry.Taxonomy!.Values.Single().Values.Single().Single()} | {string.Join(" | ", ranks)} |");
                }
            }
        }
    }

    private static string ProviderName(IEmbeddingProvider provider) => provider is MiniLmEmbedding ? EmbeddingOptions.MiniLm : EmbeddingOptions.Lexical;

    private static string Row(string name, List<List<long>> rankings, List<Query> queries)
    {
        double Mean(bool helpful, int k) => queries.Select((q, i) => (q, i)).Where(x => x.q.Labelled.Helpful == helpful).Select(x => x.q.Found(rankings[x.i], k)).DefaultIfEmpty(double.NaN).Average();
        var recall = Cutoffs.Select(k => string.Create(CultureInfo.InvariantCulture, $"{Mean(true, k):F2}"));
        var misled = Mean(false, 10) is var m && double.IsNaN(m) ? "–" : string.Create(CultureInfo.InvariantCulture, $"{m:F2}");
        return $"| {name} | {string.Join(" | ", recall)} | {misled} |";
    }

    /// <summary>Mean ms per text for each provider, embedding one text at a time as the service does.</summary>
    private static async Task<List<(string Provider, (double InsightMs, double ProblemMs))>> TimingAsync(IEnumerable<IEmbeddingProvider> providers, LabelledSet[] sets)
    {
        var insights = sets.SelectMany(s => s.Document?.Library ?? []).Select(i => i.Condition + "\n" + i.Explanation).ToList();
        var problems = sets.SelectMany(s => s.Queries).Select(p => p.Problem).Distinct().ToList();
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

    /// <summary>Each query's eligible insights ranked by cosine similarity to the problem (exact, as the handler's in-process index is).</summary>
    private static Dictionary<Query, List<long>> Vectors(IEmbeddingProvider provider, List<Query> queries)
    {
        var cache = new Dictionary<string, float[]>(StringComparer.Ordinal);
        float[] Embed(string text) => cache.TryGetValue(text, out var v) ? v : cache[text] = provider.EmbedAsync(text, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        return queries.ToDictionary(q => q, q =>
        {
            var problem = Embed(q.Labelled.Problem);
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
    private static async Task<List<long>> TextListAsync(OptLibDbContext db, LabelledQuery query)
    {
        var words = LexicalEmbedding.Tokens(query.Problem).Where(w => w.All(char.IsAsciiLetterOrDigit)).Distinct().Take(200).ToList();
        if (words.Count == 0)
        {
            return [];
        }

        var tsquery = string.Join(" | ", words);
        return await Eligible(db, await LeavesAsync(db, query.Stage))
            .Where(i => i.SearchVector.Matches(EF.Functions.ToTsQuery("english", tsquery)))
            .Select(i => new { i.Id, Score = i.SearchVector.Rank(EF.Functions.ToTsQuery("english", tsquery)) })
            .OrderByDescending(r => r.Score).ThenBy(r => r.Id)
            .Take(Math.Max(50, K * 5))
            .Select(r => r.Id)
            .ToListAsync();
    }
}
