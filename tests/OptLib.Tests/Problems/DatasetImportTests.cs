using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Access;
using OptLib.Library.Problems;
using OptLib.Tests.Infrastructure;

namespace OptLib.Tests.Problems;

public sealed class DatasetImportTests(OptLibApp app) : IClassFixture<OptLibApp>
{
    private static readonly string[] TrainFiles = ["industryor_train.json", "logior_train.json", "mamo_complex_train.json", "nl4opt_train.json", "nlp4lp_train.json"];

    [ReferenceDataFact]
    public async Task TheFiveTrainFilesArriveWithTheirExpectedValuesAndAReimportChangesNothing()
    {
        using var admin = app.Admin();
        var expected = new Dictionary<string, double?>();
        foreach (var file in TrainFiles)
        {
            var tasks = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(ReferenceData.AlphaOpt, "tasks", file)))!.AsArray();
            foreach (var task in tasks)
            {
                var truth = task!["ground_truth"];
                expected[(string)task["task_id"]!] = truth is JsonValue v && v.TryGetValue<double>(out var d) && double.IsFinite(d) ? d : null;
            }

            await ImportAsync(admin, "alphaopt", tasks, created: tasks.Count);
        }

        Assert.Equal(516, expected.Count);
        await AssertStoredAsync("alphaopt", expected);

        var again = await ImportAsync(admin, "alphaopt", JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(ReferenceData.AlphaOpt, "tasks", "nl4opt_train.json")))!.AsArray(), created: 0);
        Assert.Equal((0, 0, 149), (again.Created, again.Updated, again.Unchanged));
        Assert.Equal(516, await app.WithDbAsync(db => db.Problems.CountAsync(p => p.Dataset == "alphaopt")));
    }

    [Fact]
    public async Task ATaskFileInAlphaOptsFormatArrivesWithItsExpectedValuesAndAReimportChangesNothing()
    {
        using var admin = app.Admin();
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "tasks", "fixture_train.json");
        var tasks = JsonNode.Parse(await File.ReadAllTextAsync(path))!.AsArray();

        var first = await ImportAsync(admin, "fixture", tasks, created: 6);

        // A number, a string holding a number, no ground truth at all, and a string that is no number.
        Assert.Equal(["Q04", "Q05"], first.Flagged.Select(f => f.TaskId));
        await AssertStoredAsync("fixture", new() { ["Q01"] = 115, ["Q02"] = 84, ["Q03"] = 16, ["Q04"] = null, ["Q05"] = null, ["Q06"] = 23.5 });

        var again = await ImportAsync(admin, "fixture", JsonNode.Parse(await File.ReadAllTextAsync(path))!.AsArray(), created: 0);
        Assert.Equal((0, 0, 6), (again.Created, again.Updated, again.Unchanged));
        Assert.Equal(6, await app.WithDbAsync(db => db.Problems.CountAsync(p => p.Dataset == "fixture")));
    }

    [Fact]
    public async Task AnItemWithoutGroundTruthIsKeptAndFlaggedAndOneWithoutAnIdIsSkippedWithItsReason()
    {
        using var admin = app.Admin();
        var response = await admin.PostAsJsonAsync("/api/datasets/import", new
        {
            dataset = "mine",
            split = "test",
            tasks = new object[]
            {
                new { task_id = "m1", description = "Maximise 3x + 2y subject to x + y <= 4.", ground_truth = "12.0" },
                new { task_id = "m2", description = "A problem whose answer nobody recorded." },
                new { description = "An item with no id." },
                new { task_id = "m3", description = "Unknown answer.", ground_truth = "n/a" },
            },
        });

        var report = await response.Content.ReadFromJsonAsync<TaskImportReport>();
        Assert.Equal(3, report!.Created);
        Assert.Equal(["m2", "m3"], report.Flagged.Select(f => f.TaskId));
        var skipped = Assert.Single(report.Skipped);
        Assert.Equal((2, "no task_id"), (skipped.Index, skipped.Reason));
        var m1 = await app.WithDbAsync(db => db.Problems.SingleAsync(p => p.Dataset == "mine" && p.ExternalId == "m1"));
        Assert.Equal(12.0, m1.ExpectedObjective);
    }

    [Fact]
    public async Task ImportingSomethingThatIsNotATaskListIs400AndStoresNothing()
    {
        using var admin = app.Admin();
        var response = await admin.PostAsJsonAsync("/api/datasets/import", new { dataset = "", split = "train", tasks = new { task_id = "x" } });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.True(problem.TryGetProperty("Dataset", out _));
        Assert.True(problem.TryGetProperty("Tasks", out _));

        var malformed = await admin.PostAsync("/api/datasets/import", new StringContent("{\"dataset\": \"d\", \"tasks\": [", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(0, await app.WithDbAsync(db => db.Problems.CountAsync(p => p.Dataset == "x" || p.Dataset == "d")));
    }

    [Fact]
    public async Task AViewerCannotImport()
    {
        using var viewer = app.ClientWithKey(await app.CreateKeyAsync(Role.Viewer));
        var response = await viewer.PostAsJsonAsync("/api/datasets/import", new { dataset = "v", split = "train", tasks = Array.Empty<object>() });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task ThreeImportsOfOneDatasetAtOnceAllSucceedAndStoreEachTaskOnce()
    {
        using var admin = app.Admin();
        var tasks = new JsonArray([.. Enumerable.Range(1, 40).Select(i => (JsonNode)new JsonObject
        {
            ["task_id"] = $"R{i:00}", ["description"] = $"Raced task {i}: maximise 3x + 2y with x + y <= {i}.", ["ground_truth"] = 3.0 * i,
        })]);

        var answers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ =>
            admin.PostAsJsonAsync("/api/datasets/import", new { dataset = "raced", split = "train", tasks = tasks.DeepClone() })));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        var reports = await Task.WhenAll(answers.Select(a => a.Content.ReadFromJsonAsync<TaskImportReport>()));
        Assert.Equal(40, reports.Sum(r => r!.Created));
        Assert.All(reports, r => Assert.Equal(40, r!.Created + r.Unchanged));
        Assert.Equal(40, await app.WithDbAsync(db => db.Problems.CountAsync(p => p.Dataset == "raced")));
    }

    private static async Task<TaskImportReport> ImportAsync(HttpClient admin, string dataset, JsonArray tasks, int created)
    {
        var response = await admin.PostAsJsonAsync("/api/datasets/import", new { dataset, split = "train", tasks });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = (await response.Content.ReadFromJsonAsync<TaskImportReport>())!;
        Assert.Equal(created, report.Created);
        Assert.Empty(report.Skipped);
        return report;
    }

    /// <summary>The dataset holds exactly these problems, each with its expected value, and flagged when it has none.</summary>
    private async Task AssertStoredAsync(string dataset, Dictionary<string, double?> expected)
    {
        var stored = await app.WithDbAsync(db => db.Problems.AsNoTracking().Where(p => p.Dataset == dataset).ToListAsync());
        Assert.Equal(expected.Keys.Order(), stored.Select(p => p.ExternalId!).Order());
        foreach (var problem in stored)
        {
            Assert.Equal(expected[problem.ExternalId!], problem.ExpectedObjective);
            Assert.Equal("train", problem.Split);
            Assert.Equal(expected[problem.ExternalId!] is null, problem.Flags.Contains(ImportTasks.NoGroundTruth));
        }
    }
}
