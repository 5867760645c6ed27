using System.Diagnostics;
using System.Net;
using OptLib.Library.Access;
using System.Text.Json;
using OptLib.Tests.Infrastructure;

namespace OptLib.Tests.Foundation;

public sealed class HealthApp : OptLibApp
{
    // Check often, so the supervisor's restart is seen within the test.
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["OptLib:Embedded:HealthCheckSeconds"] = "1",
    };
}

/// <summary>A disk that is "full" by this service's measure: it demands more free space than any disk here has.</summary>
public sealed class FullDiskApp : OptLibApp
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Health:MinFreeDiskMegabytes"] = "10000000" };
}

public sealed class FullDiskTests(FullDiskApp app) : IClassFixture<FullDiskApp>
{
    [Fact]
    public async Task ReadyIs503AndSaysSoWhenTheDataFoldersDiskIsShortOfSpace()
    {
        using var client = app.ClientWithKey(null);

        var response = await client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var checks = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("database").GetProperty("status").GetString()); // only the disk is short
        var disk = checks.GetProperty("disk");
        Assert.Equal("Unhealthy", disk.GetProperty("status").GetString());
        Assert.Contains("Health:MinFreeDiskMegabytes", disk.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.True(disk.GetProperty("data").GetProperty("freeMb").GetInt64() < 10_000_000);
    }
}

public sealed class HealthTests(HealthApp app) : IClassFixture<HealthApp>
{
    [Fact]
    public async Task ReadyReportsTheDataFoldersFreeSpace()
    {
        using var client = app.ClientWithKey(null);
        var body = JsonDocument.Parse(await client.GetStringAsync("/health/ready")).RootElement;

        var disk = body.GetProperty("checks").GetProperty("disk");
        Assert.Equal("Healthy", disk.GetProperty("status").GetString());
        Assert.Equal(new DriveInfo(app.DataDirectory).AvailableFreeSpace / (1024 * 1024), disk.GetProperty("data").GetProperty("freeMb").GetInt64(), 64d);
    }

    [Fact]
    public async Task ADatabaseThatRunsButAnswersNothingForAFewChecksIsNotRestarted()
    {
        // A key kept only in the in-memory database: a restart would lose it.
        using var keyed = app.ClientWithKey(await app.CreateKeyAsync(Role.Viewer));
        var server = app.Database.Embedded!;
        var restarts = server.Restarts;
        var pid = server.ProcessId!.Value;

        Signal("STOP", pid); // as busy as a server can be: it answers nothing
        try
        {
            await Eventually.ValueAsync(() => Task.FromResult(server.UnansweredChecks), n => n >= 3, TimeSpan.FromSeconds(60),
                "the supervisor to count three unanswered checks of the silent server");
        }
        finally
        {
            Signal("CONT", pid);
        }

        using var client = app.ClientWithKey(null);
        await ReadyAsync(client, "the resumed server to be ready");

        Assert.Equal(restarts, server.Restarts);
        Assert.Equal(pid, server.ProcessId);
        Assert.Equal(HttpStatusCode.OK, (await keyed.GetAsync("/api/insights")).StatusCode); // its data is still there
    }

    private static void Signal(string signal, int pid)
    {
        using var kill = Process.Start("/bin/kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    [Fact]
    public async Task LiveAnswersWithoutAKey()
    {
        using var client = app.ClientWithKey(null);
        var response = await client.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ReadyIs503WhileTheDatabaseIsDownAndRecoversAfterTheSupervisorRestartsIt()
    {
        using var client = app.ClientWithKey(null);
        var before = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        var body = JsonDocument.Parse(await before.Content.ReadAsStringAsync()).RootElement;
        var data = body.GetProperty("checks").GetProperty("database").GetProperty("data");
        Assert.Matches(@"^\d+\.\d+\.\d+$", data.GetProperty("pgvector").GetString());
        Assert.Equal("embedded", data.GetProperty("server").GetString());
        var sandbox = body.GetProperty("checks").GetProperty("sandbox");
        Assert.Equal("bwrap", sandbox.GetProperty("data").GetProperty("isolation").GetString()); // CI installs bubblewrap
        Assert.Equal("Healthy", sandbox.GetProperty("status").GetString());

        var server = app.Database.Embedded!;
        server.Kill();
        var down = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);

        await ReadyAsync(client, "the supervisor to restart the server");
        Assert.Equal(1, server.Restarts);
    }

    private static Task<HttpStatusCode> ReadyAsync(HttpClient client, string what) => Eventually.ValueAsync(
        async () => (await client.GetAsync("/health/ready")).StatusCode, status => status == HttpStatusCode.OK, TimeSpan.FromSeconds(60), what);
}
