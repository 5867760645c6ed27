extern alias runner;
using OptLib.Solver.Runs;
using OptLib.Solver.Sandbox;
using Harness = runner::OptLib.Solver.Runner.Harness;
using RunnerWire = runner::OptLib.Solver.Wire;

namespace OptLib.Solver.Tests;

/// <summary>
/// The second solver, in process: it solves the exported model again and says whether it agrees; and the host's
/// verdict, given a runner report with a scripted disagreement, is never Correct.
/// </summary>
public sealed class CrossCheckTests
{
    [Fact]
    public void AnLpIsSolvedAgainByAnotherMethodAndAgrees()
    {
        var check = Harness.LinearAnalysis.CrossCheck(Wyndor(integer: false), Names, "GLOP", 36, Harness.Deadline.After(10));

        Assert.NotNull(check);
        Assert.NotEqual("GLOP", check.Solver);
        Assert.Equal(("Optimal", true), (check.Status, check.Agrees));
        Assert.Equal(36, check.Objective!.Value, 3);
    }

    [Fact]
    public void AMipIsSolvedAgainByAnotherMipSolverAndAgrees()
    {
        var check = Harness.LinearAnalysis.CrossCheck(Wyndor(integer: true), Names, "SCIP", 36, Harness.Deadline.After(10));

        Assert.NotNull(check);
        Assert.NotEqual("SCIP", check.Solver);
        Assert.Equal(("Optimal", true), (check.Status, check.Agrees));
    }

    [Fact]
    public void AnObjectiveTheSecondSolverDoesNotReachDisagrees()
    {
        // The first solver's answer, scripted: 35 where the optimum is 36.
        var check = Harness.LinearAnalysis.CrossCheck(Wyndor(integer: true), Names, "SCIP", 35, Harness.Deadline.After(10));

        Assert.NotNull(check);
        Assert.False(check.Agrees);
        Assert.Equal(36, check.Objective!.Value, 6);
    }

    [Theory]
    [InlineData(false, RunStatus.Unverified)]
    [InlineData(true, RunStatus.Correct)]
    public void TheVerdictOfARightObjectiveTheSecondSolverDisputesIsUnverified(bool agrees, RunStatus expected)
    {
        var report = new OptLib.Solver.Wire.RunnerReport("Optimal", "GLOP", 36, 36, new Dictionary<string, double> { ["doors"] = 2, ["windows"] = 6 },
            [], "", false, 0, 0, 0, null, null, CrossCheck: new CrossCheck("PDLP", "Optimal", agrees ? 36 : 30, agrees));

        var result = Verdicts.Conclude(new RunRequest(ProgramLanguage.Lp, "max: x;", ExpectedObjective: 36, CrossCheck: true),
            new RunnerOutcome(report, null, null, 1), new SolverOptions(), new Isolated(), 1);

        Assert.Equal(expected, result.Status);
        Assert.Equal(RunStatus.Optimal, result.SolverStatus); // what the first solver proved is kept
        Assert.Equal(agrees, result.CrossCheck!.Agrees);
    }

    private static readonly List<string> Names = ["doors", "windows"];

    /// <summary>Wyndor: max 3d + 5w, d &lt;= 4, 2w &lt;= 12, 3d + 2w &lt;= 18; optimum 36 at (2, 6), integral too.</summary>
    private static RunnerWire.LinearSnapshot Wyndor(bool integer) => new(true, 0, [0, 0], [double.PositiveInfinity, double.PositiveInfinity], [integer, integer], [3, 5],
    [
        new RunnerWire.LinearRow("c1", double.NegativeInfinity, 4, [0], [1]),
        new RunnerWire.LinearRow("c2", double.NegativeInfinity, 12, [1], [2]),
        new RunnerWire.LinearRow("c3", double.NegativeInfinity, 18, [0, 1], [3, 2]),
    ], 0);

    private sealed class Isolated : ISandboxInfo
    {
        public string Isolation => "bwrap";

        public bool Degraded => false;

        public string Detail => "bubblewrap";
    }
}
