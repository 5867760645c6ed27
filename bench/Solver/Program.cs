extern alias runner;
using System.Diagnostics;
using System.Globalization;
using OptLib.Solver;
using OptLib.Solver.Runs;
using OptLib.Solver.Sandbox;
using Compiler = runner::OptLib.Solver.Runner.Compiling.ProgramCompiler;
using InProcess = runner::OptLib.Solver.Runner.Harness.ProgramRun;
using RunnerJob = runner::OptLib.Solver.Wire.RunnerJob;
using Analysis = runner::OptLib.Solver.Runner.Harness.LinearAnalysis;
using Deadline = runner::OptLib.Solver.Runner.Harness.Deadline;
using Snapshot = runner::OptLib.Solver.Wire.LinearSnapshot;
using Row = runner::OptLib.Solver.Wire.LinearRow;

// Submit -> verified result for a 10-variable MIP: cold (a fresh runner per program), warm (pre-spawned runners),
// in-process with no sandbox, and sustained throughput with used runners being replaced.
// Usage: dotnet run -c Release --project bench/Solver [-- runs [inprocess,warm,sustained,cold]]
var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100;
var modes = (args.Length > 1 ? args[1] : "inprocess,warm,sustained,cold").Split(',');
const string Mip = """
    using Google.OrTools.LinearSolver;

    public sealed class Mip : IOptModel
    {
        public void Build(IModelContext ctx)
        {
            double[] value = { 12, 7, 15, 9, 11, 6, 14, 8, 10, 13 };
            double[] weight = { 4, 3, 6, 3, 5, 2, 6, 3, 4, 5 };
            double[] volume = { 2, 3, 4, 1, 3, 2, 5, 2, 3, 4 };
            var solver = Solver.CreateSolver("SCIP");
            var x = solver.MakeIntVarArray(10, 0, 3, "x");
            var w = new LinearExpr();
            var v = new LinearExpr();
            var z = new LinearExpr();
            for (var i = 0; i < 10; i++)
            {
                w += weight[i] * x[i];
                v += volume[i] * x[i];
                z += value[i] * x[i];
            }
            solver.Add(w <= 23);
            solver.Add(v <= 17);
            solver.Add(x[0] + x[2] + x[6] <= 4);
            solver.Maximize(z);
            ctx.Use(solver);
        }
    }
    """;

var request = new RunRequest(ProgramLanguage.CSharp, Mip);
Console.WriteLine($"OptLib.Solver bench: {runs} runs per mode, {Environment.ProcessorCount} cores, {DateTime.UtcNow:u}");

// In-process: the runner's own compile + build + solve, no process and no sandbox.
var job = new RunnerJob("csharp", Mip, 10, 64 * 1024, 1024, 2);
var stdout = Console.Out;
var warmReport = InProcess.Execute(job);
var objective = warmReport.Objective;
var inProcessRuns = modes.Contains("inprocess") ? runs : 1;
var inProcess = Measure(inProcessRuns, () => { var r = InProcess.Execute(job); if (Environment.GetEnvironmentVariable("BENCH_VERBOSE") == "1") Console.Error.WriteLine($"  in-process policy {r.PolicyMs:F1} compile {r.CompileMs:F1} run {r.RunMs:F1}"); return Task.CompletedTask; });
// The probe's baseline: the model already compiled, only Build + Solve (+ the answer snapshot).
var compiled = Compiler.Compile(Mip).Assembly!;
var buildSolve = Measure(inProcessRuns, () => { InProcess.BuildAndSolve(compiled, job); return Task.CompletedTask; });
// The harness captures the console for the program it runs; take it back for the report.
Console.SetOut(stdout);
Console.SetError(stdout);
Report("in-process compile + build + solve (no sandbox)", inProcess);
Report("in-process build + solve only", buildSolve);

// What the sandbox adds after the solve (ADR 0021): the MIP's sensitivity (its LP with the integers fixed), and the
// deletion filter on a planted conflict of 3 rows hidden among 48 others and 40 finite bounds (91 GLOP solves).
var solved = InProcess.BuildAndSolve(compiled, job);
var mipNames = Enumerable.Range(0, solved.Solution!.Length).Select(i => $"x{i}").ToList();
var shown = Analysis.Sensitivity(solved.Model, mipNames, solved.Solution, Deadline.After(10))!;
Console.WriteLine($"the MIP's sensitivity: {shown.Basis}, {shown.Constraints.Count} rows ({shown.Constraints.Count(c => c.Binding)} binding), {shown.Variables.Count} variables");
Report("in-process sensitivity of the MIP", Measure(inProcessRuns, () =>
{
    if (Analysis.Sensitivity(solved.Model, mipNames, solved.Solution, Deadline.After(10)) is not { Basis: "fixedIntegers" })
        throw new InvalidOperationException("no sensitivity");
    return Task.CompletedTask;
}));
var (planted, plantedNames) = PlantedConflict(variables: 20, irrelevantRows: 48);
Report("in-process irreducible infeasible subset (51 rows, 40 bounds)", Measure(inProcessRuns, () =>
{
    if (Analysis.Conflict(planted, plantedNames, Deadline.After(10), 1024) is not { Constraints.Count: 3, Bounds.Count: 0, Complete: true })
        throw new InvalidOperationException("the planted conflict was not found");
    return Task.CompletedTask;
}));

// Warm: pre-spawned runners. Each measured run waits until a replacement runner is warm, as in light load.
await using (var pool = new RunnerPool(RunnerLaunch.Create(Options(poolSize: 2))))
{
    var isolation = (await pool.RunAsync(request, CancellationToken.None)).Isolation;
    var warm = await MeasureAsync(modes.Contains("warm") ? runs : 1, async () =>
    {
        var result = await pool.RunAsync(request, CancellationToken.None);
        Check(result, objective);
    }, between: () => WaitForWarmAsync(pool));
    Report($"warm pool ({isolation})", warm);
    Ratio(warm, inProcess, "compile + build + solve");
    Ratio(warm, buildSolve, "build + solve");

    if (modes.Contains("sustained"))
    {
    // Sustained: keep both cores busy with submissions; replacing used runners is part of the cost.
    var clock = Stopwatch.StartNew();
    var done = 0;
    await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
    {
        while (Interlocked.Increment(ref done) <= runs)
            Check(await pool.RunAsync(request, CancellationToken.None), objective);
    }));
    Console.WriteLine($"sustained: {runs} programs in {clock.Elapsed.TotalSeconds:F1} s = {runs / clock.Elapsed.TotalSeconds:F2} programs/s (2 submitters, pool 2)");
    }
}

// Cold: a fresh runner per program, started when the program arrives.
if (modes.Contains("cold"))
await using (var cold = new RunnerPool(RunnerLaunch.Create(Options(poolSize: 0))))
{
    var coldRuns = await MeasureAsync(runs, async () => Check(await cold.RunAsync(request, CancellationToken.None), objective));
    Report($"cold ({cold.Info.Isolation})", coldRuns);
}

// x0 + x1 <= 10, x0 >= 6 and x1 >= 5 cannot hold together; the other rows and every bound 0 <= x <= 100 play no part.
static (Snapshot Model, List<string> Names) PlantedConflict(int variables, int irrelevantRows)
{
    var all = Enumerable.Range(0, variables).ToArray();
    var rows = Enumerable.Range(0, irrelevantRows)
        .Select(k => new Row($"spare_{k}", double.NegativeInfinity, 100_000, all, all.Select(j => (double)((k + j) % 5 + 1)).ToArray()))
        .ToList();
    rows.Insert(irrelevantRows / 3, new Row("cap", double.NegativeInfinity, 10, [0, 1], [1, 1]));
    rows.Insert(irrelevantRows / 2, new Row("least_x0", 6, double.PositiveInfinity, [0], [1]));
    rows.Add(new Row("least_x1", 5, double.PositiveInfinity, [1], [1]));
    var model = new Snapshot(true, 0, new double[variables], Enumerable.Repeat(100.0, variables).ToArray(), new bool[variables],
        Enumerable.Repeat(1.0, variables).ToArray(), rows, 0);
    return (model, all.Select(j => $"x{j}").ToList());
}

static SolverOptions Options(int poolSize) => new() { PoolSize = poolSize, Sandbox = SandboxMode.Auto, RunnerPath = Environment.GetEnvironmentVariable("OPTLIB_RUNNER") };

static void Check(RunResult result, double? objective)
{
    if (Environment.GetEnvironmentVariable("BENCH_VERBOSE") == "1")
        Console.WriteLine($"  policy {result.Timings.PolicyMs:F1} compile {result.Timings.CompileMs:F1} run {result.Timings.RunMs:F1} total {result.Timings.TotalMs:F1}");
    if (result.Status != RunStatus.Optimal || result.Objective != objective || !result.Verification.Passed)
        throw new InvalidOperationException($"unexpected result {result.Status} {result.Objective}: {string.Join("; ", result.Diagnostics.Select(d => d.Message))}");
}

static async Task WaitForWarmAsync(RunnerPool pool)
{
    while (!pool.HasReadyRunner || pool.WarmingCount > 0)
        await Task.Delay(20);
}

static double[] Measure(int n, Func<Task> action)
{
    var times = new double[n];
    for (var i = 0; i < n; i++)
    {
        var clock = Stopwatch.StartNew();
        action().GetAwaiter().GetResult();
        times[i] = clock.Elapsed.TotalMilliseconds;
    }
    return times;
}

static async Task<double[]> MeasureAsync(int n, Func<Task> action, Func<Task>? between = null)
{
    var times = new double[n];
    for (var i = 0; i < n; i++)
    {
        if (between is not null)
            await between();
        var clock = Stopwatch.StartNew();
        await action();
        times[i] = clock.Elapsed.TotalMilliseconds;
    }
    return times;
}

static double Percentile(double[] times, double p)
{
    var sorted = times.Order().ToArray();
    return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}

static void Report(string name, double[] times) =>
    Console.WriteLine($"{name}: p50 {Percentile(times, 0.50):F2} ms, p95 {Percentile(times, 0.95):F2} ms, min {times.Min():F2} ms, max {times.Max():F2} ms");

static void Ratio(double[] sandboxed, double[] inProcess, string baseline) =>
    Console.WriteLine($"ratio warm pool / in-process {baseline}: p50 {Percentile(sandboxed, 0.5) / Percentile(inProcess, 0.5):F1}x");
