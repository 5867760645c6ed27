using OptLib.Solver.Runs;

namespace OptLib.Solver.Tests;

/// <summary>
/// The corpus of correct programs. Every optimum was computed without a solver, by exact brute force
/// (Programs/reference_optima.py), and is passed as the expected objective, so a pass means: solved, the host's
/// own check of the solution passed, and the objective matched.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class CorrectProgramTests(SandboxFixture sandbox)
{
    [Theory]
    [InlineData("lp_wyndor.cs", 36.0)]
    [InlineData("lp_whiskas_blend.cs", 29.0 / 30.0)]
    [InlineData("lp_transport.cs", 535.0)]
    [InlineData("lp_diet.cs", 184.0 / 11.0)]
    [InlineData("lp_production_pdlp.cs", 650.0)]
    [InlineData("lp_inventory.cs", 2280.0)]
    [InlineData("mb_glop_production.cs", 30.0)]
    [InlineData("lp_text_wyndor.lp", 36.0)]
    [InlineData("lp_text_knapsack.lp", 330.0)]
    [InlineData("mps_text_integer.mps", 20.0)]
    [InlineData("mip_knapsack_scip.cs", 330.0)]
    [InlineData("cp_knapsack.cs", 330.0)]
    [InlineData("mb_knapsack.cs", 330.0)]
    [InlineData("mip_assignment_scip.cs", 265.0)]
    [InlineData("cp_assignment.cs", 15.0)]
    [InlineData("mip_transport_cbc.cs", 535.0)]
    [InlineData("mip_facility_bigm.cs", 159.0)]
    [InlineData("mb_facility_bigm.cs", 159.0)]
    [InlineData("mip_tsp_dfj.cs", 40.0)]
    [InlineData("cp_tsp_circuit.cs", 40.0)]
    [InlineData("mip_tsp_mtz.cs", 234.0)]
    [InlineData("cp_jobshop.cs", 11.0)]
    [InlineData("cp_jobshop_b.cs", 14.0)]
    [InlineData("mip_integer_cbc.cs", 20.0)]
    [InlineData("mip_lot_sizing.cs", 390.0)]
    [InlineData("cp_weighted_completion.cs", 77.0)]
    [InlineData("mip_set_cover.cs", 13.0)]
    [InlineData("mip_graph_coloring.cs", 3.0)]
    [InlineData("cp_bin_packing.cs", 2.0)]
    public async Task ProgramsReachTheirIndependentlyKnownOptimum(string file, double optimum)
    {
        var result = await sandbox.RunFileAsync("Correct/" + file, expected: optimum);

        Assert.True(result.Status == RunStatus.Correct,
            $"{result.Status} ({result.SolverStatus}) objective {result.Objective}: " +
            string.Join("; ", result.Diagnostics.Select(d => d.Message).Concat(result.Verification.Issues)));
        Assert.Equal(RunStatus.Optimal, result.SolverStatus);
        Assert.True(result.Verification.Checked);
        Assert.True(result.Verification.Passed, string.Join("; ", result.Verification.Issues));
        Assert.Equal(optimum, result.Verification.RecomputedObjective!.Value, 4);
        Assert.Equal("bwrap", result.Isolation);
    }

    [Theory]
    [InlineData("lp_infeasible.cs", RunStatus.Infeasible)]
    [InlineData("cp_infeasible.cs", RunStatus.Infeasible)]
    [InlineData("lp_unbounded.cs", RunStatus.Unbounded)]
    [InlineData("mb_unbounded.cs", RunStatus.Unbounded)]
    public async Task InfeasibleAndUnboundedModelsAreReportedAsSuch(string file, RunStatus status)
    {
        var result = await sandbox.RunFileAsync("Correct/" + file);

        Assert.Equal(status, result.Status);
        Assert.Equal(status, result.SolverStatus);
        Assert.Null(result.Objective);
        Assert.False(result.Verification.Checked);
    }

    [Fact]
    public async Task AnExpectedObjectiveTurnsAnInfeasibleModelIntoAWrongAnswer()
    {
        var result = await sandbox.RunFileAsync("Correct/lp_infeasible.cs", expected: 1);

        Assert.Equal(RunStatus.WrongAnswer, result.Status);
        Assert.Equal(RunStatus.Infeasible, result.SolverStatus);
    }

    [Fact]
    public async Task EightQueensFindsAPlacementWhereNoQueenAttacksAnother()
    {
        var result = await sandbox.RunFileAsync("Correct/cp_nqueens.cs");

        Assert.Equal(RunStatus.Optimal, result.Status);
        var rows = Enumerable.Range(0, 8).Select(i => (int)result.Variables[$"q{i}"]).ToArray();
        Assert.Equal(8, rows.Distinct().Count());
        Assert.Equal(8, rows.Select((r, i) => r + i).Distinct().Count());
        Assert.Equal(8, rows.Select((r, i) => r - i).Distinct().Count());
        // AllDifferent is not a linear row: the host says it could not check those constraints.
        Assert.Equal(3, result.Verification.UncheckedConstraints);
    }

    [Fact]
    public async Task ReportedVariablesCarryTheNamesTheProgramGaveThem()
    {
        var result = await sandbox.RunFileAsync("Correct/mip_integer_cbc.cs");

        Assert.Equal(RunStatus.Optimal, result.Status);
        Assert.Equal(["x", "y"], result.Variables.Keys.Order());
        Assert.Equal(20, 5 * result.Variables["x"] + 4 * result.Variables["y"], 6);
        Assert.Contains("CBC", result.Solver, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(36.05, ToleranceRule.Default, RunStatus.WrongAnswer)]
    [InlineData(36.05, ToleranceRule.AlphaOpt, RunStatus.Correct)]
    [InlineData(36.2, ToleranceRule.AlphaOpt, RunStatus.WrongAnswer)]
    [InlineData(36.0036, ToleranceRule.Default, RunStatus.Correct)]
    [InlineData(36.01, ToleranceRule.Default, RunStatus.WrongAnswer)]
    public async Task TheExpectedObjectiveIsComparedUnderTheChosenRule(double expected, ToleranceRule rule, RunStatus status)
    {
        var request = new RunRequest(ProgramLanguage.CSharp, SandboxFixture.Program("Correct/lp_wyndor.cs"), null, expected, rule);

        var result = await sandbox.Pool.RunAsync(request, CancellationToken.None);

        Assert.Equal(status, result.Status);
        Assert.Equal(36, result.Objective!.Value, 6);
    }

    [Fact]
    public async Task ConsoleOutputIsCapturedAndReturned()
    {
        const string source = """
            using Google.OrTools.Sat;
            public sealed class M : IOptModel
            {
                public void Build(IModelContext ctx)
                {
                    var m = new CpModel();
                    var x = m.NewIntVar(0, 7, "x");
                    m.Maximize(x);
                    Console.WriteLine($"built {m.Model.Variables.Count} variable");
                    ctx.Use(m);
                }
            }
            """;
        var result = await sandbox.Pool.RunAsync(new RunRequest(ProgramLanguage.CSharp, source), CancellationToken.None);

        Assert.Equal(RunStatus.Optimal, result.Status);
        Assert.Equal(7, result.Objective);
        Assert.Equal("built 1 variable\n", result.Output);
        Assert.True(result.Timings.TotalMs > 0);
    }
}
