using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OptLib.Library;
using OptLib.Library.Insights;
using OptLib.Library.Retrieval;
using OptLib.Library.Storage;
using Pgvector;
using Pgvector.EntityFrameworkCore;

// Retrieval latency on the embedded database (PGlite + pgvector, in memory) at growing library sizes: pgvector kNN
// with the HNSW index and without it (exact scan), HNSW's recall@10 against the exact answer, and the whole
// RetrieveInsights handler (kNN + full-text + RRF). Usage: dotnet run -c Release --project bench/Library [-- 1000 10000]
var sizes = args.Length > 0 ? args.Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [1000, 10000];
const int Queries = 50;
var lexical = new LexicalEmbedding();
Console.WriteLine($"embedding {lexical.ModelId} ({lexical.Dimensions} dimensions), {Queries} queries per size, HNSW m=16 ef_construction=64 ef_search=40 (default)");
Console.WriteLine();
Console.WriteLine("| insights | load s | kNN exact p50 / p95 ms | kNN HNSW p50 / p95 ms | HNSW recall@10 | HNSW ef_search=100 p50 / p95 ms | its recall@10 | RetrieveInsights p50 / p95 ms |");
Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");

foreach (var size in sizes)
{
    var builder = Host.CreateApplicationBuilder([]);
    builder.Configuration["OptLib:DataDirectory"] = Directory.CreateTempSubdirectory("optlib-bench-").FullName;
    builder.Configuration["OptLib:Embedded:InMemory"] = "true";
    builder.Configuration["Worker:InProcess"] = "false";
    builder.Configuration["Serilog:MinimumLevel:Default"] = "Warning";
    builder.AddLibrary();
    using var host = builder.Build();
    await host.StartAsync();

    var random = new Random(size);
    var load = Stopwatch.StartNew();
    await using (var scope = host.Services.CreateAsyncScope())
    {
        var db = scope.ServiceProvider.GetRequiredService<OptLibDbContext>();
        var leaves = await db.TaxonomyNodes.Where(n => n.Depth == 2).ToListAsync();
        for (var done = 0; done < size; done += 500)
        {
            for (var i = done; i < Math.Min(size, done + 500); i++)
            {
                db.Insights.Add(new Insight
                {
                    Status = InsightStatus.Active,
                    Version = 1,
                    Condition = Synthetic.Sentence(random, 40),
                    Explanation = Synthetic.Sentence(random, 60),
                    Taxonomy = [leaves[random.Next(leaves.Count)]],
                    CreatedBy = "bench",
                    UpdatedBy = "bench",
                    CreatedAt = DateTimeOffset.UtcNow,
                    UpdatedAt = DateTimeOffset.UtcNow,
                });
            }

            await db.SaveChangesAsync(); // batched INSERTs (never COPY on PGlite); the interceptor embeds each row
            db.ChangeTracker.Clear();
            leaves = await db.TaxonomyNodes.Where(n => n.Depth == 2).ToListAsync();
        }
    }

    load.Stop();
    var exact = new List<double>();
    var hnsw = new List<double>();
    var hnswWide = new List<double>();
    double recallWide = 0;
    var handler = new List<double>();
    double recall = 0;
    await using (var scope = host.Services.CreateAsyncScope())
    {
        var db = scope.ServiceProvider.GetRequiredService<OptLibDbContext>();
        var retrieve = ActivatorUtilities.CreateInstance<RetrieveInsightsHandler>(scope.ServiceProvider);
        for (var q = 0; q < Queries + 3; q++)
        {
            var problem = Synthetic.Sentence(random, 80);
            var vector = new Vector(lexical.Embed(problem));

            await db.Database.ExecuteSqlRawAsync("SET enable_indexscan = off; SET enable_seqscan = on");
            var clock = Stopwatch.StartNew();
            var truth = await db.Insights.OrderBy(i => i.Embedding!.CosineDistance(vector)).Take(10).Select(i => i.Id).ToListAsync();
            var exactMs = clock.Elapsed.TotalMilliseconds;

            // Forces the index even where the planner would scan a small table, so this column measures HNSW itself.
            await db.Database.ExecuteSqlRawAsync("SET enable_indexscan = on; SET enable_seqscan = off");
            clock.Restart();
            var approx = await db.Insights.OrderBy(i => i.Embedding!.CosineDistance(vector)).Take(10).Select(i => i.Id).ToListAsync();
            var hnswMs = clock.Elapsed.TotalMilliseconds;

            await db.Database.ExecuteSqlRawAsync("SET hnsw.ef_search = 100");
            clock.Restart();
            var wide = await db.Insights.OrderBy(i => i.Embedding!.CosineDistance(vector)).Take(10).Select(i => i.Id).ToListAsync();
            var wideMs = clock.Elapsed.TotalMilliseconds;
            await db.Database.ExecuteSqlRawAsync("RESET hnsw.ef_search");

            await db.Database.ExecuteSqlRawAsync("SET enable_seqscan = on");
            clock.Restart();
            await retrieve.Handle(new RetrieveInsights(problem, q % 2 == 0 ? "formulation" : "program", null, 8), CancellationToken.None);
            var handlerMs = clock.Elapsed.TotalMilliseconds;

            if (q < 3)
            {
                continue; // warm-up
            }

            exact.Add(exactMs);
            hnsw.Add(hnswMs);
            hnswWide.Add(wideMs);
            recallWide += truth.Intersect(wide).Count() / 10.0;
            handler.Add(handlerMs);
            recall += truth.Intersect(approx).Count() / 10.0;
        }

    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {size} | {load.Elapsed.TotalSeconds:F0} | {P(exact, 50):F1} / {P(exact, 95):F1} | {P(hnsw, 50):F1} / {P(hnsw, 95):F1} | {recall / Queries:F3} | {P(hnswWide, 50):F1} / {P(hnswWide, 95):F1} | {recallWide / Queries:F3} | {P(handler, 50):F1} / {P(handler, 95):F1} |"));
    await host.StopAsync();
}

static double P(List<double> values, int percentile)
{
    var sorted = values.Order().ToList();
    return sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
}

internal static class Synthetic
{
    private static readonly string[] Vocabulary =
    [
        "vehicle", "depot", "route", "customer", "visit", "tour", "subtour", "capacity", "budget", "weight", "value", "item",
        "knapsack", "flow", "arc", "node", "source", "sink", "conservation", "supply", "demand", "warehouse", "factory",
        "store", "shipping", "cost", "profit", "revenue", "production", "inventory", "period", "month", "stock", "holding",
        "setup", "fixed", "charge", "binary", "integer", "continuous", "variable", "constraint", "objective", "maximise",
        "minimise", "ratio", "percentage", "proportion", "blend", "nutrient", "protein", "machine", "hours", "labour",
        "worker", "job", "assignment", "schedule", "makespan", "deadline", "precedence", "shift", "nurse", "staff",
        "investment", "return", "risk", "probability", "portfolio", "bound", "limit", "minimum", "maximum", "strict",
        "inequality", "big-m", "indicator", "linking", "index", "matrix", "dimension", "solver", "cp-sat", "linear",
        "scaling", "unit", "ton", "kilogram", "dollar", "truck", "van", "city", "facility", "open", "location", "plant",
    ];

    public static string Sentence(Random random, int words) =>
        string.Join(' ', Enumerable.Range(0, words).Select(_ => Vocabulary[random.Next(Vocabulary.Length)]));
}
