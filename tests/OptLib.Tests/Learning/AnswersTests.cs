using OptLib.Library.Learning;
using OptLib.Library.Problems;
using OptLib.Solver;
using OptLib.Solver.Runs;

namespace OptLib.Tests.Learning;

public sealed class AnswersTests
{
    private static readonly SolverOptions Defaults = new();

    private static Problem Problem(double expected, double? relative = null, double? absolute = null, string text = "A glass plant makes doors and windows.") =>
        new() { Text = text, ExpectedObjective = expected, ToleranceRelative = relative, ToleranceAbsolute = absolute };

    private static RunResult Result(double? objective, Verification? verification = null) => new(
        RunStatus.Optimal, RunStatus.Optimal, objective, null, null, new Dictionary<string, double>(), "GLOP",
        new RunTimings(0, 0, 0, 0), "none", false, verification ?? Verification.NotChecked, [], string.Empty, false);

    [Fact]
    public void CorrectnessUsesTheProblemsToleranceNotAFixedTenth()
    {
        Assert.False(Answers.Reaches(Problem(0.5), 0.45, Defaults)); // AlphaOPT's 0.1 would accept this
        Assert.True(Answers.Reaches(Problem(1_000_000), 1_000_050, Defaults)); // and refuse this (1e-4 relative)
        Assert.True(Answers.Reaches(Problem(0.5, absolute: 0.1), 0.45, Defaults));
        Assert.False(Answers.Reaches(Problem(100, relative: 0.001), 100.2, Defaults));
        Assert.False(Answers.Reaches(Problem(36), null, Defaults));
    }

    [Fact]
    public void AnObjectiveWrittenIntoTheProgramIsNotTrusted()
    {
        var problem = Problem(1250);

        Assert.Contains("1250", Answers.Untrusted("solver.Add(profit == 1250.0);", Result(1250), problem, Defaults), StringComparison.Ordinal);
        Assert.Null(Answers.Untrusted("var hours = new[] {1,250};", Result(1250), problem, Defaults));
        Assert.Null(Answers.Untrusted("solver.Add(x <= 18); // the answer is 1250", Result(1250), problem, Defaults)); // comments do not count
        Assert.Null(Answers.Untrusted("solver.Add(profit == 1250);", Result(1250), Problem(1250, text: "Profit may not pass 1,250."), Defaults));
        Assert.Contains("no objective", Answers.Untrusted("x", Result(null), problem, Defaults), StringComparison.Ordinal);
        var mismatch = new Verification(true, true, false, 10, 0, 0, []);
        Assert.Contains("not the model's objective", Answers.Untrusted("x", Result(1250, mismatch), problem, Defaults), StringComparison.Ordinal);
    }

    [Fact]
    public void TheRepairDiffShowsRemovedThenAddedLines()
    {
        var diff = LineDiff.Of("a\nb;\nc", "a\nb\nc\nd");

        Assert.Equal("  a\n- b;\n+ b\n  c\n+ d\n", diff.ReplaceLineEndings("\n"));
    }
}
