using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Jobs;

namespace OptLib.Tests.Jobs;

/// <summary>`optlib-worker` commands as an operator types them, against the test's embedded database.</summary>
public sealed class CommandLineTests(NoInProcessWorkerApp app) : IClassFixture<NoInProcessWorkerApp>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task ImportTasksStoresTheDatasetAndALongCommandShowsPlainProgressLinesWhenNotATerminal()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("optlib-cli-").FullName, "tasks.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new object[]
        {
            new { task_id = "a", description = "A bakery bakes bread and cakes with limited oven hours; maximise profit.", ground_truth = 120 },
            new { task_id = "b", description = "Ship crates from two ports to three shops at least cost.", ground_truth = "45.5" },
            new { task_id = "c", description = "Pick projects under a budget to maximise value." },
        }));

        var import = await WorkerProcess.RunCommandAsync(app.Database.ConnectionString, Timeout, "import-tasks", file, "--dataset", "cli", "--split", "train");

        Assert.True(import.ExitCode == 0, import.StandardOutput + import.StandardError);
        Assert.Contains("as cli/train: 3 created", import.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(3, await app.WithDbAsync(db => db.Problems.CountAsync(p => p.Dataset == "cli" && p.Split == "train")));

        var selftest = await WorkerProcess.RunCommandAsync(app.Database.ConnectionString, Timeout, "selftest", "--items", "3", "--sleep-ms", "50");

        Assert.True(selftest.ExitCode == 0, selftest.StandardOutput + selftest.StandardError);
        Assert.DoesNotContain('\r', selftest.StandardOutput); // redirected: no in-place bar
        var lines = selftest.StandardOutput.Split('\n');
        Assert.Contains("0/0 (0%) queued: queued", lines);
        Assert.Contains("3/3 (100%) succeeded: finished", lines);
        Assert.Equal(3, lines.Count(l => l.Contains(" ran on ", StringComparison.Ordinal))); // the job's log lines as they arrive
        Assert.Contains(lines, l => l.StartsWith("Job ", StringComparison.Ordinal) && l.EndsWith("(selftest) succeeded", StringComparison.Ordinal));
        var job = await app.WithDbAsync(db => db.Jobs.AsNoTracking().OrderByDescending(j => j.Id).FirstAsync(j => j.Kind == "selftest"));
        Assert.Equal((JobState.Succeeded, 3), (job.State, job.ProgressDone));
        Assert.StartsWith("cli:", job.CreatedBy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingFileIsOneLineAndExitCodeTwoBeforeAnythingStarts()
    {
        var outcome = await WorkerProcess.RunCommandAsync(app.Database.ConnectionString, Timeout,
            "import-tasks", "/nonexistent/tasks.json", "--dataset", "cli", "--split", "test");

        Assert.Equal(2, outcome.ExitCode);
        Assert.Equal("/nonexistent/tasks.json does not exist.", outcome.StandardError.Trim());
        Assert.DoesNotContain("admin", outcome.StandardOutput, StringComparison.OrdinalIgnoreCase); // no host was started
    }
}
