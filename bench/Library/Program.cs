using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OptLib.Library.Bench;
using OptLib.Library.Insights;
using OptLib.Library.Interchange;
using OptLib.Library.Models;
using OptLib.Library.Prompts;
using OptLib.Library.Retrieval;
using OptLib.Library.Storage;
using OptLib.Library.Taxonomy;
using Pgvector;
using Pgvector.EntityFrameworkCore;

// The library at growing sizes on the embedded database (PGlite + pgvector, in memory): AlphaOPT's 139 insights, then
// synthetic insights written from AlphaOPT's own text, so their lexical embeddings look like real ones. At each size:
// the retrieval prompts in o200k tokens next to AlphaOPT's scheme, and kNN latency with and without the HNSW index
// with HNSW's recall@10. See README.md. Usage: dotnet run -c Release --project bench/Library [-- 139 1000 10000 100000]
if (args is ["recall", ..])
{
    await RecallBench.RunAsync(AlphaOpt.Find(), AlphaOpt.Above("tests/OptLib.Tests/Fixtures/paraphrases"),
        Path.Combine(AlphaOpt.Above("tests/OptLib.Tests/Library"), "RetrievalCases.json"));
    return;
}

var sizes = args.Length > 0 ? args.Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [139, 1000, 10000, 100000];
const int Queries = 50;
const int HandlerQueries = 20;
const int TokenProblems = 20;
int[] efSearches = [40, 100, 200];
var data = AlphaOpt.Find();
var lexical = new LexicalEmbedding();
Console.WriteLine($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, embedding {lexical.ModelId} ({lexical.Dimensions} dimensions), HNSW m=16 ef_construction=64");

using var host = await BenchHost.StartAsync();
await using (var scope = host.Services.CreateAsyncScope())
{
    var imported = await BenchHost.ImportAsync(scope.ServiceProvider, JsonSerializer.Deserialize<AlphaOptDocument>(
        $"{{\"library\": {File.ReadAllText(data.Library)}, \"taxonomy\": {File.ReadAllText(data.Taxonomy)}}}")!, "bench");
    Console.WriteLine($"imported AlphaOPT's library: {imported.Count} insights");
}

var problems = data.Problems();
var generator = await SyntheticInsights.FromLibraryAsync(host.Services, problems);
var tokenRows = new List<string>();
var latencyRows = new List<string>();
var count = 139;
foreach (var size in sizes)
{
    if (size > count)
    {
        var (insertSeconds, indexSeconds) = await generator.AddAsync(host.Services, size - count, new Random(size));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{size} insights: inserted {size - count} in {insertSeconds:F0} s, rebuilt the indexes in {indexSeconds:F0} s"));
        count = size;
    }

    await using var scope = host.Services.CreateAsyncScope();
    var services = scope.ServiceProvider;
    var db = services.GetRequiredService<OptLibDbContext>();
    db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
    var settings = services.GetRequiredService<IOptions<RetrievalOptions>>();
    var prompts = services.GetRequiredService<PromptLibrary>();
    var embeddings = services.GetRequiredService<IEmbeddingProvider>();

    // Prompt tokens per problem: ours (labelling + one applicability call) and AlphaOPT's (the taxonomy with
    // definitions + every condition under the chosen labels, 30 to a call), for the same problems and labels.
    var tree = await TaxonomyTree.LoadAsync(db, CancellationToken.None);
    var withModel = new RetrieveInsightsHandler(db, embeddings, new BenchModel(tree), prompts, settings);
    var ours = new List<int>();
    var theirs = new List<int>();
    var theirCalls = new List<int>();
    foreach (var problem in problems.Take(TokenProblems))
    {
        var result = await withModel.Handle(new RetrieveInsights(problem, "formulation", null, 8), CancellationToken.None);
        ours.Add(result.Prompts!.Sum(p => p.Tokens));
        var (tokens, calls) = await AlphaOptScheme.TokensAsync(db, tree, prompts, problem, result.Labels ?? []);
        theirs.Add(tokens);
        theirCalls.Add(calls);
    }

    tokenRows.Add(string.Create(CultureInfo.InvariantCulture,
        $"| {size} | {ours.Average():F0} | {ours.Max()} | {theirs.Average():F0} | {theirs.Max()} | {theirCalls.Average():F1} | {theirs.Average() / ours.Average():F1}× |"));
    Console.WriteLine(tokenRows[^1]);

    if (size < 1000)
    {
        continue;
    }

    var lexicalOnly = new RetrieveInsightsHandler(db, embeddings, new UnconfiguredChatModel(), prompts, settings);
    var exact = new List<double>();
    var hnsw = efSearches.ToDictionary(e => e, _ => new List<double>());
    var recall = efSearches.ToDictionary(e => e, _ => 0.0);
    var handler = new List<double>();
    var random = new Random(size);
    for (var q = 0; q < Queries + 3; q++)
    {
        var problem = problems[random.Next(problems.Count)];
        var vector = new Vector(lexical.Embed(problem));

        await db.Database.ExecuteSqlRawAsync("SET enable_indexscan = off; SET enable_seqscan = on");
        var clock = Stopwatch.StartNew();
        var truth = await db.Insights.OrderBy(i => i.Embedding!.CosineDistance(vector)).Take(10).Select(i => i.Id).ToListAsync();
        var exactMs = clock.Elapsed.TotalMilliseconds;

        // Forces the index even where the planner would scan a small table, so these columns measure HNSW itself.
        await db.Database.ExecuteSqlRawAsync("SET enable_indexscan = on; SET enable_seqscan = off");
        var hnswMs = new Dictionary<int, double>();
        foreach (var ef in efSearches)
        {
            var setting = string.Create(CultureInfo.InvariantCulture, $"SET hnsw.ef_search = {ef}"); // a number of ours, not input
            await db.Database.ExecuteSqlRawAsync(setting);
            clock.Restart();
            var approx = await db.Insights.OrderBy(i => i.Embedding!.CosineDistance(vector)).Take(10).Select(i => i.Id).ToListAsync();
            hnswMs[ef] = clock.Elapsed.TotalMilliseconds;
            if (q >= 3)
            {
                recall[ef] += truth.Intersect(approx).Count() / 10.0;
            }
        }

        await db.Database.ExecuteSqlRawAsync("RESET hnsw.ef_search; SET enable_seqscan = on");
        double? handlerMs = null;
        if (q < HandlerQueries + 3)
        {
            clock.Restart();
            await lexicalOnly.Handle(new RetrieveInsights(problem, q % 2 == 0 ? "formulation" : "program", null, 8), CancellationToken.None);
            handlerMs = clock.Elapsed.TotalMilliseconds;
        }

        if (q < 3)
        {
            continue; // warm-up
        }

        exact.Add(exactMs);
        foreach (var ef in efSearches)
        {
            hnsw[ef].Add(hnswMs[ef]);
        }

        if (handlerMs is { } ms)
        {
            handler.Add(ms);
        }
    }

    var perEf = string.Join(" | ", efSearches.Select(ef => string.Create(CultureInfo.InvariantCulture, $"{Stats.P(hnsw[ef], 50):F1} / {Stats.P(hnsw[ef], 95):F1} | {recall[ef] / Queries:F3}")));
    latencyRows.Add(string.Create(CultureInfo.InvariantCulture,
        $"| {size} | {Stats.P(exact, 50):F1} / {Stats.P(exact, 95):F1} | {perEf} | {Stats.P(handler, 50):F0} / {Stats.P(handler, 95):F0} |"));
    Console.WriteLine(latencyRows[^1]);
}

Console.WriteLine();
Console.WriteLine($"Prompt tokens per problem (o200k, formulation stage, {TokenProblems} AlphaOPT task descriptions)");
Console.WriteLine("| insights | ours mean | ours max | AlphaOPT scheme mean | AlphaOPT max | AlphaOPT calls | ratio |");
Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
tokenRows.ForEach(Console.WriteLine);
Console.WriteLine();
Console.WriteLine($"kNN latency, ms p50 / p95 ({Queries} real problems; RetrieveInsights without a model: {HandlerQueries})");
Console.WriteLine("| insights | exact scan | " + string.Join(" | ", efSearches.Select(ef => $"HNSW ef_search={ef} | recall@10"))+ " | RetrieveInsights |");
Console.WriteLine("|---:|---:|" + string.Concat(efSearches.Select(_ => "---:|---:|")) + "---:|");
latencyRows.ForEach(Console.WriteLine);
await host.StopAsync();
