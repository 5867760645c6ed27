using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OptLib.Library.Access;
using OptLib.Library.Insights;
using OptLib.Library.Models;
using OptLib.Library.Problems;
using OptLib.Tests.Infrastructure;
using OptLib.Tests.Models;

namespace OptLib.Tests.Problems;

/// <summary>
/// The service with its job server on and a scripted model at our seam. The problem text picks the script: a good
/// program, one that does not compile until the self-debug round, an infeasible one.
/// </summary>
public sealed class PipelineApp : OptLibApp
{
    /// <summary>The solver corpus's Wyndor program (optimum 36), copied beside the tests by the build.</summary>
    public static readonly string Wyndor = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Programs", "lp_wyndor.cs"));

    public const string Infeasible = """
        using Google.OrTools.LinearSolver;
        public sealed class Impossible : IOptModel
        {
            public void Build(IModelContext ctx)
            {
                var solver = Solver.CreateSolver("GLOP");
                var x = solver.MakeNumVar(0, 10, "x");
                solver.Add(x >= 6);
                solver.Add(x <= 5);
                solver.Maximize(x);
                ctx.Use(solver);
                ctx.Report("x", x);
            }
        }
        """;

    public ScriptedChatModel Model { get; } = new((call, _) => call.Purpose switch
    {
        "formulation" => "Sets: products. Parameters: hours. Variables: doors, windows >= 0. Objective: max 3d + 5w. Constraints: plant hours.",
        "program" when call.User.Contains("does-not-compile", StringComparison.Ordinal) => "```csharp\n" + Wyndor.Replace("ctx.Use(solver);", "ctx.Use(solver)", StringComparison.Ordinal) + "\n```",
        "program" when call.User.Contains("cannot-be-done", StringComparison.Ordinal) => "```csharp\n" + Infeasible + "\n```",
        _ => "Here it is:\n```csharp\n" + Wyndor + "\n```",
    });

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Worker:InProcess"] = "true" };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<IChatModel>(Model));
    }
}

public sealed class PipelineTests(PipelineApp app) : IClassFixture<PipelineApp>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task AProblemIsFormulatedProgrammedSolvedAndCheckedAndTheAttemptHoldsEverything()
    {
        var insightId = await AddActiveInsightAsync("General Formulation", "Binary Indicators",
            "When a glass plant chooses how many doors and windows to make with limited plant hours.",
            "Write one capacity row per plant; the usual mistake is to merge the plants' hours into one row.");

        var problem = await SubmitAsync("A glass plant makes doors and windows with limited plant hours; maximise profit.", expected: 36);

        Assert.Equal("solved", problem.Status);
        var attempt = problem.LatestAttempt!;
        Assert.Equal("Correct", attempt.Status);
        Assert.Equal(36, attempt.Objective!.Value, 6);
        Assert.StartsWith("Sets: products.", attempt.Formulation, StringComparison.Ordinal);
        Assert.Contains("class Wyndor", attempt.Program, StringComparison.Ordinal);
        Assert.False(attempt.QueuedForLearning);
        Assert.Contains("formulation@1", attempt.PromptVersions!.Value.GetRawText(), StringComparison.Ordinal);
        Assert.True(attempt.PromptTokens > 0);

        var formulationCall = app.Model.Calls.Last(c => c.Purpose == "formulation" && c.User.Contains("glass plant", StringComparison.Ordinal));
        Assert.Contains($"[I{insightId}]", formulationCall.User, StringComparison.Ordinal);
        Assert.Contains($"\"id\":{insightId}", attempt.RetrievedInsights!.Value.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACompileErrorIsFixedInTheSelfDebugRoundAndBothProgramsAreKept()
    {
        var problem = await SubmitAsync("does-not-compile: the glass plant again.", expected: 36);

        var attempt = problem.LatestAttempt!;
        Assert.Equal("Correct", attempt.Status);
        var rounds = attempt.Programs!.Value.EnumerateArray().Select(p => p.GetProperty("status").GetString()).ToList();
        Assert.Equal(["CompileError", "Correct"], rounds);
        var debugCall = app.Model.Calls.Single(c => c.Purpose == "self-debug 1" && c.User.Contains("does-not-compile", StringComparison.Ordinal));
        Assert.Contains("; expected", debugCall.User, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWrongAnswerIsMarkedAndQueuedForLearning()
    {
        var problem = await SubmitAsync("The glass plant, but the book says the profit is 40.", expected: 40);

        Assert.Equal("failed", problem.Status);
        Assert.Equal("WrongAnswer", problem.LatestAttempt!.Status);
        Assert.True(problem.LatestAttempt.QueuedForLearning);
        Assert.True(await app.WithDbAsync(db => db.Attempts.AnyAsync(a => a.Id == problem.LatestAttempt.Id && a.QueuedForLearning)));
    }

    [Fact]
    public async Task AnInfeasibleModelIsReportedAsSuch()
    {
        var problem = await SubmitAsync("cannot-be-done: x at least 6 and at most 5.", expected: null);

        Assert.Equal("Infeasible", problem.LatestAttempt!.Status);
        using var viewer = app.ClientWithKey(await app.CreateKeyAsync(Role.Viewer));
        var attempts = await viewer.GetFromJsonAsync<List<AttemptDto>>($"/api/problems/{problem.Id}/attempts", Json);
        Assert.Equal(problem.LatestAttempt.Id, Assert.Single(attempts!).Id);
    }

    private async Task<ProblemDto> SubmitAsync(string text, double? expected)
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        analyst.Timeout = TimeSpan.FromMinutes(4); // a loaded CI machine; the service itself answers when the solve ends
        var response = await analyst.PostAsJsonAsync("/api/problems?wait=180", new { text, expectedObjective = expected });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ProblemDto>(Json))!;
    }

    private Task<long> AddActiveInsightAsync(string stage, string level2, string condition, string explanation) => app.WithDbAsync(async db =>
    {
        var node = await db.TaxonomyNodes.Include(n => n.Parent!).ThenInclude(p => p.Parent)
            .FirstAsync(n => n.Depth == 2 && n.Name == level2 && n.Parent!.Parent!.Name == stage);
        var insight = new Insight
        {
            Condition = condition,
            Explanation = explanation,
            Status = InsightStatus.Active,
            Version = 1,
            Taxonomy = [node],
            CreatedBy = "test",
            UpdatedBy = "test",
            CreatedAt = DateTimeOffset.UtcNow,
            UpdatedAt = DateTimeOffset.UtcNow,
        };
        db.Insights.Add(insight);
        await db.SaveChangesAsync();
        return insight.Id;
    });
}

public sealed class NoModelTests(OptLibApp app) : IClassFixture<OptLibApp>
{
    [Fact]
    public async Task WithoutAModelSubmittingIs503NamingTheSettingsAndStoresNothing()
    {
        using var admin = app.Admin();
        var response = await admin.PostAsJsonAsync("/api/problems", new { text = "Maximise x subject to x <= 3." });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("Model:Provider", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await app.WithDbAsync(db => db.Problems.CountAsync()));
    }
}
