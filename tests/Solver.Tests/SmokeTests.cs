using OptLib.Solver.Runs;

namespace OptLib.Solver.Tests;

[Collection(SandboxCollection.Name)]
public sealed class SmokeTests(SandboxFixture sandbox)
{
    [Fact]
    public async Task WyndorIsSolvedToItsKnownOptimumInTheSandbox()
    {
        var result = await sandbox.RunFileAsync("Correct/lp_wyndor.cs");

        Assert.Equal(RunStatus.Optimal, result.Status);
        Assert.Equal(36, result.Objective!.Value, 6);
        Assert.Equal(2, result.Variables["doors"], 6);
        Assert.Equal(6, result.Variables["windows"], 6);
        Assert.True(result.Verification.Passed, string.Join("; ", result.Verification.Issues));
        Assert.Equal("bwrap", result.Isolation);
    }
}
