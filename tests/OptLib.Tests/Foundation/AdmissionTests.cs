using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OptLib.Library.Access;
using OptLib.Solver.Runs;
using OptLib.Solver.Sandbox;
using OptLib.Tests.Infrastructure;
using OptLib.Tests.Mcp;
using Microsoft.EntityFrameworkCore;

namespace OptLib.Tests.Foundation;

/// <summary>
/// The service with admission limits set low (two solver runs at once, one waiting, one per key) and a sandbox that
/// holds every run until the test lets it go, so "busy" is a state the test controls, not a race against a timer.
/// </summary>
public sealed class AdmissionApp : OptLibApp
{
    public GatedSandbox Sandbox { get; } = new();

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Admission:SolverConcurrency"] = "2",
        ["Admission:SolverQueue"] = "1",
        ["Admission:PerKeyConcurrency"] = "1",
        ["Admission:RetryAfterSeconds"] = "7",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<ISandbox>(Sandbox));
    }
}

/// <summary>A sandbox whose runs report when they start and finish only when the test releases them.</summary>
public sealed class GatedSandbox : ISandbox
{
    private readonly SemaphoreSlim _entered = new(0);
    private readonly SemaphoreSlim _gate = new(0);

    public async Task<RunResult> RunAsync(RunRequest request, CancellationToken cancellationToken)
    {
        _entered.Release();
        await _gate.WaitAsync(cancellationToken);
        return new RunResult(RunStatus.Optimal, RunStatus.Optimal, 36, 36, null, new Dictionary<string, double>(), "GLOP",
            new RunTimings(0, 0, 0, 0), "none", true, Verification.NotChecked, [], string.Empty, false);
    }

    /// <summary>Waits until one more run has reached the sandbox; false if none did within a minute.</summary>
    public Task<bool> NextRunStartedAsync() => _entered.WaitAsync(TimeSpan.FromSeconds(60));

    public void Release(int runs) => _gate.Release(runs);
}

public sealed class AdmissionTests(AdmissionApp app) : IClassFixture<AdmissionApp>
{
    private static readonly object Run = new { language = "lp", source = "max: 3 x + 5 y;\nc1: x <= 4;\nc2: 2 y <= 12;\nx >= 0;\ny >= 0;\n" };

    [Fact]
    public async Task RunsBeyondThePermitsAndTheQueueAre429WithRetryAfter()
    {
        var clients = await ClientsAsync(4);
        var running = new[] { Post(clients[0]), Post(clients[1]) };
        Assert.True(await app.Sandbox.NextRunStartedAsync());
        Assert.True(await app.Sandbox.NextRunStartedAsync());

        // Both permits are taken: of two more, one waits in the queue and the other finds it full. The waiting one
        // cannot finish before a run is released, so the first to answer is the refused one, whichever it is.
        var third = Post(clients[2]);
        var fourth = Post(clients[3]);
        var first = await Task.WhenAny(third, fourth);
        var waiting = first == third ? fourth : third;

        await AssertRefusedAsync(await first);
        Assert.False(waiting.IsCompleted);

        app.Sandbox.Release(3);
        Assert.True(await app.Sandbox.NextRunStartedAsync()); // the queued run got its permit once one was free
        foreach (var response in await Task.WhenAll([.. running, waiting]))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task OneKeyAtItsLimitIsRefusedWhileAnotherKeyRuns()
    {
        var clients = await ClientsAsync(2);
        var first = Post(clients[0]);
        Assert.True(await app.Sandbox.NextRunStartedAsync());

        await AssertRefusedAsync(await Post(clients[0])); // its one run is busy: refused at once, not queued

        var other = Post(clients[1]);
        Assert.True(await app.Sandbox.NextRunStartedAsync()); // the other key's run reached the sandbox meanwhile

        app.Sandbox.Release(2);
        Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await other).StatusCode);
    }

    [Fact]
    public async Task SolveProblemOverMcpIsAdmittedFromTheSameLimitsAsTheRestRoutes()
    {
        var key = await app.CreateKeyAsync(Role.Analyst);
        using var client = app.ClientWithKey(key);
        await using var mcp = await McpSession.ConnectAsync(app, key);
        var running = Post(client);
        Assert.True(await app.Sandbox.NextRunStartedAsync());

        // The key's one permit is held by its REST run: the tool is refused with the REST API's words.
        var refusal = await McpSession.RefusalAsync(mcp, "solve_problem", new() { ["text"] = "Maximise 3x + 5y with x <= 4.", ["waitSeconds"] = 5 });
        Assert.Contains("Too much solver work is already running.", refusal, StringComparison.Ordinal);
        Assert.Contains("Admission:PerKeyConcurrency 1", refusal, StringComparison.Ordinal);
        Assert.Equal(0, await app.WithDbAsync(db => db.Problems.CountAsync())); // refused before anything was written

        app.Sandbox.Release(1);
        Assert.Equal(HttpStatusCode.OK, (await running).StatusCode);
        // With the permit back the call is admitted and gets as far as this service can take it: it has no model.
        var admitted = await McpSession.RefusalAsync(mcp, "solve_problem", new() { ["text"] = "Maximise 3x + 5y with x <= 4.", ["waitSeconds"] = 5 });
        Assert.Contains("No language model is configured", admitted, StringComparison.Ordinal);
        Assert.DoesNotContain("Admission:", admitted, StringComparison.Ordinal);
    }

    private static Task<HttpResponseMessage> Post(HttpClient client) => client.PostAsJsonAsync("/api/solver/runs", Run);

    private static async Task AssertRefusedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(429, body.RootElement.GetProperty("status").GetInt32());
        Assert.Contains("Admission:PerKeyConcurrency", body.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private async Task<HttpClient[]> ClientsAsync(int keys)
    {
        var clients = new HttpClient[keys];
        for (var i = 0; i < keys; i++)
        {
            clients[i] = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        }

        return clients;
    }
}
