using OptLib.Solver.Checking;
using OptLib.Solver.Runs;
using OptLib.Solver.Wire;

namespace OptLib.Solver.Tests;

public sealed class AnswerCheckTests
{
    // max 3x + 5y, x <= 4, 2y <= 12, 3x + 2y <= 18, x integer.
    private static readonly LinearSnapshot Wyndor = new(
        Maximize: true, ObjectiveOffset: 0,
        Lower: [0, 0], Upper: [double.PositiveInfinity, double.PositiveInfinity], Integer: [true, false], Cost: [3, 5],
        Rows:
        [
            new LinearRow("doors", double.NegativeInfinity, 4, [0], [1]),
            new LinearRow("windows", double.NegativeInfinity, 12, [1], [2]),
            new LinearRow("plant", double.NegativeInfinity, 18, [0, 1], [3, 2]),
        ],
        UncheckedConstraints: 0);

    [Fact]
    public void TheOptimalSolutionPassesEveryCheck()
    {
        var check = AnswerCheck.Check(Wyndor, [2, 6], 36, 1e-6);

        Assert.True(check.Passed);
        Assert.Equal(36, check.RecomputedObjective);
        Assert.Empty(check.Issues);
    }

    [Fact]
    public void AViolatedRowIsFlaggedWithItsName()
    {
        var check = AnswerCheck.Check(Wyndor, [4, 6], 42, 1e-6);

        Assert.False(check.Feasible);
        Assert.True(check.ObjectiveMatches);
        Assert.Equal(6, check.MaxViolation, 9);
        Assert.Contains(check.Issues, i => i.Contains("(plant)") && i.Contains("above 18"));
    }

    [Fact]
    public void AnObjectiveThatDoesNotFollowFromTheSolutionIsFlagged()
    {
        var check = AnswerCheck.Check(Wyndor, [2, 6], 40, 1e-6);

        Assert.True(check.Feasible);
        Assert.False(check.ObjectiveMatches);
        Assert.False(check.Passed);
    }

    [Fact]
    public void AFractionalIntegerVariableAndABrokenBoundAreFlagged()
    {
        var check = AnswerCheck.Check(Wyndor, [1.5, -1], 0, 1e-6);

        Assert.False(check.Feasible);
        Assert.Contains(check.Issues, i => i.Contains("should be integer"));
        Assert.Contains(check.Issues, i => i.Contains("below its lower bound 0"));
    }

    [Fact]
    public void AMissingSolutionIsNotChecked()
    {
        Assert.False(AnswerCheck.Check(Wyndor, null, 36, 1e-6).Checked);
        Assert.False(AnswerCheck.Check(Wyndor, [1, 2, 3], 36, 1e-6).Checked);
    }

    [Theory]
    [InlineData(100.009, 100, ToleranceRule.Default, true)]
    [InlineData(100.011, 100, ToleranceRule.Default, false)]
    [InlineData(0.0000005, 0, ToleranceRule.Default, true)]
    [InlineData(0.000002, 0, ToleranceRule.Default, false)]
    [InlineData(100.09, 100, ToleranceRule.AlphaOpt, true)]
    [InlineData(100.11, 100, ToleranceRule.AlphaOpt, false)]
    public void ObjectivesAreComparedRelativelyOrWithAlphaOptsAbsoluteRule(double got, double expected, ToleranceRule rule, bool same) =>
        Assert.Equal(same, AnswerCheck.SameObjective(got, expected, rule, 1e-4, 1e-6));
}
