using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OptLib.Library.Insights;
using OptLib.Library.Models;
using OptLib.Library.Prompts;
using OptLib.Library.Retrieval;
using OptLib.Library.Storage;
using OptLib.Library.Taxonomy;
using OptLib.Platform.Database;
using Pgvector;
using Pgvector.EntityFrameworkCore;

namespace OptLib.Library.Bench;

/// <summary>
/// Retrieval's cost at one library size (see README.md): the kNN list as <see cref="RetrieveInsightsHandler"/> asks
/// for it (active insights of the stage, the pool of 50) by an exact scan in the database and by the in-process
/// <see cref="VectorIndex"/>, with the index's recall@50 against the database's list; the index's first load; and the
/// whole handler without a model. Each query is a real task description at the formulation or the program stage, in turn.
/// </summary>
internal static class ScaleBench
{
    private const int Pool = 50;
    private const int WarmUp = 3;

    public const string Header =
        "| insights | exact scan in the database | in-process index | recall@50 | index first load | retrieval without a model | retrieval / exact scan |\n"
        + "|---:|---:|---:|---:|---:|---:|---:|";

    public static async Task<string> MeasureAsync(IServiceProvider services, List<string> problems, int size, int queries)
    {
        var db = services.GetRequiredService<OptLibDbContext>();
        var embeddings = services.GetRequiredService<IEmbeddingProvider>();
        var index = services.GetRequiredService<VectorIndex>();
        var handler = new RetrieveInsightsHandler(db, embeddings, new UnconfiguredChatModel(), services.GetRequiredService<PromptLibrary>(),
            services.GetRequiredService<TextQuery>(), index, services.GetRequiredService<IOptions<RetrievalOptions>>());
        var tree = await TaxonomyTree.LoadAsync(db, CancellationToken.None);

        // The first search of a process loads every active vector; later ones reload only rows whose version moved.
        var load = Stopwatch.StartNew();
        await index.CatchUpAsync(db, CancellationToken.None);
        var loadSeconds = load.Elapsed.TotalSeconds;

        var exact = new List<double>();
        var inProcess = new List<double>();
        var whole = new List<double>();
        var (expected, found) = (0, 0); // a stage with fewer than 50 active insights has a shorter exact list
        var random = new Random(size);
        for (var q = 0; q < queries + WarmUp; q++)
        {
            var problem = problems[random.Next(problems.Count)];
            var stage = q % 2 == 0 ? "formulation" : "program";
            var embedded = await embeddings.EmbedAsync(problem, CancellationToken.None);
            var stages = RetrievalStages.Stages(stage)!.Select(TaxonomyLabels.Normalise).ToHashSet();
            var leafIds = tree.Nodes.Where(n => n.Depth == 2 && stages.Contains(TaxonomyLabels.Normalise(tree.PathOf(n)[0]))).Select(n => n.Id).ToList();

            var (truth, exactMs) = await ExactAsync(db, new Vector(embedded), leafIds, embeddings.ModelId);
            var clock = Stopwatch.StartNew();
            var nearest = index.Nearest(embedded, leafIds.ToHashSet(), Pool);
            var indexMs = clock.Elapsed.TotalMilliseconds;

            clock.Restart();
            await handler.Handle(new RetrieveInsights(problem, stage, null, 8), CancellationToken.None);
            var wholeMs = clock.Elapsed.TotalMilliseconds;
            if (q < WarmUp)
            {
                continue;
            }

            exact.Add(exactMs);
            inProcess.Add(indexMs);
            whole.Add(wholeMs);
            expected += truth.Count;
            found += nearest.Select(n => n.Id).Intersect(truth).Count();
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"| {size:N0} | {Stats.P(exact, 50):F1} / {Stats.P(exact, 95):F1} | {Stats.P(inProcess, 50):F1} / {Stats.P(inProcess, 95):F1} | {(double)found / expected:F3} | {loadSeconds:F1} s, {index.Count:N0} vectors | {Stats.P(whole, 50):F1} / {Stats.P(whole, 95):F1} | {Stats.P(whole, 50) / Stats.P(exact, 50):F2} |");
    }

    /// <summary>The handler's kNN list by an exact scan in the database (the HNSW index switched off).</summary>
    private static async Task<(List<long> Ids, double Ms)> ExactAsync(OptLibDbContext db, Vector query, List<long> leafIds, string model)
    {
        var clock = Stopwatch.StartNew();
        await using var transaction = await db.Database.BeginTransactionAsync();
        await db.Database.ExecuteSqlRawAsync("SELECT set_config('enable_indexscan', 'off', true)");
        var ids = await db.Insights.AsNoTracking()
            .Where(i => i.Status == InsightStatus.Active && i.Taxonomy.Any(t => leafIds.Contains(t.Id)))
            .Where(i => i.Embedding != null && i.EmbeddingModel == model)
            .OrderBy(i => i.Embedding!.CosineDistance(query))
            .Take(Pool)
            .Select(i => i.Id)
            .ToListAsync();
        await transaction.CommitAsync();
        return (ids, clock.Elapsed.TotalMilliseconds);
    }

    /// <summary>The sizes of the insights table's vector and full-text indexes, and the embedded server's resident memory.</summary>
    public static async Task<string> FootprintAsync(IServiceProvider services)
    {
        var db = services.GetRequiredService<OptLibDbContext>();
        var sizes = await db.Database.SqlQueryRaw<IndexSize>(
            "SELECT indexname AS name, pg_relation_size(quote_ident(indexname)::regclass) AS bytes FROM pg_indexes WHERE tablename = 'insights' AND (indexdef LIKE '%hnsw%' OR indexdef LIKE '%gin%')").ToListAsync();
        var table = await db.Database.SqlQueryRaw<long>("SELECT pg_total_relation_size('insights') AS \"Value\"").SingleAsync();
        var pid = services.GetRequiredService<OptLibDatabase>().Embedded?.ProcessId;
        var rss = pid is { } p ? File.ReadLines($"/proc/{p}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))?.Split(':')[1].Trim() : "n/a";
        return string.Join(", ", sizes.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Name} {s.Bytes / 1048576.0:F0} MiB")))
            + string.Create(CultureInfo.InvariantCulture, $"; insights with indexes and TOAST {table / 1048576.0:F0} MiB; embedded server resident {rss}");
    }

    private sealed record IndexSize(string Name, long Bytes);
}
