using OptLib.Solver.Runs;

namespace OptLib.Solver.Tests;

/// <summary>
/// LP text: OR-Tools' own dialect is solved; a mistake in it is reported at its line; the CPLEX dialect that CPLEX,
/// Gurobi, HiGHS and SCIP write is refused before it reaches the sandbox, with MPS as the way to send it, and the MPS
/// of the same model solves.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class LpTextTests(SandboxFixture sandbox)
{
    private static readonly SolverOptions Options = SandboxFixture.TestOptions();

    [Theory]
    [InlineData("Text/cplex_wyndor.lp", 2, "Maximize")]
    [InlineData("Text/cplex_wyndor_inline.lp", 2, "maximize obj: 3 doors + 5 windows")]
    public void TheCplexDialectIsRefusedNamingItsLineAndAskingForMps(string file, int line, string text)
    {
        var errors = new RunProgram("lp", SandboxFixture.Program(file)).Validate(Options);

        var message = Assert.Single(Assert.Single(errors).Value);
        Assert.StartsWith($"Line {line} ('{text}') is a section of the CPLEX LP format", message, StringComparison.Ordinal);
        Assert.Contains("OR-Tools' own LP format", message, StringComparison.Ordinal);
        Assert.Contains("Send the model as MPS instead (language \"mps\")", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Correct/lp_text_wyndor.lp")]
    [InlineData("Correct/lp_text_knapsack.lp")]
    [InlineData("Text/ortools_typo_line4.lp")]
    public void OrToolsLpIsNotMistakenForTheCplexDialect(string file) =>
        Assert.Empty(new RunProgram("lp", SandboxFixture.Program(file)).Validate(Options));

    [Fact]
    public async Task TheCplexModelSentAsMpsIsSolved()
    {
        var result = await sandbox.RunFileAsync("Text/wyndor.mps", expected: 36);

        Assert.Equal(RunStatus.Correct, result.Status);
        Assert.Equal(36, result.Objective!.Value, 6);
    }

    [Fact]
    public async Task AMistakeInOrToolsLpIsReportedAtItsLineAsBadInput()
    {
        var request = new RunProgram("lp", SandboxFixture.Program("Text/ortools_typo_line4.lp"));
        var result = await sandbox.RunFileAsync("Text/ortools_typo_line4.lp");

        Assert.Equal(RunStatus.CompileError, result.Status);
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(4, diagnostic.Line);
        Assert.Contains("stopped at line 4, in 'c3: 3 doors + 2 windows <= 18 18;'", diagnostic.Message, StringComparison.Ordinal);
        var message = Assert.Single(request.UnreadableText(result)!["source"]);
        Assert.Contains("OR-Tools' own LP format", message, StringComparison.Ordinal);
        Assert.Contains("as MPS (language \"mps\")", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFineLpRunIsNotTurnedIntoBadInput()
    {
        var request = new RunProgram("lp", SandboxFixture.Program("Correct/lp_text_wyndor.lp"), ExpectedObjective: 36);
        var result = await sandbox.RunFileAsync("Correct/lp_text_wyndor.lp", expected: 36);

        Assert.Equal(RunStatus.Correct, result.Status);
        Assert.Null(request.UnreadableText(result));
    }
}
