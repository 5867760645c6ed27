using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Npgsql;
using OptLib.Library.Access;
using OptLib.Library.Insights;
using OptLib.Library.Taxonomy;
using OptLib.Tests.Infrastructure;

namespace OptLib.Tests.Library;

/// <summary>
/// The read model with its default check interval (ReadModel:CheckMilliseconds, 250 ms): what another process writes
/// shows within it, and the reads' entity tags answer If-None-Match. Another process is played by a connection of the
/// test's own, outside the service: it changes rows as the worker or raw SQL would, unseen by the service's contexts.
/// </summary>
public sealed class ReadModelTests(OptLibApp app) : IClassFixture<OptLibApp>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5); // the interval is 250 ms; the rest is room for a loaded machine

    [Fact]
    public async Task AnInsightRetiredByAnotherProcessLeavesEveryReadWithinTheCheckInterval()
    {
        using var analyst = await ReadModelCalls.AnalystAsync(app);
        var leaf = await ReadModelCalls.LeafAsync(analyst, "Index Ranges and Off-by-One");
        var created = await ReadModelCalls.CreateAsync(analyst, "retired behind the service's back", leaf, status: "active");
        var listed = $"/api/insights?level2=Index%20Ranges%20and%20Off-by-One&status=active&pageSize=200";
        var countBefore = ReadModelCalls.Count(await analyst.GetFromJsonAsync<List<TaxonomyNodeDto>>("/api/taxonomy"), leaf);
        Assert.Contains(created.Id, (await analyst.GetFromJsonAsync<InsightPage>(listed))!.Items.Select(i => i.Id));
        Assert.Equal("active", (await analyst.GetFromJsonAsync<InsightDto>($"/api/insights/{created.Id}"))!.Status);

        await ReadModelCalls.ElsewhereAsync(app, "UPDATE insights SET status = 'retired' WHERE id = @id", ("id", created.Id));

        await Eventually.UntilAsync(async () => (await analyst.GetFromJsonAsync<InsightDto>($"/api/insights/{created.Id}"))!.Status == "retired", Bound, "the insight read as retired");
        await Eventually.UntilAsync(async () => !(await analyst.GetFromJsonAsync<InsightPage>(listed))!.Items.Any(i => i.Id == created.Id), Bound, "the active list without it");
        await Eventually.UntilAsync(async () => ReadModelCalls.Count(await analyst.GetFromJsonAsync<List<TaxonomyNodeDto>>("/api/taxonomy"), leaf) == countBefore - 1,
            Bound, "its label's count one lower");
    }

    [Fact]
    public async Task AKeyRevokedByAnotherProcessIsRefusedWithinTheCheckInterval()
    {
        var secret = await app.CreateKeyAsync(Role.Viewer);
        using var viewer = app.ClientWithKey(secret);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/taxonomy")).StatusCode);

        await ReadModelCalls.ElsewhereAsync(app, "UPDATE api_keys SET revoked_at = now() WHERE hash = @hash", ("hash", ApiKeys.Hash(secret)));

        await Eventually.UntilAsync(async () => (await viewer.GetAsync("/api/taxonomy")).StatusCode == HttpStatusCode.Unauthorized, Bound, "the revoked key refused");
    }

    [Fact]
    public async Task EachReadIs304ForItsOwnTagAnd200WithANewTagOnceItChanges()
    {
        using var analyst = await ReadModelCalls.AnalystAsync(app);
        var leaf = await ReadModelCalls.LeafAsync(analyst, "Backend Selection");
        var created = await ReadModelCalls.CreateAsync(analyst, "read again and again", leaf);
        string[] routes = [$"/api/insights/{created.Id}", "/api/insights?level2=Backend%20Selection", "/api/taxonomy"];

        var tags = new Dictionary<string, EntityTagHeaderValue>();
        foreach (var route in routes)
        {
            var first = await analyst.GetAsync(route);
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal(["no-cache", "private"], first.Headers.CacheControl!.ToString().Split(", ").Order());
            tags[route] = first.Headers.ETag!;

            var again = await ReadModelCalls.GetIfNoneMatchAsync(analyst, route, tags[route]);
            Assert.True(again.StatusCode == HttpStatusCode.NotModified, $"{route}: {(int)again.StatusCode}");
            Assert.Empty(await again.Content.ReadAsByteArrayAsync());
            Assert.Equal(tags[route], again.Headers.ETag);
            Assert.Equal(HttpStatusCode.OK, (await ReadModelCalls.GetIfNoneMatchAsync(analyst, route, new EntityTagHeaderValue("\"someone-else\""))).StatusCode);
        }

        var revised = await analyst.PutAsJsonAsync($"/api/insights/{created.Id}", ReadModelCalls.Body("read again after a change", leaf, expectedVersion: 1));
        Assert.Equal(HttpStatusCode.OK, revised.StatusCode);
        var another = await ReadModelCalls.CreateAsync(analyst, "one more under the label", leaf); // the taxonomy's count moves too

        foreach (var route in routes)
        {
            var changed = await ReadModelCalls.GetIfNoneMatchAsync(analyst, route, tags[route]);
            Assert.True(changed.StatusCode == HttpStatusCode.OK, $"{route} after the change: {(int)changed.StatusCode}");
            Assert.NotEqual(tags[route], changed.Headers.ETag);
        }

        Assert.Equal(2, (await analyst.GetFromJsonAsync<InsightDto>(routes[0]))!.Version);
        Assert.Contains(another.Id, (await analyst.GetFromJsonAsync<InsightPage>(routes[1]))!.Items.Select(i => i.Id));
    }

    [Fact]
    public async Task AnInsightsTagChangesWhenALabelIsRenamedThoughItsVersionDoesNot()
    {
        using var analyst = await ReadModelCalls.AnalystAsync(app);
        var strict = await ReadModelCalls.LeafAsync(analyst, "Strict Inequalities");
        var created = await ReadModelCalls.CreateAsync(analyst, "shown under a label that is renamed", strict);
        var parent = (await analyst.GetFromJsonAsync<List<TaxonomyNodeDto>>("/api/taxonomy"))!.SelectMany(s => s.Children).Single(l1 => l1.Children.Any(l2 => l2.Id == strict));
        var node = await analyst.PostAsJsonAsync("/api/taxonomy/nodes", new { parentId = parent.Id, name = "Label Before Renaming", definition = "d", condition = "c" });
        Assert.Equal(HttpStatusCode.Created, node.StatusCode);
        var leaf = (await node.Content.ReadFromJsonAsync<TaxonomyNodeDto>())!.Id;
        Assert.Equal(HttpStatusCode.OK, (await analyst.PutAsJsonAsync($"/api/insights/{created.Id}", ReadModelCalls.Body(created.Condition, leaf, expectedVersion: 1))).StatusCode);
        var before = await analyst.GetAsync($"/api/insights/{created.Id}");
        Assert.StartsWith("\"2.", before.Headers.ETag!.Tag, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await analyst.PutAsJsonAsync($"/api/taxonomy/nodes/{leaf}", new { name = "Label After Renaming", definition = "d", condition = "c" })).StatusCode);

        var after = await ReadModelCalls.GetIfNoneMatchAsync(analyst, $"/api/insights/{created.Id}", before.Headers.ETag);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        var read = (await after.Content.ReadFromJsonAsync<InsightDto>())!;
        Assert.Equal((2, "Label After Renaming"), (read.Version, read.Taxonomy.Single().Level2));
        Assert.StartsWith("\"2.", after.Headers.ETag!.Tag, StringComparison.Ordinal);
        Assert.NotEqual(before.Headers.ETag, after.Headers.ETag);
    }

    [Fact]
    public async Task AReadsTagServesAsIfMatchForItsVersion()
    {
        using var analyst = await ReadModelCalls.AnalystAsync(app);
        var leaf = await ReadModelCalls.LeafAsync(analyst, "Big-M Magnitude");
        var created = await ReadModelCalls.CreateAsync(analyst, "edited with the tag of a read", leaf);
        var tag = (await analyst.GetAsync($"/api/insights/{created.Id}")).Headers.ETag!;

        using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/insights/{created.Id}") { Content = JsonContent.Create(ReadModelCalls.Body("edited once", leaf)) };
        put.Headers.IfMatch.Add(tag);
        var first = await analyst.SendAsync(put);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("\"2\"", first.Headers.ETag?.Tag);

        using var stale = new HttpRequestMessage(HttpMethod.Put, $"/api/insights/{created.Id}") { Content = JsonContent.Create(ReadModelCalls.Body("edited from the old read", leaf)) };
        stale.Headers.IfMatch.Add(tag);
        Assert.Equal(HttpStatusCode.Conflict, (await analyst.SendAsync(stale)).StatusCode);
        Assert.Equal("edited once", (await analyst.GetFromJsonAsync<InsightDto>($"/api/insights/{created.Id}"))!.Condition);
    }

    [Fact]
    public async Task ListFiltersGiveTheSameAnswersFromMemoryAndFollowAChangeAtOnce()
    {
        using var analyst = await ReadModelCalls.AnalystAsync(app);
        var knapsack = await ReadModelCalls.LeafAsync(analyst, "Integer-Only Coefficients");
        var offByOne = await ReadModelCalls.LeafAsync(analyst, "Index Ranges and Off-by-One");
        var a = await ReadModelCalls.CreateAsync(analyst, "filtered: coefficients, active", knapsack, status: "active");
        var b = await ReadModelCalls.CreateAsync(analyst, "filtered: coefficients, proposed", knapsack);
        var c = await ReadModelCalls.CreateAsync(analyst, "filtered: off by one, active", offByOne, status: "active");

        var expected = new Dictionary<string, long[]>
        {
            ["/api/insights?level2=integer-only%20coefficient&pageSize=200"] = [a.Id, b.Id],
            ["/api/insights?level2=Integer-Only%20Coefficients&status=active&pageSize=200"] = [a.Id],
            ["/api/insights?level2=Integer-Only%20Coefficients&status=proposed&pageSize=200"] = [b.Id],
            ["/api/insights?stage=program&q=filtered&pageSize=200"] = [a.Id, b.Id, c.Id],
            ["/api/insights?q=filtered&status=active&pageSize=200"] = [a.Id, c.Id],
            ["/api/insights?q=filtered&pageSize=1&page=2"] = [b.Id],
        };
        foreach (var round in new[] { "from the database", "from memory" })
        {
            foreach (var (route, ids) in expected)
            {
                var page = (await analyst.GetFromJsonAsync<InsightPage>(route))!;
                Assert.True(ids.SequenceEqual(page.Items.Select(i => i.Id)), $"{route} {round}: {string.Join(",", page.Items.Select(i => i.Id))}");
                Assert.Equal(route.Contains("pageSize=1&", StringComparison.Ordinal) ? 3 : ids.Length, page.Total);
            }
        }

        Assert.Equal(HttpStatusCode.OK, (await analyst.PostAsJsonAsync($"/api/insights/{b.Id}/approve", new { expectedVersion = 1 })).StatusCode);

        var active = (await analyst.GetFromJsonAsync<InsightPage>("/api/insights?level2=Integer-Only%20Coefficients&status=active&pageSize=200"))!;
        Assert.Equal([a.Id, b.Id], active.Items.Select(i => i.Id));
        Assert.Empty((await analyst.GetFromJsonAsync<InsightPage>("/api/insights?level2=Integer-Only%20Coefficients&status=proposed&pageSize=200"))!.Items);
    }
}

/// <summary>A check interval far longer than any test: whatever a read shows at once came from memory or from this process's own write.</summary>
public sealed class HeldReadsApp : OptLibApp
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["ReadModel:CheckMilliseconds"] = "60000" };
}

public sealed class HeldReadModelTests(HeldReadsApp app) : IClassFixture<HeldReadsApp>
{
    [Fact]
    public async Task ReadsComeFromMemoryUntilTheStampsAreCheckedAgain()
    {
        using var analyst = await ReadModelCalls.AnalystAsync(app);
        var leaf = await ReadModelCalls.LeafAsync(analyst, "Backend Selection");
        var created = await ReadModelCalls.CreateAsync(analyst, "held in memory", leaf);
        Assert.Equal("held in memory", (await analyst.GetFromJsonAsync<InsightDto>($"/api/insights/{created.Id}"))!.Condition);

        await ReadModelCalls.ElsewhereAsync(app, "UPDATE insights SET condition = 'changed elsewhere' WHERE id = @id", ("id", created.Id));

        await Eventually.ThroughoutAsync(async () => (await analyst.GetFromJsonAsync<InsightDto>($"/api/insights/{created.Id}"))!.Condition,
            condition => condition == "held in memory", TimeSpan.FromSeconds(1), "the insight as read before");
    }

    [Fact]
    public async Task AKeyRevokedInThisProcessIsRefusedAtOnce()
    {
        var secret = await app.CreateKeyAsync(Role.Viewer);
        using var viewer = app.ClientWithKey(secret);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/taxonomy")).StatusCode);
        using var admin = app.Admin();
        var key = (await admin.GetFromJsonAsync<List<ApiKeyDto>>("/api/keys"))!.Single(k => secret.StartsWith(k.Prefix, StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.OK, (await admin.DeleteAsync($"/api/keys/{key.Id}")).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await viewer.GetAsync("/api/taxonomy")).StatusCode);
    }

    [Fact]
    public async Task WritesInThisProcessAreReadAtOnce()
    {
        using var analyst = await ReadModelCalls.AnalystAsync(app);
        var leaf = await ReadModelCalls.LeafAsync(analyst, "Strict Inequalities");
        var created = await ReadModelCalls.CreateAsync(analyst, "written here", leaf);
        var total = (await analyst.GetFromJsonAsync<InsightPage>("/api/insights?pageSize=1"))!.Total;
        Assert.Equal(1, (await analyst.GetFromJsonAsync<InsightDto>($"/api/insights/{created.Id}"))!.Version);

        // A save (the REST API's handlers), a save in a context of the process's own (as a job's), and a transaction (an import).
        Assert.Equal(HttpStatusCode.OK, (await analyst.PutAsJsonAsync($"/api/insights/{created.Id}", ReadModelCalls.Body("written here again", leaf, expectedVersion: 1))).StatusCode);
        Assert.Equal(2, (await analyst.GetFromJsonAsync<InsightDto>($"/api/insights/{created.Id}"))!.Version);

        await app.WithDbAsync(async db =>
        {
            var node = await db.TaxonomyNodes.FindAsync(leaf);
            node!.Definition = "defined by a job";
            return await db.SaveChangesAsync();
        });
        Assert.Equal("defined by a job", ReadModelCalls.Find(await analyst.GetFromJsonAsync<List<TaxonomyNodeDto>>("/api/taxonomy"), leaf).Definition);

        await LibraryCalls.ImportFixtureOnceAsync(app);
        Assert.Equal(total + LibraryFiles.Fixture.Library().Count, (await analyst.GetFromJsonAsync<InsightPage>("/api/insights?pageSize=1"))!.Total);
    }
}

/// <summary>What both classes do over HTTP, and the other process's connection.</summary>
internal static class ReadModelCalls
{
    public static async Task<HttpClient> AnalystAsync(OptLibApp app) => app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));

    /// <summary>Runs one statement on a connection of its own, outside the service, as another process would.</summary>
    public static async Task ElsewhereAsync(OptLibApp app, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(app.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    public static Task<HttpResponseMessage> GetIfNoneMatchAsync(HttpClient client, string route, EntityTagHeaderValue? tag)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, route);
        request.Headers.IfNoneMatch.Add(tag!);
        return client.SendAsync(request);
    }

    public static async Task<long> LeafAsync(HttpClient client, string name)
    {
        var tree = await client.GetFromJsonAsync<List<TaxonomyNodeDto>>("/api/taxonomy");
        return tree!.SelectMany(s => s.Children).SelectMany(c => c.Children).Single(n => n.Name == name).Id;
    }

    public static TaxonomyNodeDto Find(IEnumerable<TaxonomyNodeDto>? nodes, long id) =>
        nodes!.SelectMany(s => s.Children).SelectMany(c => c.Children).Single(n => n.Id == id);

    public static int Count(IEnumerable<TaxonomyNodeDto>? nodes, long id) => Find(nodes, id).InsightCount;

    public static object Body(string condition, long leaf, int? expectedVersion = null, string? status = null) => new
    {
        condition,
        explanation = "What to do, and the usual mistake.",
        example = "// wrong\n// right",
        taxonomyNodeIds = new[] { leaf },
        expectedVersion,
        status,
    };

    public static async Task<InsightDto> CreateAsync(HttpClient client, string condition, long leaf, string? status = null)
    {
        var response = await client.PostAsJsonAsync("/api/insights", Body(condition, leaf, status: status));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<InsightDto>())!;
    }
}
