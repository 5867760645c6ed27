using OptLib.Solver.Runner.Harness;
using OptLib.Solver.Wire;

namespace OptLib.Solver.Runner;

/// <summary>
/// One dummy program through the whole path, so that Roslyn, the JIT and the solvers' native code are loaded
/// before a real program arrives. This is what makes a pre-spawned runner answer in tens of milliseconds.
/// </summary>
internal static class Warmup
{
    // Shaped like what models write: arrays, loops, LINQ, lambdas, expression building, string interpolation.
    private const string LinearProgram = """
        using Google.OrTools.LinearSolver;
        public sealed class Warm : IOptModel
        {
            public void Build(IModelContext ctx)
            {
                double[] value = { 5, 4, 3, 7, 2 };
                double[] weight = { 2, 3, 1, 4, 2 };
                var s = Solver.CreateSolver("SCIP");
                var x = s.MakeIntVarArray(value.Length, 0, 3, "x");
                var y = new Variable[2, 2];
                for (var i = 0; i < 2; i++)
                    for (var j = 0; j < 2; j++)
                        y[i, j] = s.MakeNumVar(0, 1, $"y_{i}_{j}");
                var w = new LinearExpr();
                foreach (var i in Enumerable.Range(0, value.Length))
                    w += weight[i] * x[i];
                s.Add(w <= 9);
                s.Add(x[0] + x[1] >= 1);
                s.Add(y[0, 0] + y[1, 1] == 1);
                var names = new List<string>();
                var lookup = new Dictionary<string, double>();
                for (var i = 0; i < value.Length; i++)
                {
                    names.Add($"item {i}");
                    lookup[names[i]] = Math.Round(value[i] / weight[i], 2);
                }
                var best = lookup.OrderByDescending(kv => kv.Value).Select(kv => kv.Key).First();
                s.Maximize(x.Select((v, i) => value[i] * v).Aggregate((a, b) => a + b) + y[0, 0]);
                ctx.Use(s);
                ctx.Report("x0", x[0]);
                Console.WriteLine($"warm {best} {string.Join(",", names)} {value.Sum():F1}");
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
        ProgramRun.Execute(new RunnerJob("csharp", LinearProgram, 5, 10_000, 256, 1));
        ProgramRun.Execute(new RunnerJob("lp", "max: x + y;\nc: x + 2 y <= 4;\n0 <= x <= 3;\n0 <= y <= 3;\nint y;\n", 5, 10_000, 256, 1));
        var linear = ProgramRun.Execute(new RunnerJob("csharp", LinearProgram, 5, 10_000, 256, 1));
        var cp = ProgramRun.Execute(new RunnerJob("csharp", CpProgram, 5, 10_000, 256, 1));
        if (linear.Status != RunnerStatus.Optimal || cp.Status != RunnerStatus.Optimal)
            throw new InvalidOperationException($"warm-up failed: {linear.Status} {cp.Status} {string.Join("; ", linear.Diagnostics.Concat(cp.Diagnostics).Select(d => d.Message))}");
        var json = System.Text.Json.JsonSerializer.Serialize(new RunnerJob("csharp", LinearProgram, 5, 10_000, 256, 1), ProtocolChannel.Json);
        _ = System.Text.Json.JsonSerializer.Deserialize<RunnerJob>(json, ProtocolChannel.Json);
        _ = System.Text.Json.JsonSerializer.Serialize(linear, ProtocolChannel.Json);
    }
}
