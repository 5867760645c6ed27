using OptLib.Solver.Runs;
using OptLib.Solver.Sandbox;
using OptLib.Solver.Wire;

namespace OptLib.Solver.Tests;

public sealed class IsolationTests
{
    private static Func<IReadOnlyList<string>, bool> Only(params string[] working) =>
        command => working.Contains(command[0]) && (command[0] != IsolationPlan.UnsharePath || !command.Contains("--map-root-user"));

    [Fact]
    public void AutoPrefersBubblewrapWhenItStarts()
    {
        var plan = IsolationPlan.Resolve(SandboxMode.Auto, ["/opt/app"], Only(IsolationPlan.BwrapPath, IsolationPlan.UnsharePath));

        Assert.Equal("bwrap", plan.Isolation);
        Assert.False(plan.Degraded);
        Assert.Equal([IsolationPlan.BwrapPath, "--unshare-all", "--die-with-parent"], plan.Prefix.Take(3));
        Assert.Contains("--tmpfs", plan.Prefix);
    }

    [Fact]
    public void AutoFallsBackToUnshareAndSaysItIsDegraded()
    {
        var plan = IsolationPlan.Resolve(SandboxMode.Auto, [], Only(IsolationPlan.UnsharePath));

        Assert.Equal("unshare", plan.Isolation);
        Assert.True(plan.Degraded);
        Assert.Contains("apt-get install bubblewrap", plan.Detail);
        Assert.Equal([IsolationPlan.UnsharePath, "--net", "--ipc", "--uts", "--"], plan.Prefix);
    }

    [Fact]
    public void AutoFallsBackToPlainProcessesWhenNothingStarts()
    {
        var plan = IsolationPlan.Resolve(SandboxMode.Auto, [], _ => false);

        Assert.Equal("none", plan.Isolation);
        Assert.True(plan.Degraded);
        Assert.Empty(plan.Prefix);
    }

    [Fact]
    public void InsistingOnBubblewrapWhereItDoesNotStartStopsStartUp()
    {
        var e = Assert.Throws<InvalidOperationException>(() => IsolationPlan.Resolve(SandboxMode.Bwrap, [], _ => false));

        Assert.Contains("Solver:Sandbox", e.Message);
    }

    [Fact]
    public void ARunnerUnderTmpIsBoundBackIntoThePrivateTmp()
    {
        var runner = Directory.CreateTempSubdirectory("optlib-runner-").FullName;
        try
        {
            var plan = IsolationPlan.Resolve(SandboxMode.Auto, [runner], _ => true);

            var bind = plan.Prefix.ToList().IndexOf(runner);
            Assert.True(bind > plan.Prefix.ToList().IndexOf("--tmpfs"));
            Assert.Equal("--ro-bind", plan.Prefix[bind - 1]);
        }
        finally
        {
            Directory.Delete(runner);
        }
    }

    [Fact]
    public void BubblewrapShowsOnlyWhatItIsGivenAndTheSystemLibraries()
    {
        var plan = IsolationPlan.Resolve(SandboxMode.Auto, ["/usr/bin/prlimit", "/nonexistent"], _ => true);

        var shown = plan.Prefix.Select((arg, i) => (arg, i)).Where(a => a.arg is "--ro-bind" or "--symlink").Select(a => plan.Prefix[a.i + 2]).ToList();
        Assert.DoesNotContain("/", shown);
        Assert.All(shown, p => Assert.True(IsolationPlan.SystemLibraries.Concat(IsolationPlan.SystemFiles).Append("/usr/bin/prlimit").Contains(p), p));
        Assert.Contains("/usr/lib", shown);
        Assert.Equal(["--uid", "65534"], plan.Prefix.SkipWhile(a => a != "--uid").Take(2));
    }

    [Theory]
    [InlineData(134, "Stack overflow.\n   at Model.Depth(Int32)", RunnerStatus.RuntimeError, "stack overflow")]
    [InlineData(134, "terminate called after throwing an instance of 'std::bad_alloc'", RunnerStatus.MemoryLimit, "out of memory")]
    [InlineData(152, "", RunnerStatus.Timeout, "CPU-time limit")]
    [InlineData(139, "", RunnerStatus.RuntimeError, "segmentation fault")]
    [InlineData(3, "", RunnerStatus.RuntimeError, "exited with code 3")]
    public void ARunnerThatDiesIsExplainedFromItsExitCodeAndStderr(int exitCode, string stderr, string status, string message)
    {
        var (s, m) = RunnerProcess.ExplainDeath(exitCode, stderr);

        Assert.Equal(status, s);
        Assert.Contains(message, m);
    }

    [Theory]
    [InlineData(SandboxMode.Unshare, "unshare")]
    [InlineData(SandboxMode.None, "none")]
    public async Task TheFallbackSandboxesRunAProgramAndReportTheirIsolation(SandboxMode mode, string isolation)
    {
        await using var pool = new RunnerPool(RunnerLaunch.Create(SandboxFixture.TestOptions(mode, poolSize: 0)));

        var result = await pool.RunAsync(new RunRequest(ProgramLanguage.CSharp, SandboxFixture.Program("Correct/mip_integer_cbc.cs"), ExpectedObjective: 20), CancellationToken.None);

        Assert.Equal(RunStatus.Correct, result.Status);
        Assert.Equal(isolation, result.Isolation);
        Assert.True(result.IsolationDegraded);
    }
}
