using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Access;
using OptLib.Library.Jobs;
using OptLib.Tests.Infrastructure;

namespace OptLib.Tests.Jobs;

/// <summary>
/// A kind registered by the test: phase "measure" gives each word its length, phase "sum" adds what the first phase
/// found, and the finish reports the total. It proves phases see earlier results and run in order.
/// </summary>
public sealed class WordLengthKind : IJobKind
{
    public sealed record Parameters(string[] Words);

    public string Name => "wordlength";

    public string Summary => "Test kind: sums the lengths of words.";

    public IEnumerable<(string Field, string Error)> Validate(JsonElement parameters)
    {
        if (!parameters.TryGetProperty("words", out var words) || words.ValueKind != JsonValueKind.Array || words.GetArrayLength() == 0)
        {
            yield return ("parameters.words", "Give a non-empty array of words.");
        }
    }

    public async Task<JobPhase?> PlanAsync(JobContext job, int index, CancellationToken cancellationToken) => index switch
    {
        0 => new JobPhase("measure", job.ParametersAs<Parameters>().Words),
        1 => new JobPhase("sum", [(await job.ResultsAsync("measure", cancellationToken)).Count.ToString(System.Globalization.CultureInfo.InvariantCulture)]),
        _ => null,
    };

    public async Task<object?> RunItemAsync(JobItemContext item, CancellationToken cancellationToken)
    {
        await item.StepAsync($"{item.Phase} {item.Key}", cancellationToken);
        if (item.Phase == "measure")
        {
            return item.Key.Length;
        }

        var lengths = await item.ResultsAsync("measure", cancellationToken);
        return lengths.Sum(r => r.ResultAs<int>());
    }

    public async Task<JobOutcome> FinishAsync(JobContext job, CancellationToken cancellationToken)
    {
        var total = (await job.ResultsAsync("sum", cancellationToken)).Single().ResultAs<int>();
        await job.LogAsync($"total {total}", cancellationToken: cancellationToken);
        return new JobOutcome(new { total }, $"# Word lengths\n\nThe words have {total} letters.\n",
            [new JobArtifact { Name = "total.txt", ContentType = "text/plain", Content = total.ToString(System.Globalization.CultureInfo.InvariantCulture) }]);
    }
}

public sealed class JobsApp : OptLibApp
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Worker:InProcess"] = "true",
        ["Worker:WorkerCount"] = "2",
        ["Worker:CancelCheckSeconds"] = "1",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddJobKind<WordLengthKind>());
    }
}

public sealed class JobLifecycleTests(JobsApp app) : IClassFixture<JobsApp>
{
    [Fact]
    public async Task AJobRunsItsPhasesInOrderToTheEndWithMetricsReportAndLog()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var created = await client.StartAsync("wordlength", new { words = new[] { "knapsack", "flow", "tsp" } });
        Assert.Equal("queued", created.State);

        var job = await client.WaitForEndAsync(created.Id);

        Assert.Equal("succeeded", job.State);
        Assert.Equal(new JobProgress(4, 4), job.Progress); // three words, then one sum
        Assert.Equal(15, job.Metrics!.Value.GetProperty("total").GetInt32());
        Assert.Contains("15 letters", job.Report, StringComparison.Ordinal);
        Assert.Contains(job.Log, l => l.Message.StartsWith("Phase 1 'measure': 3 items", StringComparison.Ordinal));
        Assert.Contains(job.Log, l => l.Message.StartsWith("Phase 2 'sum': 1 items", StringComparison.Ordinal));
        Assert.Contains(job.Log, l => l.Message == "total 15");
        Assert.Equal("finished", job.CurrentStep);
        Assert.Equal(["total.txt"], job.Artifacts);
        Assert.Equal("15", await client.GetStringAsync($"/api/jobs/{job.Id}/artifacts/total.txt"));

        var items = await app.WithDbAsync(db => db.JobItems.Where(i => i.JobId == job.Id).ToListAsync());
        Assert.Equal(4, items.Count);
        Assert.All(items, i => Assert.Equal((JobItemState.Succeeded, 1), (i.State, i.Tries)));
        var lastMeasured = items.Where(i => i.Phase == "measure").Max(i => i.FinishedAt);
        Assert.True(items.Single(i => i.Phase == "sum").StartedAt >= lastMeasured, "the second phase started before the first had finished");

        var listed = await client.GetFromJsonAsync<JobPage>("/api/jobs?kind=wordlength&state=succeeded", JobClient.Json);
        Assert.Contains(listed!.Items, j => j.Id == job.Id);
        var none = await client.GetFromJsonAsync<JobPage>("/api/jobs?kind=wordlength&state=failed", JobClient.Json);
        Assert.DoesNotContain(none!.Items, j => j.Id == job.Id);
        Assert.True(await app.WithDbAsync(db => db.AuditLog.AnyAsync(a => a.Action == "create" && a.EntityType == "job" && a.EntityId == job.Id.ToString())));
    }

    [Fact]
    public async Task CancellingStopsTheItemsThatHaveNotStartedAndEndsCancelled()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var created = await client.StartAsync(SelfTestKind.KindName, new { items = 30, sleepMs = 400 });
        await client.WaitForAsync(created.Id, j => j.Progress.Done >= 2, TimeSpan.FromSeconds(60));

        var cancel = await client.PostAsync($"/api/jobs/{created.Id}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        var job = await client.WaitForEndAsync(created.Id, 30);

        Assert.Equal("cancelled", job.State);
        var items = await app.WithDbAsync(db => db.JobItems.Where(i => i.JobId == job.Id).ToListAsync());
        var neverStarted = items.Where(i => i.StartedAt is null).ToList();
        Assert.NotEmpty(neverStarted);
        Assert.All(neverStarted, i => Assert.Equal(JobItemState.Cancelled, i.State));
        Assert.DoesNotContain(items, i => i.State is JobItemState.Pending or JobItemState.Running);
        Assert.InRange(items.Count(i => i.State == JobItemState.Succeeded), 2, 29);

        // A negative check, so a window and not a wait: a deleted Hangfire job must not bring an item back. Every item's
        // state is read again and again for 1.5 s (the queue is polled each second) and must stay as the job ended.
        var ended = items.OrderBy(i => i.Id).Select(i => i.State).ToList();
        await Eventually.ThroughoutAsync(
            () => app.WithDbAsync(db => db.JobItems.Where(i => i.JobId == job.Id).OrderBy(i => i.Id).Select(i => i.State).ToListAsync()),
            states => states.SequenceEqual(ended), TimeSpan.FromSeconds(1.5), $"job {job.Id}'s items to keep the states it ended with",
            states => string.Join(", ", states));

        var again = await client.PostAsync($"/api/jobs/{created.Id}/cancel", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.True(await app.WithDbAsync(db => db.AuditLog.AnyAsync(a => a.Action == "cancel" && a.EntityId == job.Id.ToString())));
    }

    [Fact]
    public async Task AnUnknownKindOrBadParametersAre400NamingThem()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var before = await app.WithDbAsync(db => db.Jobs.CountAsync());

        var unknown = await client.PostAsJsonAsync("/api/jobs", new { kind = "astrology", parameters = new { } });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        var problem = await unknown.Content.ReadFromJsonAsync<ValidationProblemDetails>();
        var error = Assert.Single(problem!.Errors["kind"]);
        Assert.Contains("'astrology'", error, StringComparison.Ordinal);
        Assert.Contains("selftest", error, StringComparison.Ordinal);
        Assert.Contains("wordlength", error, StringComparison.Ordinal);

        var bad = await client.PostAsJsonAsync("/api/jobs", new { kind = "selftest", parameters = new { items = 0, sleepMs = -5 } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<ValidationProblemDetails>())!.Errors;
        Assert.Contains("parameters.items", errors.Keys);
        Assert.Contains("parameters.sleepMs", errors.Keys);

        var notObject = await client.PostAsJsonAsync("/api/jobs", new { kind = "selftest", parameters = 3 });
        Assert.Equal(HttpStatusCode.BadRequest, notObject.StatusCode);

        Assert.Equal(before, await app.WithDbAsync(db => db.Jobs.CountAsync()));
    }

    [Fact]
    public async Task AViewerCanReadJobsButNotStartOrCancelThem()
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var job = await analyst.StartAsync(SelfTestKind.KindName, new { items = 1, sleepMs = 0 });
        using var viewer = app.ClientWithKey(await app.CreateKeyAsync(Role.Viewer));

        var start = await viewer.PostAsJsonAsync("/api/jobs", new { kind = "selftest", parameters = new { items = 1 } });
        Assert.Equal(HttpStatusCode.Forbidden, start.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync($"/api/jobs/{job.Id}/cancel", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync($"/api/jobs/{job.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync("/api/jobs/987654")).StatusCode);
        Assert.Equal("succeeded", (await viewer.WaitForEndAsync(job.Id)).State);
    }
}
