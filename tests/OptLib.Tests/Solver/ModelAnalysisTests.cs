using System.Net;
using System.Net.Http.Json;
using OptLib.Library.Access;
using OptLib.Solver.Runs;
using OptLib.Tests.Infrastructure;

namespace OptLib.Tests.Solver;

/// <summary>
/// POST /api/solver/runs against the real sandbox: the shadow prices, slacks and reduced costs of a solved linear
/// model, and the smallest conflicting set of an infeasible one. Every expected figure is worked out by hand in the
/// comment above it.
/// </summary>
public sealed class ModelAnalysisTests(OptLibApp app) : IClassFixture<OptLibApp>
{
    private const double Tol = 1e-6;

    [Fact]
    public async Task AnLpReportsTheDualsSlacksAndBindingConstraintsWorkedOutByHand()
    {
        // Wyndor (Hillier & Lieberman): max 3d + 5w, c1: d <= 4, c2: 2w <= 12, c3: 3d + 2w <= 18; optimum d = 2, w = 6.
        // c2 and c3 are tight; with y1 = 0, the duals solve (d) 3 y3 = 3 and (w) 2 y2 + 2 y3 = 5: y3 = 1, y2 = 1.5.
        // Both variables are basic, so their reduced costs are 0; c1 has slack 4 - 2 = 2.
        var result = await RunAsync("lp", """
            max: 3 doors + 5 windows;
            c1: doors <= 4;
            c2: 2 windows <= 12;
            c3: 3 doors + 2 windows <= 18;
            doors >= 0;
            windows >= 0;
            """);

        Assert.Equal(RunStatus.Optimal, result.Status);
        var sensitivity = Assert.IsType<Sensitivity>(result.Sensitivity);
        Assert.Equal("lp", sensitivity.Basis);
        AssertRow(sensitivity, "c1", dual: 0, slack: 2, binding: false);
        AssertRow(sensitivity, "c2", dual: 1.5, slack: 0, binding: true);
        AssertRow(sensitivity, "c3", dual: 1, slack: 0, binding: true);
        AssertVariable(sensitivity, "doors", value: 2, reducedCost: 0);
        AssertVariable(sensitivity, "windows", value: 6, reducedCost: 0);
        Assert.Null(result.Infeasibility);
    }

    [Fact]
    public async Task AMinimisationsDualsAreTheCostOfRaisingEachBoundAndAnUnusedVariableHasAReducedCost()
    {
        // min 2x + 3y + 4z, demand: x + y + z >= 4, quality: x + 3y + z >= 6, cap: x <= 5, all >= 0.
        // Optimum x = 3, y = 1, z = 0 (cost 9): demand and quality are tight, so u + v = 2 (x) and u + 3v = 3 (y):
        // u = 1.5, v = 0.5. z's reduced cost is 4 - (1.5 + 0.5) = 2; cap has slack 5 - 3 = 2 and is worth nothing.
        var result = await RunAsync("csharp", """
            using Google.OrTools.LinearSolver;

            public sealed class Blend : IOptModel
            {
                public void Build(IModelContext ctx)
                {
                    var s = Solver.CreateSolver("GLOP");
                    var x = s.MakeNumVar(0, double.PositiveInfinity, "x");
                    var y = s.MakeNumVar(0, double.PositiveInfinity, "y");
                    var z = s.MakeNumVar(0, double.PositiveInfinity, "z");
                    var demand = s.MakeConstraint(4, double.PositiveInfinity, "demand");
                    demand.SetCoefficient(x, 1); demand.SetCoefficient(y, 1); demand.SetCoefficient(z, 1);
                    var quality = s.MakeConstraint(6, double.PositiveInfinity, "quality");
                    quality.SetCoefficient(x, 1); quality.SetCoefficient(y, 3); quality.SetCoefficient(z, 1);
                    var cap = s.MakeConstraint(double.NegativeInfinity, 5, "cap");
                    cap.SetCoefficient(x, 1);
                    s.Minimize(2 * x + 3 * y + 4 * z);
                    ctx.Use(s);
                }
            }
            """);

        Assert.Equal(RunStatus.Optimal, result.Status);
        Assert.Equal(9, result.Objective!.Value, 6);
        var sensitivity = Assert.IsType<Sensitivity>(result.Sensitivity);
        Assert.Equal("lp", sensitivity.Basis);
        AssertRow(sensitivity, "demand", dual: 1.5, slack: 0, binding: true);
        AssertRow(sensitivity, "quality", dual: 0.5, slack: 0, binding: true);
        AssertRow(sensitivity, "cap", dual: 0, slack: 2, binding: false);
        AssertVariable(sensitivity, "x", value: 3, reducedCost: 0);
        AssertVariable(sensitivity, "y", value: 1, reducedCost: 0);
        AssertVariable(sensitivity, "z", value: 0, reducedCost: 2);
    }

    [Fact]
    public async Task AMipReportsTheLpWithItsIntegersFixedAndSaysSo()
    {
        // max 3a + 2b, c1: a + b <= 4.5, c2: a <= 2.7, a integer, b >= 0: the MIP's optimum is a = 2, b = 2.5 (11).
        // With a fixed at 2 the LP is max 2b + 6 with b <= 2.5: c1's dual is 2, c2 has slack 0.7 and dual 0, and a's
        // reduced cost is 3 - (1 * 2 + 1 * 0) = 1.
        var result = await RunAsync("csharp", """
            using Google.OrTools.LinearSolver;

            public sealed class Mixed : IOptModel
            {
                public void Build(IModelContext ctx)
                {
                    var s = Solver.CreateSolver("SCIP");
                    var a = s.MakeIntVar(0, double.PositiveInfinity, "a");
                    var b = s.MakeNumVar(0, double.PositiveInfinity, "b");
                    var c1 = s.MakeConstraint(double.NegativeInfinity, 4.5, "c1");
                    c1.SetCoefficient(a, 1); c1.SetCoefficient(b, 1);
                    var c2 = s.MakeConstraint(double.NegativeInfinity, 2.7, "c2");
                    c2.SetCoefficient(a, 1);
                    s.Maximize(3 * a + 2 * b);
                    ctx.Use(s);
                }
            }
            """);

        Assert.Equal(RunStatus.Optimal, result.Status);
        Assert.Equal(11, result.Objective!.Value, 6);
        var sensitivity = Assert.IsType<Sensitivity>(result.Sensitivity);
        Assert.Equal("fixedIntegers", sensitivity.Basis);
        AssertRow(sensitivity, "c1", dual: 2, slack: 0, binding: true);
        AssertRow(sensitivity, "c2", dual: 0, slack: 0.7, binding: false);
        AssertVariable(sensitivity, "a", value: 2, reducedCost: 1);
        AssertVariable(sensitivity, "b", value: 2.5, reducedCost: 0);
    }

    [Fact]
    public async Task APlantedConflictAmongConstraintsIsFoundAndNothingElse()
    {
        // c1, c2 and c3 cannot hold together (x >= 6 and y >= 5 make x + y >= 11 > 10); c4, c5 and the bounds x, y >= 0
        // play no part, and dropping any one of c1..c3 leaves a feasible model.
        var result = await RunAsync("csharp", """
            using Google.OrTools.LinearSolver;

            public sealed class Planted : IOptModel
            {
                public void Build(IModelContext ctx)
                {
                    var s = Solver.CreateSolver("GLOP");
                    var x = s.MakeNumVar(0, double.PositiveInfinity, "x");
                    var y = s.MakeNumVar(0, double.PositiveInfinity, "y");
                    Row(s, "c1", double.NegativeInfinity, 10, (x, 1), (y, 1));
                    Row(s, "c4", double.NegativeInfinity, 100, (x, 1), (y, -1));
                    Row(s, "c2", 6, double.PositiveInfinity, (x, 1));
                    Row(s, "c5", double.NegativeInfinity, 50, (x, 1), (y, 2));
                    Row(s, "c3", 5, double.PositiveInfinity, (y, 1));
                    s.Maximize(x + y);
                    ctx.Use(s);
                }

                private static void Row(Solver s, string name, double lb, double ub, params (Variable V, double C)[] terms)
                {
                    var c = s.MakeConstraint(lb, ub, name);
                    foreach (var (v, k) in terms)
                        c.SetCoefficient(v, k);
                }
            }
            """);

        Assert.Equal(RunStatus.Infeasible, result.Status);
        var conflict = Assert.IsType<Infeasibility>(result.Infeasibility);
        Assert.Equal(["c1", "c2", "c3"], conflict.Constraints.Order());
        Assert.Empty(conflict.Bounds);
        Assert.True(conflict.Complete);
        Assert.Equal("lp", conflict.Test);
        Assert.Null(result.Sensitivity);
    }

    [Fact]
    public async Task AConflictWithVariableBoundsNamesTheBounds()
    {
        // x <= 3 and y <= 4 cap x + y at 7, below c1's 8; the lower bounds and c2 are not needed.
        var result = await RunAsync("lp", """
            min: x + y;
            c1: x + y >= 8;
            c2: x + 2 y <= 40;
            x <= 3;
            y <= 4;
            x >= 0;
            y >= 0;
            """);

        Assert.Equal(RunStatus.Infeasible, result.Status);
        var conflict = Assert.IsType<Infeasibility>(result.Infeasibility);
        Assert.Equal(["c1"], conflict.Constraints);
        Assert.Equal(["x <= 3", "y <= 4"], conflict.Bounds.Order());
        Assert.True(conflict.Complete);
    }

    [Fact]
    public async Task AModelInfeasibleOnlyInIntegersIsTestedAsAnIntegerModel()
    {
        // 2a - 2b = 1 has no integer solution (the left side is even) but an LP one; c2 and the bounds play no part.
        var result = await RunAsync("lp", """
            max: a + b;
            c1: 2 a - 2 b = 1;
            c2: a + b <= 100;
            a >= 0;
            a <= 10;
            b >= 0;
            b <= 10;
            int a, b;
            """);

        Assert.Equal(RunStatus.Infeasible, result.Status);
        var conflict = Assert.IsType<Infeasibility>(result.Infeasibility);
        Assert.Equal("integer", conflict.Test);
        Assert.Equal(["c1"], conflict.Constraints);
        Assert.Empty(conflict.Bounds);
        Assert.True(conflict.Complete);
    }

    private static void AssertRow(Sensitivity sensitivity, string name, double dual, double slack, bool binding)
    {
        var row = Assert.Single(sensitivity.Constraints, c => c.Name == name);
        Assert.True(Math.Abs(row.Dual - dual) < Tol, $"{name}: dual {row.Dual}, expected {dual}");
        Assert.True(Math.Abs(row.Slack - slack) < Tol, $"{name}: slack {row.Slack}, expected {slack}");
        Assert.Equal(binding, row.Binding);
    }

    private static void AssertVariable(Sensitivity sensitivity, string name, double value, double reducedCost)
    {
        var variable = Assert.Single(sensitivity.Variables, v => v.Name == name);
        Assert.True(Math.Abs(variable.Value - value) < Tol, $"{name}: value {variable.Value}, expected {value}");
        Assert.True(Math.Abs(variable.ReducedCost - reducedCost) < Tol, $"{name}: reduced cost {variable.ReducedCost}, expected {reducedCost}");
    }

    [Fact]
    public async Task AskedToCrossCheckARunIsSolvedAgainByASecondSolverThatAgrees()
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var source = "max: 3 doors + 5 windows;\nc1: doors <= 4;\nc2: 2 windows <= 12;\nc3: 3 doors + 2 windows <= 18;\nint doors, windows;\n";
        var response = await analyst.PostAsJsonAsync("/api/solver/runs", new { language = "lp", source, expectedObjective = 36, crossCheck = true });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = (await response.Content.ReadFromJsonAsync<RunResult>())!;

        Assert.Equal(RunStatus.Correct, result.Status);
        var check = Assert.IsType<CrossCheck>(result.CrossCheck);
        Assert.NotEqual(result.Solver, check.Solver, StringComparer.OrdinalIgnoreCase);
        Assert.Equal(("Optimal", true), (check.Status, check.Agrees));
        Assert.Equal(36, check.Objective!.Value, 6);

        var unasked = (await (await analyst.PostAsJsonAsync("/api/solver/runs", new { language = "lp", source, expectedObjective = 36 })).Content.ReadFromJsonAsync<RunResult>())!;
        Assert.Null(unasked.CrossCheck); // off unless asked: it costs a second solve
    }

    private async Task<RunResult> RunAsync(string language, string source)
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var response = await analyst.PostAsJsonAsync("/api/solver/runs", new { language, source, timeLimitSeconds = 10 });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<RunResult>())!;
    }
}
