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
/// for it (active insights of the stage, the pool of 50, hnsw.iterative_scan on) by an exact scan and through the HNSW
/// index at several ef_search, with the index's recall@50 against the exact list; and the whole handler without a
/// model. Each query is a real task description at the formulation or the program stage, in turn.
/// </summary>
internal static class ScaleBench
{
    private const int Pool = 50;
    private const int WarmUp = 3;

    public static string Header(int[] efSearches) =>
        "| insights | exact scan | " + string.Join(" | ", efSearches.Select(ef => $"HNSW ef_search={ef} | recall@50")) + " | retrieval without a model | retrieval / exact scan |\n"
        + "|---:|---:|" + string.Concat(efSearches.Select(_ => "---:|---:|")) + "---:|---:|";

    public static async Task<string> MeasureAsync(IServiceProvider services, List<string> problems, int size, int queries, int[] efSearches)
    {
        var db = services.GetRequiredService<OptLibDbContext>();
        var embeddings = services.GetRequiredService<IEmbeddingProvider>();
        var handler = new RetrieveInsightsHandler(db, embeddings, new UnconfiguredChatModel(), services.GetRequiredService<PromptLibrary>(),
            new TextQuery(TimeProvider.System), services.GetRequiredService<IOptions<RetrievalOptions>>());
        var tree = await TaxonomyTree.LoadAsync(db, CancellationToken.None);
        var exact = new List<double>();
        var hnsw = efSearches.ToDictionary(e => e, _ => new List<double>());
        var found = efSearches.ToDictionary(e => e, _ => 0);
        var whole = new List<double>();
        var expected = 0; // a stage with fewer than 50 active insights has a shorter exact list
        var random = new Random(size);
        for (var q = 0; q < queries + WarmUp; q++)
        {
            var problem = problems[random.Next(problems.Count)];
            var stage = q % 2 == 0 ? "formulation" : "program";
            var vector = new Vector(await embeddings.EmbedAsync(problem, CancellationToken.None));
            var stages = RetrievalStages.Stages(stage)!.Select(TaxonomyLabels.Normalise).ToHashSet();
            var leafIds = tree.Nodes.Where(n => n.Depth == 2 && stages.Contains(TaxonomyLabels.Normalise(tree.PathOf(n)[0]))).Select(n => n.Id).ToList();

            var (truth, exactMs) = await KnnAsync(db, vector, leafIds, embeddings.ModelId, "SELECT set_config('enable_indexscan', 'off', true)");
            var row = new Dictionary<int, (List<long> Ids, double Ms)>();
            foreach (var ef in efSearches)
            {
                var setting = string.Create(CultureInfo.InvariantCulture, $"SELECT set_config('hnsw.ef_search', '{ef}', true), set_config('hnsw.iterative_scan', 'strict_order', true)");
                row[ef] = await KnnAsync(db, vector, leafIds, embeddings.ModelId, setting);
            }

            var clock = Stopwatch.StartNew();
            await handler.Handle(new RetrieveInsights(problem, stage, null, 8), CancellationToken.None);
            var wholeMs = clock.Elapsed.TotalMilliseconds;
            if (q < WarmUp)
            {
                continue;
            }

            exact.Add(exactMs);
            whole.Add(wholeMs);
            expected += truth.Count;
            foreach (var ef in efSearches)
            {
                hnsw[ef].Add(row[ef].Ms);
                found[ef] += row[ef].Ids.Intersect(truth).Count();
            }
        }

        var perEf = string.Join(" | ", efSearches.Select(ef => string.Create(CultureInfo.InvariantCulture, $"{Stats.P(hnsw[ef], 50):F1} / {Stats.P(hnsw[ef], 95):F1} | {(double)found[ef] / expected:F3}")));
        return string.Create(CultureInfo.InvariantCulture,
            $"| {size:N0} | {Stats.P(exact, 50):F1} / {Stats.P(exact, 95):F1} | {perEf} | {Stats.P(whole, 50):F1} / {Stats.P(whole, 95):F1} | {Stats.P(whole, 50) / Stats.P(exact, 50):F2} |");
    }

    /// <summary>The handler's kNN query, in a transaction of its own with the given settings.</summary>
    private static async Task<(List<long> Ids, double Ms)> KnnAsync(OptLibDbContext db, Vector query, List<long> leafIds, string model, string settings)
    {
        var clock = Stopwatch.StartNew();
        await using var transaction = await db.Database.BeginTransactionAsync();
        await db.Database.ExecuteSqlRawAsync(settings); // a constant of this bench, not input
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
