using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OptLib.Library.Insights;
using OptLib.Library.Interchange;
using OptLib.Library.Models;
using OptLib.Library.Prompts;
using OptLib.Library.Retrieval;
using OptLib.Library.Storage;
using OptLib.Library.Taxonomy;

namespace OptLib.Library.Bench;

internal static class Stats
{
    public static double P(List<double> values, int percentile)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}

/// <summary>The library on its own in-memory embedded database, with no job server.</summary>
internal static class BenchHost
{
    /// <summary>
    /// Starts the library on an in-memory database, or on the folder OPTLIB_BENCH_DATA names when <paramref name="keep"/>
    /// is set: a large library loaded once then serves later runs.
    /// </summary>
    public static async Task<IHost> StartAsync(string embeddings = "lexical", bool keep = false)
    {
        var builder = Host.CreateApplicationBuilder([]);
        var kept = keep ? Environment.GetEnvironmentVariable("OPTLIB_BENCH_DATA") : null;
        builder.Configuration["OptLib:DataDirectory"] = kept ?? Directory.CreateTempSubdirectory("optlib-bench-").FullName;
        builder.Configuration["OptLib:Embedded:InMemory"] = kept is null ? "true" : "false";
        builder.Configuration["OptLib:Embedded:HealthCheckSeconds"] = "3600"; // building HNSW over 100k rows takes minutes: not a hang
        builder.Configuration["Worker:InProcess"] = "false";
        builder.Configuration["Serilog:MinimumLevel:Default"] = "Warning";
        builder.Configuration["Embeddings:Provider"] = embeddings;
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddLibrary();
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    /// <summary>Imports a library in AlphaOPT's format; returns our id of each of its insight_ids.</summary>
    public static async Task<Dictionary<long, long>> ImportAsync(IServiceProvider services, AlphaOptDocument document, string actor)
    {
        var report = await ActivatorUtilities.CreateInstance<ImportLibraryHandler>(services).Handle(new ImportLibrary(document, actor), CancellationToken.None);
        return report.Items.Where(i => i.Id is not null).ToDictionary(i => i.InsightId, i => i.Id!.Value);
    }
}

/// <summary>AlphaOPT's reference files (read where they are, never copied).</summary>
internal sealed record AlphaOpt(string Directory)
{
    public string Library => Path.Combine(Directory, "library", "library.json");

    public string Taxonomy => Path.Combine(Directory, "library", "latest_taxonomy_new.json");

    public static AlphaOpt Find() => new(Above("shared/datasets/alphaopt"));

    /// <summary>The first folder of that relative path in the current directory or above it.</summary>
    public static string Above(string relative)
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"{relative} was not found in or above the current directory.");
    }

    /// <summary>The task descriptions of every training set, in a fixed shuffled order.</summary>
    public List<string> Problems()
    {
        var all = System.IO.Directory.GetFiles(Path.Combine(Directory, "tasks"), "*_train.json").Order(StringComparer.Ordinal)
            .SelectMany(f => JsonNode.Parse(File.ReadAllText(f))!.AsArray())
            .Select(t => t?["description"]?.GetValue<string>())
            .OfType<string>().Where(d => d.Length > 50).ToList();
        var random = new Random(42);
        return [.. all.OrderBy(_ => random.Next())];
    }
}

/// <summary>
/// A stand-in model: it labels a problem with the three listed labels whose name, definition and condition are
/// closest to it (lexical embedding), and finds every judged condition applicable. Only the prompts' sizes are
/// measured, not the answers; the same labels then drive the AlphaOPT-scheme count.
/// </summary>
internal sealed class BenchModel(TaxonomyTree tree) : IChatModel
{
    private static readonly LexicalEmbedding Embedding = new();

    private readonly Dictionary<string, float[]> _labels = tree.Nodes.Where(n => n.Depth == 2)
        .GroupBy(n => Key(tree.PathOf(n)[1], n.Name))
        .ToDictionary(g => g.Key, g => Embedding.Embed(string.Join(' ', g.Select(n => $"{n.Name} {tree.PathOf(n)[1]} {n.Definition} {n.Condition}"))));

    public bool IsConfigured => true;

    public Task<ModelReply> CompleteAsync(ModelCall call, CancellationToken cancellationToken)
    {
        var text = call.Purpose == "retrieval labels" ? Labels(call.User) : Verdicts(call.User);
        return Task.FromResult(new ModelReply(text, new ModelUsage("bench", call.Purpose, PromptTokens.Count(call.User), 0, 0, "ok", 0m)));
    }

    private static string Key(string level1, string level2) => $"{level1} / {level2}";

    private string Labels(string prompt)
    {
        var problem = Embedding.Embed(prompt[prompt.IndexOf("Problem (", StringComparison.Ordinal)..]);
        var labels = prompt.Split('\n').Where(l => l.StartsWith("- ", StringComparison.Ordinal) && l.Contains(": ", StringComparison.Ordinal))
            .SelectMany(l =>
            {
                var colon = l.IndexOf(": ", StringComparison.Ordinal);
                return l[(colon + 2)..].Split("; ").Select(level2 => Key(l[2..colon], level2));
            })
            .Where(_labels.ContainsKey)
            .OrderByDescending(label => _labels[label].Zip(problem, (a, b) => (double)a * b).Sum())
            .Take(3);
        return JsonSerializer.Serialize(new { labels });
    }

    private static string Verdicts(string prompt) => JsonSerializer.Serialize(new
    {
        verdicts = prompt.Split('\n').Where(l => l.StartsWith('[') && l.Contains(']', StringComparison.Ordinal))
            .Select(l => new { id = long.Parse(l[1..l.IndexOf(']', StringComparison.Ordinal)], CultureInfo.InvariantCulture), applies = true, reason = "holds" }),
    });
}

/// <summary>
/// What AlphaOPT's retrieval would send for the same problem and labels: the labelling call shows the stage's
/// taxonomy with each label's definition and condition; then every active insight under a chosen label is
/// checked, 30 full conditions to a call, each call repeating the instructions and the problem.
/// </summary>
internal static class AlphaOptScheme
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static async Task<(int Tokens, int Calls)> TokensAsync(OptLibDbContext db, TaxonomyTree tree, PromptLibrary prompts, string problem, IReadOnlyList<string> chosen)
    {
        var stages = RetrievalStages.Stages("formulation")!.Select(TaxonomyLabels.Normalise).ToHashSet();
        var taxonomy = new Dictionary<string, Dictionary<string, Dictionary<string, object>>>();
        foreach (var leaf in tree.Nodes.Where(n => n.Depth == 2).OrderBy(n => n.Id))
        {
            var path = tree.PathOf(leaf);
            if (stages.Contains(TaxonomyLabels.Normalise(path[0])))
            {
                var level1s = taxonomy.TryGetValue(path[0], out var l1) ? l1 : taxonomy[path[0]] = [];
                (level1s.TryGetValue(path[1], out var l2) ? l2 : level1s[path[1]] = [])[path[2]] = new { definition = leaf.Definition, condition = leaf.Condition };
            }
        }

        var labelling = prompts[PromptLibrary.TaxonomyLabels].Render(new Dictionary<string, string>
        {
            ["labels"] = JsonSerializer.Serialize(taxonomy, Indented),
            ["stage"] = "formulation",
            ["problem"] = problem,
        });
        var tokens = PromptTokens.Count(labelling);
        var calls = 1;

        var nodeIds = chosen.Select(p => p.Split(" / ")).Select(p => tree.Find(p)?.Id).OfType<long>().ToList();
        var conditions = await db.Insights.AsNoTracking()
            .Where(i => i.Status == InsightStatus.Active && i.Taxonomy.Any(t => nodeIds.Contains(t.Id)))
            .OrderBy(i => i.Id).Select(i => new { i.Id, i.Condition }).ToListAsync();
        foreach (var batch in conditions.Chunk(30))
        {
            tokens += PromptTokens.Count(prompts[PromptLibrary.Applicability].Render(new Dictionary<string, string>
            {
                ["candidates"] = string.Join('\n', batch.Select(c => $"[{c.Id}] {c.Condition}")),
                ["stage"] = "formulation",
                ["problem"] = problem,
            }));
            calls++;
        }

        return (tokens, calls);
    }
}

/// <summary>
/// Insights written from AlphaOPT's own text, so their lexical embeddings have its vocabulary and word frequencies
/// (not uniform random vectors). Each copies a real insight's labels and follows its word bigrams, falling back to
/// the bigrams of all insights and task descriptions, so each topic keeps its words but no two insights are alike.
/// Loaded by batched INSERTs with the vector and full-text indexes dropped, which are then rebuilt.
/// </summary>
internal sealed class SyntheticInsights
{
    private readonly List<(string[] Words, Dictionary<string, List<string>> Next, long[] Labels)> _parents;
    private readonly Dictionary<string, List<string>> _all;
    private const long FirstId = 10_000_000;
    private long _nextId = FirstId;

    private SyntheticInsights(List<(string[], Dictionary<string, List<string>>, long[])> parents, Dictionary<string, List<string>> all) =>
        (_parents, _all) = (parents, all);

    public static async Task<SyntheticInsights> FromLibraryAsync(IServiceProvider services, IEnumerable<string> problems)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OptLibDbContext>();
        var real = await db.Insights.AsNoTracking().Include(i => i.Taxonomy).Where(i => i.Id < FirstId).ToListAsync();
        var all = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var parents = real.Select(i =>
        {
            var words = Split(i.Condition + " " + i.Explanation);
            var next = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            Learn(next, words);
            Learn(all, words);
            return (words, next, i.Taxonomy.Select(t => t.Id).ToArray());
        }).ToList();
        foreach (var problem in problems)
        {
            Learn(all, Split(problem));
        }

        var last = await db.Insights.MaxAsync(i => (long?)i.Id);
        return new SyntheticInsights(parents, all) { _nextId = Math.Max(FirstId, (last ?? 0) + 1) };
    }

    /// <param name="clones">
    /// Each insight follows one real insight's bigrams (60 % of its steps) and copies its labels: a paraphrase of it.
    /// Otherwise it follows the bigrams of all insights and problems, and only its labels come from a real insight.
    /// </param>
    public async Task<(double InsertSeconds, double IndexSeconds)> AddAsync(IServiceProvider services, int count, Random random, bool clones = true)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OptLibDbContext>();
        db.Database.SetCommandTimeout(TimeSpan.FromHours(1)); // an HNSW build over 100k rows takes many minutes
        var model = scope.ServiceProvider.GetRequiredService<IEmbeddingProvider>();
        var indexes = await db.Database.SqlQueryRaw<string>(
            "SELECT indexdef AS \"Value\" FROM pg_indexes WHERE tablename = 'insights' AND (indexdef LIKE '%hnsw%' OR indexdef LIKE '%gin%')").ToListAsync();
        foreach (var index in indexes)
        {
            var drop = "DROP INDEX " + index.Split(' ')[2]; // an index name PostgreSQL just gave us
            await db.Database.ExecuteSqlRawAsync(drop);
        }

        var clock = Stopwatch.StartNew();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        for (var done = 0; done < count; done += 500)
        {
            var insights = new StringBuilder("INSERT INTO insights (id, status, version, condition, explanation, example, embedding, embedding_model, source_problem_ids, source_attempt_ids, usage_positive, usage_negative, usage_invalid, usage_irrelevant, usage_unretrieved, created_at, updated_at, created_by, updated_by, origin, usage_evidence) OVERRIDING SYSTEM VALUE VALUES ");
            var links = new StringBuilder("INSERT INTO insight_taxonomy (insight_id, taxonomy_node_id) VALUES ");
            await using var command = connection.CreateCommand();
            for (var i = done; i < Math.Min(count, done + 500); i++)
            {
                var id = _nextId++;
                var parent = _parents[random.Next(_parents.Count)];
                var condition = "Applies when " + Write(parent, random, random.Next(30, 81), clones);
                var explanation = Write(parent, random, random.Next(40, 121), clones);
                var vector = await model.EmbedAsync(condition + "\n" + explanation, CancellationToken.None);
                var n = i - done;
                insights.Append(CultureInfo.InvariantCulture, $"{(n > 0 ? "," : "")}({id}, 'active', 1, @c{n}, @e{n}, '', @v{n}::vector, '{model.ModelId}', '{{}}', '{{}}', 0, 0, 0, 0, 0, now(), now(), 'bench', 'bench', '{{\"TaskIds\": []}}', '{{\"Positive\": [], \"Negative\": [], \"Invalid\": [], \"Irrelevant\": [], \"Unretrieved\": []}}')");
                links.AppendJoin(',', parent.Labels.Select(l => string.Create(CultureInfo.InvariantCulture, $"({id}, {l})"))).Append(',');
                Add(command, $"c{n}", condition);
                Add(command, $"e{n}", explanation);
                Add(command, $"v{n}", "[" + string.Join(',', vector.Select(x => x.ToString("R", CultureInfo.InvariantCulture))) + "]");
            }

            command.CommandText = insights + "; " + links.ToString().TrimEnd(',');
            await command.ExecuteNonQueryAsync(); // batched INSERTs, never COPY, on PGlite
        }

        var insertSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        await db.Database.ExecuteSqlRawAsync("SET maintenance_work_mem = '256MB'");
        foreach (var index in indexes)
        {
            await db.Database.ExecuteSqlRawAsync(index);
        }

        await db.Database.ExecuteSqlRawAsync("RESET maintenance_work_mem; ANALYZE insights; ANALYZE insight_taxonomy");
        return (insertSeconds, clock.Elapsed.TotalSeconds);
    }

    private static void Add(System.Data.Common.DbCommand command, string name, string value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    private string Write((string[] Words, Dictionary<string, List<string>> Next, long[] Labels) parent, Random random, int length, bool clone)
    {
        var start = clone ? parent : _parents[random.Next(_parents.Count)];
        var words = new List<string>(length) { start.Words[random.Next(start.Words.Length)] };
        while (words.Count < length)
        {
            var last = words[^1];
            var own = parent.Next.GetValueOrDefault(last);
            var next = clone && own is not null && random.NextDouble() < 0.6 ? own : _all.GetValueOrDefault(last) ?? own;
            words.Add(next is { Count: > 0 } ? next[random.Next(next.Count)] : parent.Words[random.Next(parent.Words.Length)]);
        }

        return string.Join(' ', words);
    }

    private static string[] Split(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    private static void Learn(Dictionary<string, List<string>> next, string[] words)
    {
        for (var i = 1; i < words.Length; i++)
        {
            (next.TryGetValue(words[i - 1], out var list) ? list : next[words[i - 1]] = []).Add(words[i]);
        }
    }
}
