using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OptLib.Api.Solver;
using OptLib.Solver;
using OptLib.Solver.Runs;
using OptLib.Solver.Sandbox;

namespace OptLib.Tests.Solver;

/// <summary>POST /api/solver/runs over HTTP, with a scripted sandbox: the endpoint's mapping, not the solver.</summary>
public sealed class SolverApiTests : IAsyncLifetime
{
    private WebApplication _app = null!;
    private readonly ScriptedSandbox _sandbox = new();

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddMediator(o => o.ServiceLifetime = ServiceLifetime.Scoped); // as the Api's generated code expects
        builder.Services.AddSingleton<ISandbox>(_sandbox);
        builder.Services.Configure<SolverOptions>(o => o.MaxSourceBytes = 1000);
        builder.Services.AddAuthentication(TestAuth.SchemeName).AddScheme<AuthenticationSchemeOptions, TestAuth>(TestAuth.SchemeName, null);
        builder.Services.AddAuthorization(o => o.AddPolicy("analyst", p => p.RequireRole("analyst")));
        _app = builder.Build();
        _app.UseAuthentication();
        _app.UseAuthorization();
        _app.MapSolverApi();
        await _app.StartAsync();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private HttpClient Client(string? role = "analyst")
    {
        var client = _app.GetTestClient();
        if (role is not null)
            client.DefaultRequestHeaders.Add(TestAuth.Header, role);
        return client;
    }

    [Fact]
    public async Task AValidProgramIsRunAndItsResultReturnedWithStringStatuses()
    {
        var response = await Client().PostAsJsonAsync("/api/solver/runs",
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
        var response = await Client().PostAsJsonAsync("/api/solver/runs", new { language = "python", source = "", timeLimitSeconds = -1 });

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
        var response = await Client().PostAsJsonAsync("/api/solver/runs", new { language = "lp", source = new string('x', 1001) });

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
        var response = await Client().PostAsJsonAsync("/api/solver/runs", new { language = "lp", source = lp });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("errors").GetProperty("source")[0].GetString();
    }

    [Fact]
    public async Task OnlyAnalystsMayRunPrograms()
    {
        var anonymous = await Client(role: null).PostAsJsonAsync("/api/solver/runs", new { language = "lp", source = "max: x;" });
        var reader = await Client(role: "reader").PostAsJsonAsync("/api/solver/runs", new { language = "lp", source = "max: x;" });

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, reader.StatusCode);
    }

    private sealed class ScriptedSandbox : ISandbox
    {
        public RunRequest? LastRequest { get; private set; }

        /// <summary>What the sandbox answers instead of a correct run.</summary>
        public RunResult? Answer { get; set; }

        public Task<RunResult> RunAsync(RunRequest request, CancellationToken cancellationToken)
        {
            LastRequest = request;
            return Task.FromResult(Answer ?? new RunResult(RunStatus.Correct, RunStatus.Optimal, 36, 36, request.ExpectedObjective,
                new Dictionary<string, double> { ["x"] = 2 }, "GLOP", new RunTimings(1, 2, 3, 6), "bwrap", false,
                Verification.NotChecked, [], "", false));
        }
    }

    private sealed class TestAuth(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string SchemeName = "Test";
        public const string Header = "X-Test-Role";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (!Request.Headers.TryGetValue(Header, out var role))
                return Task.FromResult(AuthenticateResult.NoResult());
            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "tester"), new Claim(ClaimTypes.Role, role.ToString())], SchemeName);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
        }
    }
}
