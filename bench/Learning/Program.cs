using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OptLib.Library;
using OptLib.Library.Attempts;
using OptLib.Library.Insights;
using OptLib.Library.Jobs;
using OptLib.Library.Learning;
using OptLib.Library.Models;
using OptLib.Library.Problems;
using OptLib.Library.Solving;
using OptLib.Library.Storage;
using OptLib.Library.Validation;
using OptLib.Learning.Bench;
using OptLib.Solver;

// What learning from the service's own failures costs, in pipeline solves, with two workers: N failures submitted as
// an application submits them (with the answer), three lessons shared among them, one learning job with no
// parameters, then new problems of the same kinds. The model is a zero-latency script; the sandbox and the database
// are real. Usage: dotnet run -c Release --project bench/Learning [-- failures-per-lesson]   (default 12: 36 failures)
var perLesson = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 12;
const int Workers = 2;

var builder = Host.CreateApplicationBuilder([]);
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["OptLib:DataDirectory"] = Directory.CreateTempSubdirectory("optlib-learning-bench-").FullName,
    ["OptLib:Embedded:InMemory"] = "true",
    ["Worker:InProcess"] = "true",
    ["Worker:Schedules"] = "false",
    ["Worker:WorkerCount"] = Workers.ToString(CultureInfo.InvariantCulture),
    ["Worker:SolveConcurrency"] = Workers.ToString(CultureInfo.InvariantCulture),
    ["Retrieval:UseModel"] = "false",
    ["Pipeline:MaxDebugRounds"] = "0",
    ["Logging:LogLevel:Default"] = "Warning",
});
builder.AddLibrary();
var model = new LessonModel(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Programs", "lp_wyndor.cs")));
builder.Services.AddSingleton<IChatModel>(model);
using var host = builder.Build();
await host.StartAsync();
Console.WriteLine($"OptLib learning-cost bench, {DateTime.UtcNow:u}: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, " +
    $".NET {Environment.Version}, load average {LessonModel.Load()}; {Workers} workers; {perLesson} failures per lesson, {3 * perLesson} in all");

// Failures as an application submits them: the text, the answer it expects, and the solve queue.
var clock = Stopwatch.StartNew();
var submitted = new List<long>();
for (var i = 1; i <= perLesson; i++)
{
    foreach (var family in LessonModel.Families)
    {
        submitted.Add(await Send(new SubmitProblem(LessonModel.Text(family, i), 36, null, null, null, "bench")));
    }
}

await WaitAsync(async () => await Db(db => db.Problems.CountAsync(p => submitted.Contains(p.Id) && (p.Status == ProblemStatus.Solved || p.Status == ProblemStatus.Failed))) == submitted.Count);
var statuses = await Db(db => db.Attempts.Where(a => submitted.Contains(a.ProblemId)).GroupBy(a => a.Status).Select(g => new { g.Key, N = g.Count() }).ToListAsync());
Console.WriteLine($"submitted and solved in {clock.Elapsed.TotalSeconds:0} s: {string.Join(", ", statuses.Select(s => $"{s.N} {s.Key}"))}");
var waiting = await Db(db => LearningQueue.Waiting(db).CountAsync());

clock.Restart();
var job = await Send(new CreateJob(LearningKind.KindName, JsonDocument.Parse("{}").RootElement, "bench"));
JobDto? finished = null;
await WaitAsync(async () => (finished = await Send(new GetJob(job.Id)))!.IsFinished);
Console.WriteLine($"learning job {job.Id}: {finished!.State} in {clock.Elapsed.TotalSeconds:0} s");
Console.WriteLine();
Console.WriteLine(finished.Report);

var m = finished.Metrics!.Value;
var proposed = await Db(db => db.Insights.CountAsync(i => i.Status == InsightStatus.Proposed));
var active = await Db(db => db.Insights.Where(i => i.Status == InsightStatus.Active).Select(i => i.Explanation).ToListAsync());
var stillWaiting = await Db(db => LearningQueue.Waiting(db).CountAsync());
Console.WriteLine("| measure | value |");
Console.WriteLine("|---|---|");
Console.WriteLine($"| failures waiting before the run (dashboard) | {waiting} |");
Console.WriteLine($"| learn items / failed items | {m.GetProperty("learnItems").GetInt32()} / {m.GetProperty("failedItems").GetInt32()} |");
Console.WriteLine($"| verification solves, by purpose | {m.GetProperty("solves").GetRawText()} |");
Console.WriteLine($"| verification solves per consumed failure | {m.GetProperty("verificationSolvesPerFailure").GetDouble():0.00} |");
Console.WriteLine($"| proposed insights left (approval off) | {proposed} |");
Console.WriteLine($"| active insights per lesson | {string.Join(", ", LessonModel.Families.Select(f => $"{f}: {active.Count(e => e.Contains(LessonModel.Rule(f), StringComparison.Ordinal))}"))} |");
Console.WriteLine($"| failures still waiting after the run | {stillWaiting} |");

// New problems of the same kinds, solved with what was learned.
var fresh = new List<long>();
foreach (var family in LessonModel.Families)
{
    for (var i = 1; i <= 2; i++)
    {
        fresh.Add(await Send(new SubmitProblem(LessonModel.Text(family, 100 + i), 36, null, null, null, "bench")));
    }
}

await WaitAsync(async () => await Db(db => db.Problems.CountAsync(p => fresh.Contains(p.Id) && (p.Status == ProblemStatus.Solved || p.Status == ProblemStatus.Failed))) == fresh.Count);
var correct = await Db(db => db.Attempts.CountAsync(a => fresh.Contains(a.ProblemId) && a.Status == AttemptStatus.Correct));
Console.WriteLine($"| new problems of the same kinds solved correctly | {correct} of {fresh.Count} |");
Console.WriteLine();
Console.WriteLine($"load average at the end {LessonModel.Load()}; model calls {model.Calls}");
await host.StopAsync();

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

// Polls the database for the state the next step needs; a bench, not a test: it gives up after 30 minutes.
static async Task WaitAsync(Func<Task<bool>> done)
{
    var deadline = DateTime.UtcNow.AddMinutes(30);
    while (!await done())
    {
        if (DateTime.UtcNow > deadline)
        {
            throw new TimeoutException("the bench's work did not finish in 30 minutes");
        }

        await Task.Delay(250);
    }
}

namespace OptLib.Learning.Bench
{
    /// <summary>
    /// Three lessons. mill: a program lesson (the program prompt's own insights must hold it; extraction files it
    /// under the first Code Implementation label offered). depot: the same words every time. cellar: other words every
    /// time, merged by the model into one text.
    /// </summary>
    internal sealed partial class LessonModel(string right) : IChatModel
    {
        public static readonly string[] Families = ["mill", "depot", "cellar"];

        private readonly string _wrong = right.Replace("3 * doors + 2 * windows <= 18", "3 * doors + 2 * windows <= 20", StringComparison.Ordinal);

        private int _calls;

        public int Calls => _calls;

        public bool IsConfigured => true;

        public static string Rule(string family) => family.ToUpperInvariant() + "-LESSON";

        public static string Text(string family, int n) => family switch
        {
            "mill" => $"A paper mill (batch {n}) presses whole reels of two grades; maximise profit.",
            "depot" => $"A fuel depot (batch {n}) blends two grades through one pump; maximise profit.",
            _ => $"A wine cellar (batch {n}) bottles red and white on one line; maximise profit.",
        };

        public static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

        public Task<ModelReply> CompleteAsync(ModelCall call, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            var text = Reply(call);
            return Task.FromResult(new ModelReply(text, new ModelUsage("script", call.Purpose, call.User.Length / 4, text.Length / 4, 0, "ok", 0m)));
        }

        private string Reply(ModelCall call)
        {
            var family = Family(call.User);
            switch (call.Purpose)
            {
                case "formulation":
                    // Carries along every insight shown, as a diligent model would.
                    return "Objective: maximise profit.\n" + string.Join('\n', Shown().Matches(call.User).Select(x => "Applied: " + x.Groups[1].Value));
                case "program":
                    var learned = family == "mill"
                        ? Shown().Matches(call.User).Any(x => x.Groups[1].Value.Contains(Rule(family), StringComparison.Ordinal))
                        : call.User.Contains(Rule(family), StringComparison.Ordinal);
                    return Code(learned ? right : _wrong);
                case var p when p.StartsWith("self-explore", StringComparison.Ordinal):
                    return "Formulation: the line has 18 hours, not 20.\n" + Code(right);
                case "extract-insights":
                    var label = family == "mill" ? Offered(call.User).First(l => l.StartsWith("Code Implementation / ", StringComparison.Ordinal)) : "General Formulation / Constraints / Line Hours";
                    var batch = Batch().Match(call.User).Groups[1].Value;
                    var (condition, explanation) = family switch
                    {
                        "mill" => ("When a mill presses whole reels.", $"{Rule(family)}: reels are whole numbers; use a MIP solver, not GLOP."),
                        "depot" => ("When a depot's grades share one pump.", $"{Rule(family)}: the pump runs 18 hours; one row for it."),
                        _ => ($"When a cellar (batch {batch}) fills bottles of {Words[int.Parse(batch, CultureInfo.InvariantCulture) % Words.Length]}.", $"{Rule(family)}: batch {batch} needs the line's 18 hours."),
                    };
                    var parts = label.Split(" / ");
                    return JsonSerializer.Serialize(new
                    {
                        insights = new[] { new { labels = new[] { new { stage = parts[0], level1 = parts[1], level2 = parts[2] } }, condition, explanation, example = "20 -> 18" } },
                    });
                case "merge-decision":
                    var marker = call.User.IndexOf("Existing insights:", StringComparison.Ordinal);
                    var rule = Rules().Match(call.User[..marker]).Value;
                    var same = call.User[marker..].Split("\n\n").FirstOrDefault(b => rule.Length > 0 && b.Contains(rule, StringComparison.Ordinal));
                    return same is null
                        ? """{"mergeWith": null, "reason": "another lesson"}"""
                        : JsonSerializer.Serialize(new
                        {
                            mergeWith = long.Parse(Id().Match(same).Groups[1].Value, CultureInfo.InvariantCulture),
                            condition = "When a cellar's wines share the hours of its bottling line.",
                            explanation = $"{rule}: the bottling line runs 18 hours; one capacity row for it.",
                            example = "20 -> 18",
                            reason = "one lesson",
                        });
                default:
                    throw new InvalidOperationException($"no script for {call.Purpose}");
            }
        }

        private static readonly string[] Words = ["red and white", "rosé for the summer", "sparkling wine in magnums", "dessert wine in half bottles", "a young red"];

        private static string Family(string prompt) =>
            prompt.Contains("A paper mill", StringComparison.Ordinal) ? "mill" : prompt.Contains("A fuel depot", StringComparison.Ordinal) ? "depot" : "cellar";

        private static string Code(string program) => "```csharp\n" + program + "\n```";

        private static List<string> Offered(string prompt)
        {
            const string heading = "Labels in use (stage / level 1 / level 2):\n";
            var start = prompt.IndexOf(heading, StringComparison.Ordinal) + heading.Length;
            return [.. prompt[start..].Split('\n').TakeWhile(l => l.Length > 0)];
        }

        [GeneratedRegex(@"^\[I\d+\] (.*)$", RegexOptions.Multiline)]
        private static partial Regex Shown();

        [GeneratedRegex(@"\(batch (\d+)\)")]
        private static partial Regex Batch();

        [GeneratedRegex(@"[A-Z]+-LESSON")]
        private static partial Regex Rules();

        [GeneratedRegex(@"^Id: (\d+)", RegexOptions.Multiline)]
        private static partial Regex Id();
    }
}
