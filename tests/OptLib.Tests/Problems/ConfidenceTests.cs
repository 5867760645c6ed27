using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OptLib.Library.Access;
using OptLib.Library.Models;
using OptLib.Library.Problems;
using OptLib.Tests.Infrastructure;
using OptLib.Tests.Models;

namespace OptLib.Tests.Problems;

/// <summary>
/// Pipeline:Samples = 3: after the answer, the model writes two more programs from the same prompt and each is
/// solved. The script's second sample misreads the assembly hours (24, not 18) when the problem says "two-readings".
/// </summary>
public sealed class SampledApp : OptLibApp
{
    public ScriptedChatModel Model { get; } = new((call, _) => call.Purpose switch
    {
        "formulation" => "Variables: doors, windows >= 0. Objective: max 3d + 5w. Constraints: plant hours.",
        "program sample 3" when call.User.Contains("two-readings", StringComparison.Ordinal)
            => "```csharp\n" + PipelineApp.Wyndor.Replace("<= 18", "<= 24", StringComparison.Ordinal) + "\n```",
        _ => "```csharp\n" + PipelineApp.Wyndor + "\n```",
    });

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Worker:InProcess"] = "true",
        ["Retrieval:UseModel"] = "false",
        ["Pipeline:Samples"] = "3",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<IChatModel>(Model));
    }
}

public sealed class ConfidenceTests(SampledApp app) : IClassFixture<SampledApp>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Theory]
    [InlineData("A glass plant makes doors and windows; maximise profit (one reading).", 3, 1.0)]
    [InlineData("A glass plant makes doors and windows; maximise profit (two-readings).", 2, 0.6667)]
    public async Task IndependentProgramsThatReachOtherObjectivesLowerTheConfidence(string text, int agreeing, double confidence)
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        analyst.Timeout = TimeSpan.FromMinutes(4);
        var response = await analyst.PostAsJsonAsync("/api/problems?wait=180", new { text, expectedObjective = 36 });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<ProblemDto>(Json))!;
        var attempt = problem.LatestAttempt!;

        Assert.Equal("Correct", attempt.Status);
        var sampled = Assert.IsType<OptLib.Library.Attempts.AnswerConfidence>(attempt.Confidence);
        Assert.Equal(3, sampled.Objectives.Count);
        Assert.Equal(36, sampled.Objectives[0]!.Value, 6); // the answer's own
        Assert.Equal((agreeing, confidence), (sampled.Agreeing, sampled.Confidence));
        Assert.Equal(2, app.Model.Calls.Count(c => c.Purpose.StartsWith("program sample", StringComparison.Ordinal) && c.User.Contains(text, StringComparison.Ordinal)));

        var (_, _, session) = await Security.AdminSession.SignInAsync(app, "admin", await app.ReadCredentialAsync("admin_password"));
        using (session)
        {
            var html = await session.Client.GetStringAsync($"/admin/problems/{problem.Id}/attempts/{attempt.Id}");
            Assert.Contains($"{agreeing} of 3 independent programs reach this objective ({confidence * 100:F0}%)", html, StringComparison.Ordinal);
        }
    }
}
