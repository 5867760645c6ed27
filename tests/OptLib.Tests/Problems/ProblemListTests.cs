using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Access;
using OptLib.Library.Problems;
using OptLib.Tests.Infrastructure;

namespace OptLib.Tests.Problems;

/// <summary>GET /api/problems: newest first, paged like the insights, each filter narrowing what a viewer sees.</summary>
public sealed class ProblemListTests(OptLibApp app) : IClassFixture<OptLibApp>
{
    [Fact]
    public async Task AViewerSeesADatasetsProblemsNewestFirstAPageAtATime()
    {
        var dataset = await ImportAsync("train", ("a", "first knapsack"), ("b", "second knapsack"), ("c", "third knapsack"));
        using var viewer = await ViewerAsync();

        var all = await viewer.GetFromJsonAsync<ProblemPage>($"/api/problems?dataset={dataset}");
        Assert.Equal(["c", "b", "a"], all!.Items.Select(p => p.ExternalId));
        Assert.Equal((3, 1, 20), (all.Total, all.Page, all.PageSize));
        Assert.All(all.Items, p => Assert.Equal(dataset, p.Dataset));

        var second = await viewer.GetFromJsonAsync<ProblemPage>($"/api/problems?dataset={dataset}&page=2&pageSize=2");
        Assert.Equal(["a"], second!.Items.Select(p => p.ExternalId));
        Assert.Equal((3, 2, 2), (second.Total, second.Page, second.PageSize));
    }

    [Fact]
    public async Task SplitNarrowsTheListToOneSplit()
    {
        var dataset = await ImportAsync("train", ("t1", "a training problem"));
        await ImportAsync("test", dataset, ("h1", "a held-out problem"), ("h2", "another held-out problem"));
        using var viewer = await ViewerAsync();

        var test = await viewer.GetFromJsonAsync<ProblemPage>($"/api/problems?dataset={dataset}&split=TEST");
        Assert.Equal(["h2", "h1"], test!.Items.Select(p => p.ExternalId));
        var train = await viewer.GetFromJsonAsync<ProblemPage>($"/api/problems?dataset={dataset}&split=train");
        Assert.Equal(["t1"], train!.Items.Select(p => p.ExternalId));
    }

    [Fact]
    public async Task StatusNarrowsTheListToProblemsInThatState()
    {
        var dataset = await ImportAsync("train", ("s1", "one"), ("s2", "two"), ("s3", "three"));
        await app.WithDbAsync(db => db.Problems.Where(p => p.Dataset == dataset && p.ExternalId != "s2").ExecuteUpdateAsync(s => s.SetProperty(p => p.Status, ProblemStatus.Solved)));
        using var viewer = await ViewerAsync();

        var solved = await viewer.GetFromJsonAsync<ProblemPage>($"/api/problems?dataset={dataset}&status=solved");
        Assert.Equal(["s3", "s1"], solved!.Items.Select(p => p.ExternalId));
        Assert.All(solved.Items, p => Assert.Equal("solved", p.Status));
        var queued = await viewer.GetFromJsonAsync<ProblemPage>($"/api/problems?dataset={dataset}&status=Queued");
        Assert.Equal(["s2"], queued!.Items.Select(p => p.ExternalId));
    }

    [Fact]
    public async Task QFindsTheProblemsWhoseTextHoldsIt()
    {
        var word = "zq" + Guid.NewGuid().ToString("N")[..8];
        var dataset = await ImportAsync("train", ("q1", $"Ship {word} crates by truck."), ("q2", "Schedule nurses over a week."), ("q3", $"Blend {word.ToUpperInvariant()} oils 100% pure_grade."));
        using var viewer = await ViewerAsync();

        var found = await viewer.GetFromJsonAsync<ProblemPage>($"/api/problems?q={word}");
        Assert.Equal(["q3", "q1"], found!.Items.Select(p => p.ExternalId));
        Assert.All(found.Items, p => Assert.Equal(dataset, p.Dataset));

        // % and _ are text, not patterns.
        var literal = await viewer.GetFromJsonAsync<ProblemPage>($"/api/problems?dataset={dataset}&q={Uri.EscapeDataString("100% pure_")}");
        Assert.Equal(["q3"], literal!.Items.Select(p => p.ExternalId));
        var pattern = await viewer.GetFromJsonAsync<ProblemPage>($"/api/problems?dataset={dataset}&q={Uri.EscapeDataString("S_hip")}");
        Assert.Empty(pattern!.Items);
    }

    [Fact]
    public async Task CreatedFromIsInclusiveAndCreatedToExclusive()
    {
        var dataset = await ImportAsync("train", ("jan", "january"), ("feb", "february"), ("mar", "march"));
        foreach (var (id, at) in new[] { ("jan", "2020-01-15T12:00:00Z"), ("feb", "2020-02-01T00:00:00Z"), ("mar", "2020-03-10T08:00:00Z") })
        {
            var created = DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture);
            await app.WithDbAsync(db => db.Problems.Where(p => p.Dataset == dataset && p.ExternalId == id).ExecuteUpdateAsync(s => s.SetProperty(p => p.CreatedAt, created)));
        }

        using var viewer = await ViewerAsync();
        Assert.Equal(["mar", "feb"], await IdsAsync(viewer, $"dataset={dataset}&createdFrom=2020-02-01"));
        Assert.Equal(["jan"], await IdsAsync(viewer, $"dataset={dataset}&createdTo=2020-02-01"));
        Assert.Equal(["feb"], await IdsAsync(viewer, $"dataset={dataset}&createdFrom=2020-01-20&createdTo=2020-03-10T08:00:00Z"));
        Assert.Equal(["mar"], await IdsAsync(viewer, $"dataset={dataset}&createdFrom={Uri.EscapeDataString("2020-03-10T09:00:00+02:00")}"));
    }

    [Theory]
    [InlineData("status=finished", "Status")]
    [InlineData("status=1", "Status")]
    [InlineData("createdFrom=2020-03-01&createdTo=2020-02-01", "CreatedFrom")]
    [InlineData("createdFrom=yesterday", "CreatedFrom")]
    [InlineData("createdTo=2020-13-45", "CreatedTo")]
    [InlineData("pageSize=0", "PageSize")]
    [InlineData("pageSize=201", "PageSize")]
    [InlineData("page=0", "Page")]
    [InlineData("pageSize=abc", "PageSize")]
    [InlineData("page=1.5", "Page")]
    public async Task ABadFilterIsAValidationProblemNamingTheField(string query, string field)
    {
        // Fields are named as the request names them, as for every list (ListInsights' "PageSize").
        using var viewer = await ViewerAsync();
        var response = await viewer.GetAsync($"/api/problems?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.Equal([field], errors.EnumerateObject().Select(e => e.Name));
    }

    [Fact]
    public async Task ListingNeedsAKey()
    {
        using var anonymous = app.ClientWithKey(null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/problems")).StatusCode);
    }

    private static async Task<string[]> IdsAsync(HttpClient client, string query) =>
        (await client.GetFromJsonAsync<ProblemPage>($"/api/problems?{query}"))!.Items.Select(p => p.ExternalId!).ToArray();

    private async Task<HttpClient> ViewerAsync() => app.ClientWithKey(await app.CreateKeyAsync(Role.Viewer));

    private Task<string> ImportAsync(string split, params (string Id, string Text)[] tasks) => ImportAsync(split, "list-" + Guid.NewGuid().ToString("N")[..10], tasks);

    /// <summary>Imports the tasks one request each, so that their ids, and so their order, follow the arguments.</summary>
    private async Task<string> ImportAsync(string split, string dataset, params (string Id, string Text)[] tasks)
    {
        using var admin = app.Admin();
        foreach (var (id, text) in tasks)
        {
            var response = await admin.PostAsJsonAsync("/api/datasets/import", new { dataset, split, tasks = new[] { new { task_id = id, description = text, ground_truth = 1.0 } } });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        return dataset;
    }
}
