using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OptLib.Library.Interchange;
using OptLib.Library.Models;
using OptLib.Library.Prompts;
using OptLib.Library.Retrieval;
using OptLib.Library.Storage;
using OptLib.Library.Taxonomy;

namespace OptLib.Library.Bench;

/// <summary>
/// What retrieval reaches with a perfect judge (see README.md, "A perfect judge"), on AlphaOPT's 139 insights and
/// again with synthetic distractors added: the share of AlphaOPT's helpful (task, insight) pairs in the final top 6,
/// the share of its misleading ones, and the prompt tokens of each retrieval. The pairs and the judge are those of
/// JudgedRetrievalTests, which pins the 139-insight figure.
/// </summary>
internal static partial class JudgedBench
{
    private const int K = 6;

    private sealed record Pair(string Task, long Insight, string Stage, bool Helpful);

    public static async Task RunAsync(AlphaOpt data, string provider, int distractors, bool clones)
    {
        using var host = await BenchHost.StartAsync(provider);
        var document = JsonSerializer.Deserialize<AlphaOptDocument>($"{{\"library\": {File.ReadAllText(data.Library)}, \"taxonomy\": {File.ReadAllText(data.Taxonomy)}}}")!;
        Dictionary<long, long> ids;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            ids = await BenchHost.ImportAsync(scope.ServiceProvider, document, "bench");
        }

        var tasks = Directory.GetFiles(Path.Combine(data.Directory, "tasks"), "*.json")
            .SelectMany(f => JsonNode.Parse(File.ReadAllText(f))!.AsArray())
            .ToDictionary(t => t!["task_id"]!.GetValue<string>(), t => t!["description"]!.GetValue<string>());
        var pairs = Pairs(document);
        Console.WriteLine($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, Embeddings:Provider={provider}; {pairs.Count(p => p.Helpful)} helpful and {pairs.Count(p => !p.Helpful)} misleading pairs, k = {K}");
        var rows = new List<string> { await MeasureAsync(host, ids, pairs, tasks) };
        Console.WriteLine(rows[^1]);
        if (distractors > 0)
        {
            var generator = await SyntheticInsights.FromLibraryAsync(host.Services, data.Problems());
            var (insert, index) = await generator.AddAsync(host.Services, distractors, new Random(distractors), clones);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"added {distractors} {(clones ? "paraphrases of AlphaOPT's insights" : "distractors")} in {insert:F0} s (embedding included) + {index:F0} s of index build"));
            rows.Add(await MeasureAsync(host, ids, pairs, tasks));
            Console.WriteLine(rows[^1]);

            // The kNN list at this size with this provider's vectors, against the exact scan.
            await using var scope = host.Services.CreateAsyncScope();
            Console.WriteLine(ScaleBench.Header);
            Console.WriteLine(await ScaleBench.MeasureAsync(scope.ServiceProvider, data.Problems(), distractors + 139, 50));
        }

        Console.WriteLine();
        Console.WriteLine("| insights | helpful in top 6 | misleading in top 6 | prompt tokens mean | max | candidates judged (min to max, mean) |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
        rows.ForEach(Console.WriteLine);
        await host.StopAsync();
    }

    private static async Task<string> MeasureAsync(IHost host, Dictionary<long, long> ids, List<Pair> pairs, Dictionary<string, string> tasks)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<OptLibDbContext>();
        var tree = await TaxonomyTree.LoadAsync(db, CancellationToken.None);
        var labelsOf = (await db.Insights.AsNoTracking().Where(i => ids.Values.Contains(i.Id)).Select(i => new { i.Id, Nodes = i.Taxonomy.ToList() }).ToListAsync())
            .ToDictionary(i => i.Id, i => i.Nodes.Select(n => tree.PathOf(n)).Select(p => $"{p[1]} / {p[2]}").ToList());
        var judge = new PerfectJudge();
        var handler = new RetrieveInsightsHandler(db, services.GetRequiredService<IEmbeddingProvider>(), judge,
            services.GetRequiredService<PromptLibrary>(), services.GetRequiredService<TextQuery>(), services.GetRequiredService<VectorIndex>(), services.GetRequiredService<IOptions<RetrievalOptions>>());
        var size = await db.Insights.CountAsync();

        int helpfulFound = 0, misleadingFound = 0;
        var (tokens, judged) = (new List<int>(), new List<int>());
        foreach (var query in pairs.GroupBy(p => (p.Task, p.Stage)).OrderBy(g => g.Key.Task, StringComparer.Ordinal).ThenBy(g => g.Key.Stage, StringComparer.Ordinal))
        {
            judge.Helpful = query.Where(p => p.Helpful).Select(p => ids[p.Insight]).ToHashSet();
            judge.Labels = [.. judge.Helpful.SelectMany(id => labelsOf[id]).Distinct()];
            var result = await handler.Handle(new RetrieveInsights(tasks[query.Key.Task], query.Key.Stage, null, K), CancellationToken.None);
            var top = result.Insights.Select(r => r.Insight.Id).ToHashSet();
            helpfulFound += query.Count(p => p.Helpful && top.Contains(ids[p.Insight]));
            misleadingFound += query.Count(p => !p.Helpful && top.Contains(ids[p.Insight]));
            tokens.Add(result.Prompts!.Sum(p => p.Tokens));
            judged.Add(result.Prompts!.Single(p => p.Purpose == "applicability").Shown);
        }

        var (helpful, misleading) = (pairs.Count(p => p.Helpful), pairs.Count(p => !p.Helpful));
        return string.Create(CultureInfo.InvariantCulture,
            $"| {size:N0} | {helpfulFound}/{helpful} = {(double)helpfulFound / helpful:F3} | {misleadingFound}/{misleading} = {(double)misleadingFound / misleading:F3} | {tokens.Average():N0} | {tokens.Max():N0} | {judged.Min()} to {judged.Max()}, {judged.Average():F0} |");
    }

    /// <summary>
    /// The labelled pairs as JudgedRetrievalTests counts them: helpful when the task is among the insight's positive or
    /// unretrieved tasks, misleading when only among its negative ones.
    /// </summary>
    private static List<Pair> Pairs(AlphaOptDocument document) => [.. document.Library!.SelectMany(insight =>
    {
        var stage = insight.Taxonomy!.Keys.Any(s => TaxonomyLabels.Normalise(s) == TaxonomyLabels.Normalise("Code Implementation")) ? "program" : "formulation";
        var d = insight.Distribution!;
        var helpful = (d.Positive ?? []).Concat(d.Unretrieved ?? []).ToHashSet();
        return helpful.Select(t => new Pair(t, insight.InsightId, stage, true))
            .Concat((d.Negative ?? []).Distinct().Except(helpful).Select(t => new Pair(t, insight.InsightId, stage, false)));
    })];

    /// <summary>Labels a problem with the helpful insights' labels, and says "applies" for exactly the helpful insights.</summary>
    private sealed partial class PerfectJudge : IChatModel
    {
        public HashSet<long> Helpful { get; set; } = [];

        public List<string> Labels { get; set; } = [];

        public bool IsConfigured => true;

        public Task<ModelReply> CompleteAsync(ModelCall call, CancellationToken cancellationToken)
        {
            var text = call.Purpose == "retrieval labels"
                ? "{\"labels\": [" + string.Join(", ", Labels.Select(l => JsonSerializer.Serialize(l))) + "]}"
                : "{\"verdicts\": [" + string.Join(", ", ItemIds().Matches(call.User).Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))
                    .Select(id => $$"""{"id": {{id}}, "applies": {{(Helpful.Contains(id) ? "true" : "false")}}, "reason": "perfect judge"}""")) + "]}";
            return Task.FromResult(new ModelReply(text, new ModelUsage("bench", call.Purpose, PromptTokens.Count(call.User), 0, 0, "ok", 0m)));
        }

        [GeneratedRegex(@"^\[(\d+)\] ", RegexOptions.Multiline)]
        private static partial Regex ItemIds();
    }
}
