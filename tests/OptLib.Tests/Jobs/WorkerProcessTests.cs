using System.Globalization;
using System.Text.RegularExpressions;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OptLib.Library.Access;
using OptLib.Library.Jobs;
using OptLib.Tests.Infrastructure;

namespace OptLib.Tests.Jobs;

/// <summary>The service without a job server of its own: only the worker processes the tests start run items.</summary>
public sealed class NoInProcessWorkerApp : OptLibApp
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Worker:InProcess"] = "false",
        ["OptLib:Embedded:MaxConnections"] = "40",
    };
}

/// <summary>
/// Separate `optlib-worker run` processes on the test's embedded database, with the diagnostic selftest kind whose
/// items sleep and log the process that ran them: a killed worker's items are finished by another exactly once, and
/// two workers share one job without running an item twice.
/// </summary>
public sealed partial class WorkerProcessTests(NoInProcessWorkerApp app) : IClassFixture<NoInProcessWorkerApp>
{
    private const int LeaseSeconds = 6;

    private sealed record Run(string Key, int Pid, DateTimeOffset From, DateTimeOffset To);

    [Fact]
    public async Task AJobWhoseWorkerIsKilledIsFinishedByAnotherWithEveryItemDoneOnce()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var lease = new Dictionary<string, string> { ["Worker__InvisibilityTimeoutSeconds"] = LeaseSeconds.ToString(CultureInfo.InvariantCulture) };
        using var first = WorkerProcess.Start(app.Database.ConnectionString, lease);
        await WaitForServersAsync(first.Id);
        var job = await client.StartAsync(SelfTestKind.KindName, new { items = 8, sleepMs = 2500 });

        // Kill the first worker while it holds items: some done, some half-way.
        await client.WaitForAsync(job.Id, j => j.Progress.Done >= 2, TimeSpan.FromSeconds(90));
        await Eventually.UntilAsync(() => app.WithDbAsync(db => db.JobItems.AnyAsync(i => i.JobId == job.Id && i.State == JobItemState.Running)),
            TimeSpan.FromSeconds(90), "an item to be running");
        first.Kill();
        var orphans = await app.WithDbAsync(db => db.JobItems.Where(i => i.JobId == job.Id && i.State == JobItemState.Running).Select(i => i.Key).ToListAsync());
        Assert.NotEmpty(orphans);
        Assert.Equal("running", (await client.GetJobAsync(job.Id)).State);

        using var second = WorkerProcess.Start(app.Database.ConnectionString, lease);
        var finished = await client.WaitForEndAsync(job.Id, 150);

        Assert.True(finished.State == "succeeded", $"{finished.State}: {finished.Error}\n{second.Output}");
        Assert.Equal(new JobProgress(8, 8), finished.Progress); // counted once each: nothing finished twice
        var items = await app.WithDbAsync(db => db.JobItems.Where(i => i.JobId == job.Id).ToListAsync());
        Assert.Equal(8, items.Count);
        Assert.All(items, i => Assert.Equal(JobItemState.Succeeded, i.State));
        foreach (var orphan in items.Where(i => orphans.Contains(i.Key)))
        {
            Assert.Equal(2, orphan.Tries); // claimed by the dead worker, then again by its Hangfire job's retry
            Assert.EndsWith($":{second.Id}", orphan.Worker, StringComparison.Ordinal);
        }

        var runs = Runs(finished);
        Assert.Equal(items.Select(i => i.Key).Order(), runs.Select(r => r.Key).Order()); // each item completed exactly once
        Assert.Contains(runs, r => r.Pid == first.Id);
        Assert.Contains(runs, r => r.Pid == second.Id);
    }

    [Fact]
    public async Task AWorkerStartedAfterAKilledOneRunsItsItemsAtOnceNotAfterTheLease()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var lease = new Dictionary<string, string> { ["Worker__InvisibilityTimeoutSeconds"] = "300" }; // the default
        using var first = WorkerProcess.Start(app.Database.ConnectionString, lease);
        await WaitForServersAsync(first.Id);
        var job = await client.StartAsync(SelfTestKind.KindName, new { items = 4, sleepMs = 3000 });
        await Eventually.UntilAsync(() => app.WithDbAsync(db => db.JobItems.AnyAsync(i => i.JobId == job.Id && i.State == JobItemState.Running)),
            TimeSpan.FromSeconds(90), "an item to be running");
        first.Kill();
        var orphans = await app.WithDbAsync(db => db.JobItems.Where(i => i.JobId == job.Id && i.State == JobItemState.Running).Select(i => i.Key).ToListAsync());
        Assert.NotEmpty(orphans);

        var restarted = DateTime.UtcNow;
        using var second = WorkerProcess.Start(app.Database.ConnectionString, lease);
        var finished = await client.WaitForEndAsync(job.Id, 120);

        Assert.True(finished.State == "succeeded", $"{finished.State}: {finished.Error}\n{second.Output}");
        Assert.True(DateTime.UtcNow - restarted < TimeSpan.FromSeconds(100), "the dead worker's items waited for their lease"); // 4 items of 3 s, far under 300 s
        Assert.Contains($":{first.Id}:", second.Output, StringComparison.Ordinal); // it says whose work it released
        var items = await app.WithDbAsync(db => db.JobItems.Where(i => i.JobId == job.Id).ToListAsync());
        Assert.All(items, i => Assert.Equal(JobItemState.Succeeded, i.State));
        Assert.All(items.Where(i => orphans.Contains(i.Key)), i => Assert.EndsWith($":{second.Id}", i.Worker, StringComparison.Ordinal));
        var monitoring = app.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        Assert.DoesNotContain(monitoring.Servers(), s => s.Name.Contains($":{first.Id}:", StringComparison.Ordinal)); // forgotten, not left to expire
    }

    [Fact]
    public async Task TwoWorkersShareAJobsItemsAndNeverRunTheSameItemAtOnce()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        using var a = WorkerProcess.Start(app.Database.ConnectionString);
        using var b = WorkerProcess.Start(app.Database.ConnectionString);
        await WaitForServersAsync(a.Id, b.Id);

        var job = await client.StartAsync(SelfTestKind.KindName, new { items = 16, sleepMs = 600 });
        var finished = await client.WaitForEndAsync(job.Id, 120);

        Assert.True(finished.State == "succeeded", $"{finished.State}: {finished.Error}\n{a.Output}\n{b.Output}");
        var runs = Runs(finished);
        Assert.Equal(16, runs.Count);
        Assert.Equal(16, runs.Select(r => r.Key).Distinct().Count());
        Assert.Contains(runs, r => r.Pid == a.Id);
        Assert.Contains(runs, r => r.Pid == b.Id);
        foreach (var item in runs.GroupBy(r => r.Key))
        {
            var windows = item.OrderBy(r => r.From).ToList();
            for (var i = 1; i < windows.Count; i++)
            {
                Assert.True(windows[i].From >= windows[i - 1].To, $"item {item.Key} ran on {windows[i - 1].Pid} and {windows[i].Pid} at once");
            }
        }

        var items = await app.WithDbAsync(db => db.JobItems.Where(i => i.JobId == job.Id).ToListAsync());
        Assert.All(items, i => Assert.Equal((JobItemState.Succeeded, 1), (i.State, i.Tries)));
        Assert.Equal(runs.Select(r => r.Pid).Distinct().Order(), items.Select(i => int.Parse(i.Worker!.Split(':')[^1], CultureInfo.InvariantCulture)).Distinct().Order());
    }

    private static List<Run> Runs(JobDto job) => job.Log
        .Select(l => RunLine().Match(l.Message))
        .Where(m => m.Success)
        .Select(m => new Run(m.Groups["key"].Value, int.Parse(m.Groups["pid"].Value, CultureInfo.InvariantCulture),
            DateTimeOffset.Parse(m.Groups["from"].Value, CultureInfo.InvariantCulture), DateTimeOffset.Parse(m.Groups["to"].Value, CultureInfo.InvariantCulture)))
        .ToList();

    /// <summary>Until every worker process has registered its Hangfire servers in the shared storage.</summary>
    private async Task WaitForServersAsync(params int[] pids)
    {
        var monitoring = app.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        await Eventually.UntilAsync(() => Task.FromResult(pids.All(pid => monitoring.Servers().Any(s => s.Name.Contains($":{pid}:", StringComparison.Ordinal)))),
            TimeSpan.FromSeconds(90), "the worker processes to start");
    }

    [GeneratedRegex(@"^phase \d+ item (?<key>\S+) ran on \S+ pid (?<pid>\d+) from (?<from>\S+) to (?<to>\S+) \(attempt \d+\)$")]
    private static partial Regex RunLine();
}
