using OptLib.Solver.Runner.Harness;
using OptLib.Solver.Wire;

namespace OptLib.Solver.Runner;

/// <summary>
/// One dummy program through the whole path, so that Roslyn, the JIT and the solvers' native code are loaded
/// before a real program arrives. This is what makes a pre-spawned runner answer in tens of milliseconds.
/// </summary>
internal static class Warmup
{
    private const string LinearProgram = """
        using Google.OrTools.LinearSolver;
        public sealed class Warm : IOptModel
        {
            public void Build(IModelContext ctx)
            {
                var s = Solver.CreateSolver("SCIP");
                var x = s.MakeIntVarArray(3, 0, 5, "x");
                s.Add(x[0] + 2 * x[1] + x[2] <= 7);
                s.Maximize(x.Select((v, i) => (i + 1.0) * v).Aggregate((a, b) => a + b));
                ctx.Use(s);
                ctx.Report("x0", x[0]);
                Console.WriteLine($"warm {Math.Max(1, 2)}");
            }
        }
        """;

    private const string CpProgram = """
        using Google.OrTools.Sat;
        public sealed class Warm : IOptModel
        {
            public void Build(IModelContext ctx)
            {
                var m = new CpModel();
                var x = m.NewIntVar(0, 3, "x");
                var y = m.NewIntVar(0, 3, "y");
                m.Add(x + y <= 4);
                m.Maximize(x + 2 * y);
                ctx.Use(m);
            }
        }
        """;

    public static void Run()
    {
        var linear = ProgramRun.Execute(new RunnerJob("csharp", LinearProgram, 5, 10_000, 256, 1));
        var cp = ProgramRun.Execute(new RunnerJob("csharp", CpProgram, 5, 10_000, 256, 1));
        if (linear.Status != RunnerStatus.Optimal || cp.Status != RunnerStatus.Optimal)
            throw new InvalidOperationException($"warm-up failed: {linear.Status} {cp.Status} {string.Join("; ", linear.Diagnostics.Concat(cp.Diagnostics).Select(d => d.Message))}");
        _ = System.Text.Json.JsonSerializer.Serialize(linear, ProtocolChannel.Json);
    }
}
