using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OptLib.Library.Access;
using OptLib.Tests.Infrastructure;
using OptLib.Solver.Runs;
using OptLib.Solver.Sandbox;

namespace OptLib.Tests.Solver;

/// <summary>The service with a scripted sandbox in place of the real one: the route's checks and answers, not the solver.</summary>
public sealed class SolverApiApp : OptLibApp
{
    public ScriptedSandbox Sandbox { get; } = new();

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Solver:MaxSourceBytes"] = "1000" };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<ISandbox>(Sandbox));
    }
}

/// <summary>POST /api/solver/runs over HTTP, with a scripted sandbox: the validation, the error answers and the mapping.</summary>
public sealed class SolverApiTests : IClassFixture<SolverApiApp>
{
    private readonly SolverApiApp _app;
    private readonly ScriptedSandbox _sandbox;

    public SolverApiTests(SolverApiApp app)
    {
        _app = app;
        _sandbox = app.Sandbox;
        _sandbox.Reset();
    }

    private async Task<HttpClient> ClientAsync(Role? role = Role.Analyst) =>
        _app.ClientWithKey(role is { } r ? await _app.CreateKeyAsync(r) : null);

    [Fact]
    public async Task AValidProgramIsRunAndItsResultReturnedWithStringStatuses()
    {
        var response = await (await ClientAsync()).PostAsJsonAsync("/api/solver/runs",
            new { language = "csharp", source = "class M {}", timeLimitSeconds = 5, expectedObjective = 36 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Correct", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("bwrap", body.RootElement.GetProperty("isolation").GetString());
        Assert.Equal(new RunRequest(ProgramLanguage.CSharp, "class M {}", 5, 36), _sandbox.LastRequest);
    }

    [Fact]
    public async Task BadFieldsGetAValidationProblemNamingThem()
    {
        var response = await (await ClientAsync()).PostAsJsonAsync("/api/solver/runs", new { language = "python", source = "", timeLimitSeconds = -1 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var errors = body.RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty("language", out _));
        Assert.True(errors.TryGetProperty("source", out _));
        Assert.True(errors.TryGetProperty("timeLimitSeconds", out _));
    }

    [Fact]
    public async Task AnOversizedSourceGets413()
    {
        var response = await (await ClientAsync()).PostAsJsonAsync("/api/solver/runs", new { language = "lp", source = new string('x', 1001) });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("Solver:MaxSourceBytes", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ACplexLpFileIs400AskingForMpsAndNeverReachesTheSandbox()
    {
        var message = await SourceErrorAsync("Maximize\n obj: x\nSubject To\n c: x <= 4\nEnd\n");

        Assert.StartsWith("Line 1 ('Maximize') is a section of the CPLEX LP format", message, StringComparison.Ordinal);
        Assert.Contains("(language \"mps\")", message, StringComparison.Ordinal);
        Assert.Null(_sandbox.LastRequest);
    }

    [Fact]
    public async Task LpTextTheSolverCannotReadIs400NamingTheLine()
    {
        _sandbox.Answer = new RunResult(RunStatus.CompileError, null, null, null, null, new Dictionary<string, double>(), "none", new RunTimings(0, 0, 1, 1),
            "bwrap", false, Verification.NotChecked, [new Diagnostic("Compile", 2, 1, "lp", "the LP text could not be parsed: OR-Tools' LP parser stopped at line 2, in 'c: x <= 4 4;'")], "", false);

        var message = await SourceErrorAsync("max: x;\nc: x <= 4 4;\n");

        Assert.StartsWith("the LP text could not be parsed: OR-Tools' LP parser stopped at line 2", message, StringComparison.Ordinal);
        Assert.Contains("OR-Tools' own LP format", message, StringComparison.Ordinal);
    }

    /// <summary>Posts LP text that must be refused, and returns the 400's message for the source field.</summary>
    private async Task<string?> SourceErrorAsync(string lp)
    {
        var response = await (await ClientAsync()).PostAsJsonAsync("/api/solver/runs", new { language = "lp", source = lp });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("errors").GetProperty("source")[0].GetString();
    }

    [Fact]
    public async Task OnlyAnalystsMayRunPrograms()
    {
        var anonymous = await (await ClientAsync(role: null)).PostAsJsonAsync("/api/solver/runs", new { language = "lp", source = "max: x;" });
        var reader = await (await ClientAsync(role: Role.Viewer)).PostAsJsonAsync("/api/solver/runs", new { language = "lp", source = "max: x;" });

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, reader.StatusCode);
    }

}

public sealed class ScriptedSandbox : ISandbox
{
    public RunRequest? LastRequest { get; private set; }

    /// <summary>What the sandbox answers instead of a correct run.</summary>
    public RunResult? Answer { get; set; }

    public void Reset() => (LastRequest, Answer) = (null, null);

    public Task<RunResult> RunAsync(RunRequest request, CancellationToken cancellationToken)
    {
        LastRequest = request;
        return Task.FromResult(Answer ?? new RunResult(RunStatus.Correct, RunStatus.Optimal, 36, 36, request.ExpectedObjective,
            new Dictionary<string, double> { ["x"] = 2 }, "GLOP", new RunTimings(1, 2, 3, 6), "bwrap", false,
            Verification.NotChecked, [], "", false));
    }
}
