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

if (args is ["judged", ..])
{
    // judged [provider] [distractors] [clones]: a perfect judge on AlphaOPT's labelled pairs, at 139 insights and with
    // distractors added (written from all insights' text, or with "clones" as paraphrases of AlphaOPT's insights).
    await JudgedBench.RunAsync(AlphaOpt.Find(), args.Length > 1 ? args[1] : "minilm", args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10_000,
        args is [_, _, _, "clones", ..]);
    return;
}

// "latency" skips the prompt-token counts (minutes at 100k: AlphaOPT's scheme reads every condition under the labels).
var latencyOnly = args.Contains("latency");
var numbers = args.Where(a => a != "latency").Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray();
int[] sizes = numbers.Length > 0 ? numbers : [139, 1000, 10000, 100000];
const int Queries = 50;
const int TokenProblems = 20;
var data = AlphaOpt.Find();
var lexical = new LexicalEmbedding();
Console.WriteLine($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, embedding {lexical.ModelId} ({lexical.Dimensions} dimensions), exact kNN in process");

using var host = await BenchHost.StartAsync(keep: true);
var count = 0;
await using (var scope = host.Services.CreateAsyncScope())
{
    var loaded = await scope.ServiceProvider.GetRequiredService<OptLibDbContext>().Insights.CountAsync();
    count = loaded;
    if (loaded > 0)
    {
        Console.WriteLine($"the kept database at {Environment.GetEnvironmentVariable("OPTLIB_BENCH_DATA")} holds {loaded} insights");
    }
}

if (count == 0)
{
    await using var scope = host.Services.CreateAsyncScope();
    var imported = await BenchHost.ImportAsync(scope.ServiceProvider, JsonSerializer.Deserialize<AlphaOptDocument>(
        $"{{\"library\": {File.ReadAllText(data.Library)}, \"taxonomy\": {File.ReadAllText(data.Taxonomy)}}}")!, "bench");
    Console.WriteLine($"imported AlphaOPT's library: {imported.Count} insights");
    count = imported.Count;
}

var problems = data.Problems();
var generator = await SyntheticInsights.FromLibraryAsync(host.Services, problems);
var tokenRows = new List<string>();
var latencyRows = new List<string>();
foreach (var size in sizes.Where(s => s >= count))
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
    var withModel = new RetrieveInsightsHandler(db, embeddings, new BenchModel(tree), prompts, services.GetRequiredService<TextQuery>(), services.GetRequiredService<VectorIndex>(), settings);
    var ours = new List<int>();
    var theirs = new List<int>();
    var theirCalls = new List<int>();
    foreach (var problem in problems.Take(latencyOnly ? 0 : TokenProblems))
    {
        var result = await withModel.Handle(new RetrieveInsights(problem, "formulation", null, 8), CancellationToken.None);
        ours.Add(result.Prompts!.Sum(p => p.Tokens));
        var (tokens, calls) = await AlphaOptScheme.TokensAsync(db, tree, prompts, problem, result.Labels ?? []);
        theirs.Add(tokens);
        theirCalls.Add(calls);
    }

    if (!latencyOnly)
    {
        tokenRows.Add(string.Create(CultureInfo.InvariantCulture,
            $"| {size} | {ours.Average():F0} | {ours.Max()} | {theirs.Average():F0} | {theirs.Max()} | {theirCalls.Average():F1} | {theirs.Average() / ours.Average():F1}× |"));
        Console.WriteLine(tokenRows[^1]);
    }

    latencyRows.Add(await ScaleBench.MeasureAsync(services, problems, size, Queries));
    Console.WriteLine(latencyRows[^1]);
    Console.WriteLine($"{size} insights: {await ScaleBench.FootprintAsync(services)}");
}

Console.WriteLine();
Console.WriteLine($"Prompt tokens per problem (o200k, formulation stage, {TokenProblems} AlphaOPT task descriptions)");
Console.WriteLine("| insights | ours mean | ours max | AlphaOPT scheme mean | AlphaOPT max | AlphaOPT calls | ratio |");
Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
tokenRows.ForEach(Console.WriteLine);
Console.WriteLine();
Console.WriteLine($"kNN list and retrieval without a model, ms p50 / p95 ({Queries} real problems); recall@50 of the kNN list against the exact scan");
Console.WriteLine(ScaleBench.Header);
latencyRows.ForEach(Console.WriteLine);
await host.StopAsync();
