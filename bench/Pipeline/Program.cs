using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mediator;
using Microsoft.Extensions.Configuration;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OptLib.Library;
using OptLib.Library.Attempts;
using OptLib.Library.Insights;
using OptLib.Library.Interchange;
using OptLib.Library.Models;
using OptLib.Library.Problems;
using OptLib.Library.Solving;
using OptLib.Library.Storage;
using OptLib.Library.Validation;
using OptLib.Pipeline.Bench;
using OptLib.Solver;

// Problems end to end through SolveProblem with a zero-latency scripted model, on the embedded database holding
// AlphaOPT's library: where the pipeline's own time goes when the model costs nothing.
// Usage: dotnet run -c Release --project bench/Pipeline [-- problems [queued]]   (defaults 100 and 100; queued 0 skips
// the Hangfire phase)
var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100;
var queuedCount = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : count;
const int Warmup = 3;
const int SolveConcurrency = 2;

var alphaopt = Data.Find();
var builder = Host.CreateApplicationBuilder([]);
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["OptLib:DataDirectory"] = Directory.CreateTempSubdirectory("optlib-pipeline-bench-").FullName,
    ["OptLib:Embedded:InMemory"] = "true",
    ["Worker:InProcess"] = "true", // the Hangfire phase; the direct phases enqueue nothing, so the servers idle
    ["Worker:SolveConcurrency"] = SolveConcurrency.ToString(CultureInfo.InvariantCulture),
    // The lexical ranking only: the model-backed stage's cost is model calls, which are what this bench leaves out.
    ["Retrieval:UseModel"] = "false",
    ["Logging:LogLevel:Default"] = "Warning",
});
builder.AddLibrary();
var model = new ZeroLatencyModel(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Programs", "lp_wyndor.cs")));
builder.Services.AddSingleton<IChatModel>(model);
using var host = builder.Build();
var started = Stopwatch.StartNew();
await host.StartAsync();
Console.WriteLine($"OptLib pipeline bench, {DateTime.UtcNow:u}: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, " +
    $".NET {Environment.Version}, load average {Data.Load()}; host started in {started.Elapsed.TotalSeconds:0.0} s");

var document = JsonSerializer.Deserialize<AlphaOptDocument>(
    $"{{\"library\": {File.ReadAllText(Path.Combine(alphaopt, "library", "library.json"))}, \"taxonomy\": {File.ReadAllText(Path.Combine(alphaopt, "library", "latest_taxonomy_new.json"))}}}")!;
var import = await Send(new ImportLibrary(document, "bench"));
var active = await Db(db => db.Insights.CountAsync(i => i.Status == InsightStatus.Active));
Console.WriteLine($"AlphaOPT library imported: {import.Created} created, {active} active insights");

var texts = Data.ProblemTexts(alphaopt);
var next = 0;
string Text() => texts[Interlocked.Increment(ref next) % texts.Count];

// Warm-up: JIT, EF's model, the runner pool's first programs.
for (var i = 0; i < Warmup; i++)
{
    await SolveDirectAsync(Text());
}

Console.WriteLine();
Console.WriteLine($"## {count} problems through SolveProblem, one at a time");
var sequential = await RunDirectAsync(count, 1);
Report(sequential.Samples, sequential.Wall, 1);

Console.WriteLine();
Console.WriteLine($"## {count} problems through SolveProblem, {SolveConcurrency} at a time (the default Worker:SolveConcurrency)");
var parallel = await RunDirectAsync(count, SolveConcurrency);
Report(parallel.Samples, parallel.Wall, SolveConcurrency);

if (queuedCount > 0)
{
    Console.WriteLine();
    Console.WriteLine($"## {queuedCount} problems through SubmitProblem and the Hangfire solve queue ({SolveConcurrency} workers)");
    var clock = Stopwatch.StartNew();
    var ids = new List<long>();
    for (var i = 0; i < queuedCount; i++)
    {
        ids.Add(await Send(new SubmitProblem(Text(), 36, null, null, null, "bench")));
    }

    var submitted = clock.Elapsed.TotalSeconds;
    while (await Db(db => db.Problems.CountAsync(p => ids.Contains(p.Id) && (p.Status == ProblemStatus.Queued || p.Status == ProblemStatus.Running))) > 0)
    {
        await Task.Delay(50);
    }

    var wall = clock.Elapsed.TotalSeconds;
    var rows = await Db(db => db.Attempts.Where(a => ids.Contains(a.ProblemId))
        .Join(db.Problems, a => a.ProblemId, p => p.Id, (a, p) => new { a.Status, a.CompletedAt, p.CreatedAt }).ToListAsync());
    var latency = rows.Select(r => (r.CompletedAt!.Value - r.CreatedAt).TotalMilliseconds).ToList();
    Console.WriteLine($"{rows.Count(r => r.Status == AttemptStatus.Correct)}/{queuedCount} correct; submitted in {submitted:0.00} s; " +
        $"all finished after {wall:0.00} s: **{queuedCount / wall:0.00} problems/s**; submit → attempt completed p50 {Stats.P(latency, 50):0} ms, p95 {Stats.P(latency, 95):0} ms " +
        $"(queue latency grows with the backlog: all {queuedCount} were queued at once)");
}

Console.WriteLine();
Console.WriteLine($"load average at the end {Data.Load()}; model calls made: {model.Calls}");
await host.StopAsync();
return;

async Task<(List<Sample> Samples, double Wall)> RunDirectAsync(int n, int workers)
{
    var samples = new ConcurrentBag<Sample>();
    var remaining = n;
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
    {
        while (Interlocked.Decrement(ref remaining) >= 0)
        {
            samples.Add(await SolveDirectAsync(Text()));
        }
    })));
    return (samples.ToList(), clock.Elapsed.TotalSeconds);
}

// Store the problem as SubmitProblem does (without the job), then run the handler the job runs.
async Task<Sample> SolveDirectAsync(string text)
{
    var clock = Stopwatch.StartNew();
    var id = await Db(async db =>
    {
        var now = DateTimeOffset.UtcNow;
        var problem = new Problem { Text = text, ExpectedObjective = 36, Status = ProblemStatus.Queued, CreatedBy = "bench", CreatedAt = now, UpdatedAt = now };
        db.Problems.Add(problem);
        await db.SaveChangesAsync();
        return problem.Id;
    });
    var store = clock.Elapsed.TotalMilliseconds;
    clock.Restart();
    var attemptId = await Send(new SolveProblem(id));
    var solve = clock.Elapsed.TotalMilliseconds;
    var attempt = await Db(db => db.Attempts.AsNoTracking().SingleAsync(a => a.Id == attemptId));
    var t = attempt.Timings!;
    return new Sample(attempt.Status, store, solve, t["retrieveFormulation"], t["formulate"], t["retrieveProgram"], t["program"], t["sandbox"]);
}

void Report(List<Sample> samples, double wall, int workers)
{
    var correct = samples.Count(s => s.Status == AttemptStatus.Correct);
    Console.WriteLine($"{correct}/{samples.Count} correct; {samples.Count / wall:0.00} problems/s ({workers} at a time, {wall:0.0} s)");
    Console.WriteLine();
    Console.WriteLine("| stage | p50 ms | p95 ms | share of total |");
    Console.WriteLine("|---|---:|---:|---:|");
    var total = samples.Sum(s => s.Total);
    foreach (var (name, pick) in new (string, Func<Sample, double>)[]
    {
        ("retrieve for the formulation", s => s.RetrieveFormulation),
        ("retrieve for the program", s => s.RetrieveProgram),
        ("model calls (zero-latency script, prompt rendering)", s => s.Model),
        ("sandbox (compile, police, run, check)", s => s.Sandbox),
        ("database and other (store the problem, claim, attempt rows, cancel watch)", s => s.Other),
        ("**total** (store + SolveProblem)", s => s.Total),
    })
    {
        var values = samples.Select(pick).ToList();
        Console.WriteLine($"| {name} | {Stats.P(values, 50):0.0} | {Stats.P(values, 95):0.0} | {100 * values.Sum() / total:0.0} % |");
    }
}

async Task<T> Send<T>(IRequest<T> request)
{
    await using var scope = host.Services.CreateAsyncScope();
    return await scope.ServiceProvider.GetRequiredService<ISender>().Send(request);
}

async Task<T> Db<T>(Func<OptLibDbContext, Task<T>> work)
{
    await using var scope = host.Services.CreateAsyncScope();
    return await work(scope.ServiceProvider.GetRequiredService<OptLibDbContext>());
}

namespace OptLib.Pipeline.Bench
{
    internal sealed record Sample(AttemptStatus Status, double Store, double Solve, double RetrieveFormulation, double Formulate, double RetrieveProgram,
        double Program, double Sandbox)
    {
        public double Model => Formulate + Program;

        public double Total => Store + Solve;

        public double Other => Total - RetrieveFormulation - RetrieveProgram - Model - Sandbox;
    }

    /// <summary>Answers at once: a formulation, then the Wyndor program for every program call.</summary>
    internal sealed class ZeroLatencyModel(string program) : IChatModel
    {
        private int _calls;

        public int Calls => _calls;

        public bool IsConfigured => true;

        public Task<ModelReply> CompleteAsync(ModelCall call, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            var text = call.Purpose == "formulation"
                ? "Sets: products. Parameters: plant hours. Variables: doors, windows >= 0. Objective: max 3d + 5w. Constraints: one row per plant."
                : "```csharp\n" + program + "\n```";
            return Task.FromResult(new ModelReply(text, new ModelUsage("zero-latency", call.Purpose, 0, 0, 0, "ok", 0m)));
        }
    }

    internal static class Stats
    {
        public static double P(List<double> values, int percentile)
        {
            var sorted = values.Order().ToList();
            return sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
        }
    }

    internal static class Data
    {
        /// <summary>AlphaOPT's reference files (../shared/datasets/alphaopt from the repository), read where they are.</summary>
        public static string Find()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "datasets", "alphaopt");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new InvalidOperationException($"shared/datasets/alphaopt was not found above {AppContext.BaseDirectory}.");
        }

        /// <summary>The train problems' descriptions: real lengths and vocabulary for retrieval.</summary>
        public static List<string> ProblemTexts(string alphaopt) =>
            Directory.GetFiles(Path.Combine(alphaopt, "tasks"), "*_train.json").Order()
                .SelectMany(f => JsonNode.Parse(File.ReadAllText(f))!.AsArray())
                .Select(t => (string?)t!["description"])
                .OfType<string>()
                .ToList();

        public static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
    }
}
