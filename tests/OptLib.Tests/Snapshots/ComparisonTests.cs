using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Xml.Linq;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OptLib.Library.Access;
using OptLib.Library.Comparison;
using OptLib.Library.Evaluation;
using OptLib.Library.Jobs;
using OptLib.Library.Models;
using OptLib.Library.Problems;
using OptLib.Library.Snapshots;
using OptLib.Tests.Infrastructure;
using OptLib.Tests.Jobs;
using OptLib.Tests.Models;
using OptLib.Tests.Problems;

namespace OptLib.Tests.Snapshots;

/// <summary>
/// The job server on, and a scripted model that writes the right program when the program prompt carries the
/// insight that says so (or the problem does not need one), and an infeasible one otherwise.
/// </summary>
public sealed class ComparisonApp : OptLibApp
{
    /// <summary>The words of the insight's explanation (what the program prompt shows) that make the difference.</summary>
    public const string Marker = "WYNDOR-PLANT-HOURS";

    public ScriptedChatModel Model { get; } = new((call, _) => call.Purpose switch
    {
        "formulation" => "Variables: doors, windows >= 0. Objective: max 3d + 5w. Constraints: plant hours.",
        "program" when call.User.Contains("cannot-be-done", StringComparison.Ordinal) => "```csharp\n" + PipelineApp.Infeasible + "\n```",
        "program" when call.User.Contains("needs-the-insight", StringComparison.Ordinal) && !call.User.Contains(Marker, StringComparison.Ordinal)
            => "```csharp\n" + PipelineApp.Infeasible + "\n```",
        // Told which constraints conflict, the model keeps the program: without the lesson it cannot see the fix.
        var p when p.StartsWith("self-debug", StringComparison.Ordinal)
            && (call.User.Contains("cannot-be-done", StringComparison.Ordinal) || call.User.Contains("needs-the-insight", StringComparison.Ordinal))
            => "```csharp\n" + PipelineApp.Infeasible + "\n```",
        _ => "```csharp\n" + PipelineApp.Wyndor + "\n```",
    });

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Worker:InProcess"] = "true" };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<IChatModel>(Model));
    }

    public Task AddProblemAsync(string dataset, string text, double? expected, string split = "test") => WithDbAsync(async db =>
    {
        db.Problems.Add(new Problem
        {
            Text = text, ExpectedObjective = expected, Dataset = dataset, Split = split, Status = ProblemStatus.Queued,
            CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
        });
        return await db.SaveChangesAsync();
    });
}

public sealed class ComparisonTests(ComparisonApp app) : IClassFixture<ComparisonApp>
{
    [Fact]
    public async Task AComparisonWhereNothingChangedHasEqualSidesAndPOne()
    {
        await app.AddProblemAsync("same", "A glass plant makes doors and windows with limited plant hours; maximise profit.", 36);
        await app.AddProblemAsync("same", "cannot-be-done: the glass plant again, with plant hours.", 36);
        await app.AddProblemAsync("same", "A glass plant with doors and windows and no known answer.", null);
        await app.AddProblemAsync("same", "A train-split problem, not compared.", 36, "train");
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var snapshot = await analyst.TakeSnapshotAsync("nothing changed");

        var job = await analyst.WaitForEndAsync((await analyst.StartAsync("comparison",
            new { dataset = "same", split = "test", baseline = snapshot.Id, candidate = snapshot.Id })).Id, 240);

        Assert.True(job.State == "succeeded", $"{job.State}: {job.Error}");
        Assert.Equal(new JobProgress(6, 6), job.Progress); // three problems, two sides
        var m = job.Metrics!.Value.Deserialize<ComparisonMetrics>(JobContext.Json)!;
        Assert.Equal((3, 2), (m.Problems, m.Baseline.Total));
        Assert.Equal((1, 0.5), (m.Baseline.Correct, m.Baseline.Accuracy));
        Assert.Equal((m.Baseline.Correct, m.Baseline.Accuracy, m.Baseline.Total), (m.Candidate.Correct, m.Candidate.Accuracy, m.Candidate.Total));
        Assert.Equal(new ComparisonPairs(1, 0, 0, 1), m.Pairs);
        Assert.Equal(1.0, m.PValue);
        Assert.Equal((snapshot.Id, snapshot.Id), (m.Baseline.Snapshot, m.Candidate.Snapshot));
        Assert.True(m.Baseline.PromptTokens > 0 && m.Candidate.PromptTokens > 0, "each side's tokens are counted");
        Assert.Equal(2, m.ByTaxonomy.Sum(t => t.Problems));
        Assert.Contains("p = 1**", job.Report, StringComparison.Ordinal);
        Assert.Contains("| **baseline right** | 1 | 0 |", job.Report, StringComparison.Ordinal);
        var svg = XDocument.Parse(await analyst.GetStringAsync($"/api/jobs/{job.Id}/artifacts/{ComparisonKind.ChartName}"));
        XNamespace ns = "http://www.w3.org/2000/svg";
        var bars = svg.Descendants(ns + "rect").Where(r => (string?)r.Attribute("data-label") == "all").ToDictionary(r => (string)r.Attribute("class")!, r => (string)r.Attribute("data-accuracy")!);
        Assert.Equal(("0.5", "0.5"), (bars["baseline"], bars["candidate"]));

        // The results route: each test problem once, with both verdicts and both attempts.
        var results = await analyst.GetFromJsonAsync<JobResultPage>($"/api/jobs/{job.Id}/results");
        Assert.Equal(3, results!.Total);
        Assert.All(results.Items, row => Assert.Equal(["baseline", "candidate"], row.Runs.Select(r => r.Side)));
        Assert.All(results.Items.SelectMany(r => r.Runs), run => Assert.NotNull(run.AttemptId));
        Assert.Equal(6, results.Items.SelectMany(r => r.Runs).Select(r => r.AttemptId).Distinct().Count());
        var right = Assert.Single(results.Items, r => r.Pair == "bothRight");
        Assert.All(right.Runs, run => Assert.Equal(("correct", 36.0), (run.Verdict, run.Objective!.Value)));
        Assert.All(Assert.Single(results.Items, r => r.Pair == "bothWrong").Runs, run => Assert.Equal("wrongAnswer", run.Verdict));
        Assert.Null(Assert.Single(results.Items, r => r.ExpectedObjective is null).Pair);

        // Its filters.
        var wrong = await analyst.GetFromJsonAsync<JobResultPage>($"/api/jobs/{job.Id}/results?pair=bothWrong");
        Assert.Contains("cannot-be-done", Assert.Single(wrong!.Items).Problem, StringComparison.Ordinal);
        var wrongAnswers = await analyst.GetFromJsonAsync<JobResultPage>($"/api/jobs/{job.Id}/results?verdict=WRONGANSWER");
        Assert.Equal(wrong.Items[0].ProblemId, Assert.Single(wrongAnswers!.Items).ProblemId);
        var second = await analyst.GetFromJsonAsync<JobResultPage>($"/api/jobs/{job.Id}/results?pageSize=2&page=2");
        Assert.Equal((3, results.Items[2].ProblemId), (second!.Total, Assert.Single(second.Items).ProblemId));
        Assert.Empty((await analyst.GetFromJsonAsync<JobResultPage>($"/api/jobs/{job.Id}/results?pair=onlyCandidate"))!.Items);
    }

    [Fact]
    public async Task SnapshotTheLibraryLearnSomethingAndTheComparisonWithCurrentShowsTheGain()
    {
        for (var i = 1; i <= 3; i++)
        {
            await app.AddProblemAsync("gain", $"needs-the-insight {i}: a glass plant makes doors and windows with limited plant hours.", 36);
        }

        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var before = await analyst.TakeSnapshotAsync("gain: before");
        var insight = await analyst.CreateInsightAsync("When a glass plant shares plant hours.", await analyst.LeafAsync("Strict Inequalities"),
            $"The prompt carries the explanation: {ComparisonApp.Marker}.");

        var job = await analyst.WaitForEndAsync((await analyst.StartAsync("comparison",
            new { dataset = "gain", baseline = before.Id, candidate = "current" })).Id, 240);

        Assert.True(job.State == "succeeded", $"{job.State}: {job.Error}");
        var m = job.Metrics!.Value.Deserialize<ComparisonMetrics>(JobContext.Json)!;
        Assert.Equal((0, 3, 0.0), (m.Baseline.Correct, m.Baseline.Total, m.Baseline.Accuracy));
        Assert.Equal((3, 3, 1.0), (m.Candidate.Correct, m.Candidate.Total, m.Candidate.Accuracy));
        Assert.Equal(new ComparisonPairs(0, 0, 3, 0), m.Pairs);
        Assert.Equal(0.25, m.PValue, 6); // 2 x 0.5^3
        Assert.Contains("within chance", job.Report, StringComparison.Ordinal);

        // "current" was snapshotted when the job planned, and holds the new insight; the baseline does not.
        var candidate = await analyst.GetFromJsonAsync<SnapshotDetailDto>($"/api/library/snapshots/{m.Candidate.Snapshot}?against={before.Id}");
        Assert.Equal(job.Id, candidate!.JobId);
        Assert.Equal(insight.Id, Assert.Single(candidate.Diff!.AddedInsights).InsightId);

        var results = await analyst.GetFromJsonAsync<JobResultPage>($"/api/jobs/{job.Id}/results?pair=onlyCandidate");
        Assert.Equal(3, results!.Total);
        Assert.All(results.Items, row => Assert.Equal(["wrongAnswer", "correct"], row.Runs.Select(r => r.Verdict)));
    }

    [Fact]
    public async Task AnEvolutionJobSnapshotsTheLibraryBeforeItChangesIt()
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var job = await analyst.WaitForEndAsync((await analyst.StartAsync("evolution", new { dataset = "nothing-here" })).Id, 120);
        Assert.True(job.State == "succeeded", $"{job.State}: {job.Error}");

        var taken = await analyst.GetFromJsonAsync<SnapshotPage>($"/api/library/snapshots?job={job.Id}");
        var snapshot = Assert.Single(taken!.Items);
        Assert.Equal($"before evolution job {job.Id}", snapshot.Name);
        Assert.Contains(job.Log, l => l.Message.Contains($"Library snapshot {snapshot.Id}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnEvaluationsResultsListEachProblemWithItsVerdictAndRefusePairs()
    {
        await app.AddProblemAsync("eval", "A glass plant makes doors and windows with limited plant hours; maximise profit.", 36);
        await app.AddProblemAsync("eval", "cannot-be-done: the glass plant again, with plant hours.", 36);
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var job = await analyst.WaitForEndAsync((await analyst.StartAsync("evaluation", new { dataset = "eval" })).Id, 240);
        Assert.True(job.State == "succeeded", $"{job.State}: {job.Error}");

        var results = await analyst.GetFromJsonAsync<JobResultPage>($"/api/jobs/{job.Id}/results");
        Assert.Equal(("evaluation", 2), (results!.Kind, results.Total));
        Assert.Equal(["correct", "wrongAnswer"], results.Items.Select(r => Assert.Single(r.Runs).Verdict));
        Assert.All(results.Items, r => Assert.Null(r.Pair));
        var correct = await analyst.GetFromJsonAsync<JobResultPage>($"/api/jobs/{job.Id}/results?verdict=correct");
        Assert.Equal(results.Items[0].ProblemId, Assert.Single(correct!.Items).ProblemId);

        var pairs = await analyst.GetAsync($"/api/jobs/{job.Id}/results?pair=bothRight");
        Assert.Equal(HttpStatusCode.BadRequest, pairs.StatusCode);
    }

    [Theory]
    [InlineData("""{"dataset":"same"}""", "parameters.baseline")]
    [InlineData("""{"dataset":"same","baseline":987654}""", "parameters.baseline")]
    [InlineData("""{"dataset":"same","baseline":"first"}""", "parameters")]
    [InlineData("""{"baseline":BASE}""", "parameters.dataset")]
    [InlineData("""{"dataset":"same","baseline":BASE,"candidate":"latest"}""", "parameters.candidate")]
    [InlineData("""{"dataset":"same","baseline":BASE,"candidate":987654}""", "parameters.candidate")]
    [InlineData("""{"dataset":"same","baseline":BASE,"limit":0}""", "parameters.limit")]
    public async Task BadComparisonParametersAre400sNamingTheField(string parameters, string field)
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var snapshot = await analyst.TakeSnapshotAsync("for bad parameters");
        var body = $$"""{"kind":"comparison","parameters":{{parameters.Replace("BASE", snapshot.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)}}}""";

        var response = await analyst.PostAsync("/api/jobs", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ValidationProblemDetails>();
        Assert.Contains(field, problem!.Errors.Keys);
    }

    [Fact]
    public async Task ResultsOfAnUnknownJobAre404AndOfAnotherKind400()
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        Assert.Equal(HttpStatusCode.NotFound, (await analyst.GetAsync("/api/jobs/987654/results")).StatusCode);
        var selftest = await analyst.StartAsync("selftest", new { });
        var response = await analyst.GetAsync($"/api/jobs/{selftest.Id}/results");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("evaluation and comparison", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await analyst.GetAsync("/api/jobs/1/results?pageSize=0")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await analyst.GetAsync("/api/jobs/1/results?pair=sideways")).StatusCode);
    }
}
