using System.Text.Json;
using System.Xml.Linq;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OptLib.Library.Access;
using OptLib.Library.Evaluation;
using OptLib.Library.Insights;
using OptLib.Library.Jobs;
using OptLib.Library.Models;
using OptLib.Library.Problems;
using OptLib.Library.Retrieval;
using OptLib.Tests.Infrastructure;
using OptLib.Tests.Models;
using OptLib.Tests.Problems;

namespace OptLib.Tests.Jobs;

/// <summary>The job server on, a scripted model that writes the right program unless the problem cannot be done.</summary>
public sealed class EvaluationApp : OptLibApp
{
    public ScriptedChatModel Model { get; } = new((call, _) => call.Purpose switch
    {
        "formulation" => "Variables: doors, windows >= 0. Objective: max 3d + 5w. Constraints: plant hours.",
        "program" when call.User.Contains("cannot-be-done", StringComparison.Ordinal) => "```csharp\n" + PipelineApp.Infeasible + "\n```",
        // Told which constraints conflict, the model keeps the program: the problem has no solution as written.
        var p when p.StartsWith("self-debug", StringComparison.Ordinal) && call.User.Contains("cannot-be-done", StringComparison.Ordinal)
            => "```csharp\n" + PipelineApp.Infeasible + "\n```",
        _ => "```csharp\n" + PipelineApp.Wyndor + "\n```",
    });

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Worker:InProcess"] = "true" };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<IChatModel>(Model));
    }
}

public sealed class EvaluationJobTests(EvaluationApp app) : IClassFixture<EvaluationApp>
{
    [Fact]
    public async Task AnEvaluationScoresTheSplitByTaxonomyAndChartsItsHistory()
    {
        await AddInsightAsync("Fixed Setup Costs", "A glass plant making doors and windows with plant hours.");
        await AddInsightAsync("Vehicle Routing and Subtours", "Trucks leave the depot and visit shops on routes.");
        await AddProblemAsync("A glass plant makes doors and windows with limited plant hours; maximise profit.", 36, "test");
        await AddProblemAsync("The glass plant's doors and windows again, with plant hours; maximise profit.", 36, "test");
        await AddProblemAsync("cannot-be-done: trucks leave the depot and visit shops on routes.", 36, "test");
        await AddProblemAsync("A glass plant with doors and windows and no known answer.", null, "test");
        await AddProblemAsync("A glass plant in the train split, not evaluated.", 36, "train");
        using var client = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));

        var job = await client.WaitForEndAsync((await client.StartAsync("evaluation", new { dataset = "tiny", split = "test" })).Id, 240);

        Assert.True(job.State == "succeeded", $"{job.State}: {job.Error}");
        Assert.Equal(new JobProgress(4, 4), job.Progress);
        var metrics = job.Metrics!.Value.Deserialize<EvaluationMetrics>(JobContext.Json)!;
        Assert.Equal((4, 3, 2), (metrics.Problems, metrics.WithExpected, metrics.Correct));
        Assert.Equal(0.6667, metrics.Accuracy, 4);
        Assert.Equal(2, metrics.Statuses["Correct"]);
        Assert.Equal(1, metrics.Statuses["WrongAnswer"]);
        var production = Assert.Single(metrics.ByTaxonomy, t => t.Label == "Production and Inventory");
        Assert.Equal((2, 2), (production.Problems, production.Correct));
        var routing = Assert.Single(metrics.ByTaxonomy, t => t.Label == "Routing");
        Assert.Equal((1, 0), (routing.Problems, routing.Correct));
        var attempts = await app.WithDbAsync(db => db.Attempts.ToListAsync());
        Assert.Equal(attempts.Sum(a => a.PromptTokens), metrics.PromptTokens);
        // An evaluation cross-checks every solved linear model with a second solver; these agreed.
        var correct = attempts.Where(a => a.Status == OptLib.Library.Attempts.AttemptStatus.Correct).ToList();
        Assert.Equal(2, correct.Count);
        Assert.All(correct, a => Assert.True(a.SolverResult!.CrossCheck is { Agrees: true } check && check.Solver != a.SolverResult.Solver,
            $"attempt {a.Id}: {a.SolverResult.Solver} cross-checked by {a.SolverResult.CrossCheck?.Solver}"));
        Assert.True(metrics.PromptTokens > 0);
        Assert.Equal(2, metrics.LibrarySize);
        Assert.Contains("**Accuracy 66.7%**: 2 of 3", job.Report, StringComparison.Ordinal);
        Assert.Contains("| Routing | 1 | 0 | 0.0% |", job.Report, StringComparison.Ordinal);

        // A second run of one problem: the chart and the report now hold both runs.
        var second = await client.WaitForEndAsync((await client.StartAsync("evaluation", new { dataset = "tiny", limit = 1 })).Id, 240);
        Assert.Equal(1.0, second.Metrics!.Value.GetProperty("accuracy").GetDouble());
        var svg = XDocument.Parse(await client.GetStringAsync($"/api/jobs/{second.Id}/artifacts/{EvaluationKind.ChartName}"));
        XNamespace ns = "http://www.w3.org/2000/svg";
        var accuracy = svg.Descendants(ns + "polyline").Single(p => (string?)p.Attribute("id") == "accuracy");
        var points = accuracy.Attribute("points")!.Value.Split(' ').Select(p => double.Parse(p.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(2, points.Count);
        Assert.True(points[1] < points[0], "the second run's accuracy is higher, so its point is drawn higher");
        Assert.Contains($"| {job.Id} |", second.Report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEvaluationOfAnEmptySplitFailsSayingWhatToImport()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var job = await client.WaitForEndAsync((await client.StartAsync("evaluation", new { dataset = "nowhere" })).Id);

        Assert.Equal("failed", job.State);
        Assert.Contains("'nowhere' has no problems in split 'test'", job.Error, StringComparison.Ordinal);
    }

    private Task AddProblemAsync(string text, double? expected, string split) => app.WithDbAsync(async db =>
    {
        db.Problems.Add(new Problem
        {
            Text = text, ExpectedObjective = expected, Dataset = "tiny", Split = split, Status = ProblemStatus.Queued,
            CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
        });
        return await db.SaveChangesAsync();
    });

    private Task AddInsightAsync(string level2, string condition) => app.WithDbAsync(async db =>
    {
        var node = await db.TaxonomyNodes.FirstAsync(n => n.Depth == 2 && n.Name == level2);
        var insight = new Insight
        {
            Condition = condition,
            Explanation = condition,
            Status = InsightStatus.Active,
            Version = 1,
            Taxonomy = [node],
            CreatedBy = "test",
            UpdatedBy = "test",
            CreatedAt = DateTimeOffset.UtcNow,
            UpdatedAt = DateTimeOffset.UtcNow,
        };
        await app.Embeddings.EmbedAsync(insight, CancellationToken.None);
        db.Insights.Add(insight);
        return await db.SaveChangesAsync();
    });
}
