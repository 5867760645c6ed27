using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OptLib.Library.Access;
using OptLib.Library.Problems;
using OptLib.Tests.Infrastructure;

namespace OptLib.Tests.Problems;

/// <summary>
/// A problem submitted to this service (no job server of its own) is solved by a second OptLib process on the same
/// database, whose model call hangs at the stub; cancelling it here stops it there.
/// </summary>
public sealed class SubmitOnlyApp : OptLibApp
{
    /// <summary>A model is configured, so problems are accepted, but this service runs no job server and never calls it.</summary>
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Model:Provider"] = "openai",
        ["Model:BaseUrl"] = "http://127.0.0.1:9/v1",
        ["Model:Base:ModelId"] = "never-called",
    };
}

public sealed class CancelAcrossProcessesTests(SubmitOnlyApp app) : IClassFixture<SubmitOnlyApp>, IAsyncLifetime
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private OpenAiStub _stub = null!;
    private Process? _worker;
    private readonly string _workerData = Directory.CreateTempSubdirectory("optlib-worker-").FullName;

    public async Task InitializeAsync() => _stub = await OpenAiStub.StartAsync();

    public async Task DisposeAsync()
    {
        if (_worker is { HasExited: false })
        {
            _worker.Kill(entireProcessTree: true);
            await _worker.WaitForExitAsync();
        }

        _worker?.Dispose();
        await _stub.DisposeAsync();
        Directory.Delete(_workerData, recursive: true);
    }

    [Fact]
    public async Task CancellingHereStopsTheSolveRunningInAnotherProcess()
    {
        _worker = StartSecondProcess();
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var submitted = await analyst.PostAsJsonAsync("/api/problems", new { text = "The glass plant. stub:hold" });
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var id = (await submitted.Content.ReadFromJsonAsync<ProblemDto>(Json))!.Id;

        await Eventually.UntilAsync(() => Task.FromResult(!_stub.Received.IsEmpty), TimeSpan.FromMinutes(3), "the other process to call the model");
        Assert.Equal("running", (await GetAsync(analyst, id)).Status);

        var clock = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.Accepted, (await analyst.DeleteAsync($"/api/problems/{id}")).StatusCode);
        var problem = await Eventually.ValueAsync(() => GetAsync(analyst, id), p => p.IsFinished, TimeSpan.FromSeconds(30), "the solve to stop",
            p => $"{p.Status}, attempt {p.LatestAttempt?.Status}");

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"stopped after {clock.Elapsed}"); // the model timeout is 120 s
        Assert.Equal("cancelled", problem.Status);
        Assert.Equal("Cancelled", problem.LatestAttempt!.Status);
        Assert.Equal("cancelled on request", problem.LatestAttempt.Error);
        Assert.False(_worker.HasExited);
    }

    private Process StartSecondProcess()
    {
        var start = new ProcessStartInfo(ApiProcess.DotnetHost) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var (key, value) in new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["ASPNETCORE_ENVIRONMENT"] = "Testing",
            ["ConnectionStrings__OptLib"] = app.Database.ConnectionString,
            ["OptLib__DataDirectory"] = _workerData,
            ["Worker__InProcess"] = "true",
            ["Worker__PollIntervalSeconds"] = "1",
            ["Model__Provider"] = "openai",
            ["Model__BaseUrl"] = _stub.BaseUrl,
            ["Model__Base__ModelId"] = "ok",
            ["Serilog__MinimumLevel__Default"] = "Warning",
        })
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<ProblemDto> GetAsync(HttpClient client, long id) =>
        (await client.GetFromJsonAsync<ProblemDto>($"/api/problems/{id}", Json))!;
}
