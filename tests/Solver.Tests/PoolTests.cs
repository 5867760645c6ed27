using OptLib.Solver.Runs;
using OptLib.Solver.Sandbox;

namespace OptLib.Solver.Tests;

public sealed class PoolTests
{
    [Fact]
    public async Task EveryRunnerIsGoneAfterRunsAndDisposalEvenAfterATimeout()
    {
        var pool = new RunnerPool(RunnerLaunch.Create(SandboxFixture.TestOptions(poolSize: 1)));
        var seen = new HashSet<int>();

        var timedOut = await pool.RunAsync(new RunRequest(ProgramLanguage.CSharp, SandboxFixture.Program("Hostile/infinite_loop.cs"), 0.5), CancellationToken.None);
        seen.UnionWith(pool.AliveProcessIds);
        var solved = await pool.RunAsync(new RunRequest(ProgramLanguage.CSharp, SandboxFixture.Program("Correct/lp_wyndor.cs")), CancellationToken.None);
        seen.UnionWith(pool.AliveProcessIds);
        await pool.DisposeAsync();

        Assert.Equal(RunStatus.Timeout, timedOut.Status);
        Assert.Equal(RunStatus.Optimal, solved.Status);
        Assert.NotEmpty(seen);
        Assert.Empty(pool.AliveProcessIds);
        Assert.All(seen, pid => Assert.False(Directory.Exists($"/proc/{pid}"), $"process {pid} outlived the pool"));
        // No runner of any pool may survive either: bubblewrap's children die with it.
        Assert.DoesNotContain(RunnerCommandLines(), line => seen.Any(pid => line.Pid == pid));
    }

    [Fact]
    public async Task TheRunnerThatServedAProgramIsKilledAndNeverServesAnother()
    {
        await using var pool = new RunnerPool(RunnerLaunch.Create(SandboxFixture.TestOptions(poolSize: 1)));
        var source = SandboxFixture.Program("Correct/lp_wyndor.cs");
        await pool.RunAsync(new RunRequest(ProgramLanguage.CSharp, source), CancellationToken.None);
        await pool.ReapedAsync().WaitAsync(TimeSpan.FromSeconds(30)); // the first runner, so that it is not counted below

        var before = pool.AliveProcessIds.ToHashSet();
        var second = await pool.RunAsync(new RunRequest(ProgramLanguage.CSharp, source), CancellationToken.None);
        // The served runner is reaped in the background, just after the answer.
        await pool.ReapedAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var gone = before.Where(pid => !Directory.Exists($"/proc/{pid}")).ToList();

        Assert.Equal(RunStatus.Optimal, second.Status);
        var served = Assert.Single(gone);
        Assert.DoesNotContain(served, pool.AliveProcessIds);
    }

    [Fact]
    public void ARetiredRunnerStillKnowsItsProcessId()
    {
        // The pool files a served runner's reaping under its id, and the reaping can dispose it first.
        var runner = RunnerProcess.Start(RunnerLaunch.Create(SandboxFixture.TestOptions(poolSize: 1)));
        var pid = runner.Id;
        runner.Dispose();

        Assert.Equal(pid, runner.Id);
        Assert.False(Directory.Exists($"/proc/{pid}"), $"process {pid} outlived its disposal");
    }

    private static IEnumerable<(int Pid, string Line)> RunnerCommandLines() =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => (Ok: int.TryParse(Path.GetFileName(d), out var pid), Pid: pid, Dir: d))
            .Where(p => p.Ok)
            .Select(p =>
            {
                try
                {
                    return (p.Pid, File.ReadAllText(Path.Combine(p.Dir, "cmdline")).Replace('\0', ' '));
                }
                catch (IOException)
                {
                    return (p.Pid, "");
                }
            })
            .Where(p => p.Item2.Contains("OptLib.Solver.Runner.dll"));
}
