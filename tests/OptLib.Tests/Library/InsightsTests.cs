using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Access;
using OptLib.Library.Insights;
using OptLib.Library.Taxonomy;
using OptLib.Tests.Infrastructure;

namespace OptLib.Tests.Library;

public sealed class InsightsTests(OptLibApp app) : IClassFixture<OptLibApp>
{
    [Fact]
    public async Task CreatingAnInsightWritesVersionOneWithActorReasonAndAnAuditEntry()
    {
        using var analyst = await AnalystAsync();
        var created = await CreateAsync(analyst, "Applies when a LinearSolver model says more than.", await LeafAsync(analyst, "Strict Inequalities"), reason: "seen in attempt 7");

        Assert.Equal(1, created.Version);
        Assert.Equal("proposed", created.Status);
        Assert.Equal("Strict Inequalities", Assert.Single(created.Taxonomy).Level2);
        var versions = await analyst.GetFromJsonAsync<List<InsightVersionDto>>($"/api/insights/{created.Id}/versions");
        var v1 = Assert.Single(versions!);
        Assert.Equal("seen in attempt 7", v1.Reason);
        Assert.Equal("key:test Analyst", v1.Actor);
        Assert.Equal(created.Condition, v1.Snapshot.Condition);
        Assert.True(await app.WithDbAsync(db => db.AuditLog.AnyAsync(a => a.EntityType == "insight" && a.EntityId == created.Id.ToString() && a.Action == "create")));
    }

    [Fact]
    public async Task RevisingAnInsightKeepsTheOldVersionAndHistoryIsInOrder()
    {
        using var analyst = await AnalystAsync();
        var leaf = await LeafAsync(analyst, "Strict Inequalities");
        var created = await CreateAsync(analyst, "first wording", leaf);

        using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/insights/{created.Id}") { Content = JsonContent.Create(Body("second wording", leaf, reason: "clearer")) };
        put.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"1\""));
        var response = await analyst.SendAsync(put);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"2\"", response.Headers.ETag?.Tag);
        var revised = await response.Content.ReadFromJsonAsync<InsightDto>();
        Assert.Equal(2, revised!.Version);
        Assert.Equal("second wording", revised.Condition);

        var third = await analyst.PutAsJsonAsync($"/api/insights/{created.Id}", Body("third wording", leaf, expectedVersion: 2));
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);

        var versions = await analyst.GetFromJsonAsync<List<InsightVersionDto>>($"/api/insights/{created.Id}/versions");
        Assert.Equal([1, 2, 3], versions!.Select(v => v.Version));
        Assert.Equal(["first wording", "second wording", "third wording"], versions!.Select(v => v.Snapshot.Condition));
        Assert.Equal("clearer", versions![1].Reason);
    }

    [Fact]
    public async Task AStaleVersionIs409WithTheCurrentVersionAndChangesNothing()
    {
        using var analyst = await AnalystAsync();
        var leaf = await LeafAsync(analyst, "Big-M Magnitude");
        var created = await CreateAsync(analyst, "original", leaf);
        Assert.Equal(HttpStatusCode.OK, (await analyst.PutAsJsonAsync($"/api/insights/{created.Id}", Body("edit one", leaf, expectedVersion: 1))).StatusCode);

        var stale = await analyst.PutAsJsonAsync($"/api/insights/{created.Id}", Body("edit from an old copy", leaf, expectedVersion: 1));

        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        var problem = await stale.Content.ReadFromJsonAsync<ProblemDetails>();
        Assert.Equal(2, ((System.Text.Json.JsonElement)problem!.Extensions["currentVersion"]!).GetInt32());
        var current = await analyst.GetFromJsonAsync<InsightDto>($"/api/insights/{created.Id}");
        Assert.Equal("edit one", current!.Condition);
        Assert.Equal(2, current.Version);
    }

    [Fact]
    public async Task EveryChangeWithoutTheExpectedVersionIs428AndChangesNothing()
    {
        using var analyst = await AnalystAsync();
        var leaf = await LeafAsync(analyst, "Big-M Magnitude");
        var created = await CreateAsync(analyst, "original", leaf);
        await analyst.PutAsJsonAsync($"/api/insights/{created.Id}", Body("second", leaf, expectedVersion: 1));

        var blind = new (string Route, HttpResponseMessage Response)[]
        {
            ("PUT", await analyst.PutAsJsonAsync($"/api/insights/{created.Id}", Body("blind overwrite", leaf))),
            ("restore", await analyst.PostAsJsonAsync($"/api/insights/{created.Id}/versions/1/restore", new { reason = "blind" })),
            ("approve", await analyst.PostAsync($"/api/insights/{created.Id}/approve", null)),
            ("retire", await analyst.DeleteAsync($"/api/insights/{created.Id}?reason=blind")),
        };

        foreach (var (route, response) in blind)
        {
            Assert.True(response.StatusCode == HttpStatusCode.PreconditionRequired, $"{route}: {(int)response.StatusCode}");
            var problem = (await response.Content.ReadFromJsonAsync<ProblemDetails>())!;
            Assert.Contains("If-Match", problem.Detail);
            Assert.Contains("now 2", problem.Detail);
        }

        var after = (await analyst.GetFromJsonAsync<InsightDto>($"/api/insights/{created.Id}"))!;
        Assert.Equal((2, "second", "proposed"), (after.Version, after.Condition, after.Status));
        Assert.Equal(2, (await analyst.GetFromJsonAsync<List<InsightVersionDto>>($"/api/insights/{created.Id}/versions"))!.Count);

        // The same changes with the version, in either place, go through.
        using var approve = new HttpRequestMessage(HttpMethod.Post, $"/api/insights/{created.Id}/approve");
        approve.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"2\""));
        Assert.Equal(HttpStatusCode.OK, (await analyst.SendAsync(approve)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await analyst.DeleteAsync($"/api/insights/{created.Id}?reason=done&expectedVersion=3")).StatusCode);
    }

    [Fact]
    public async Task RestoringAVersionIsANewVersionWithTheOldContent()
    {
        using var analyst = await AnalystAsync();
        var leaf = await LeafAsync(analyst, "Strict Inequalities");
        var other = await LeafAsync(analyst, "Knapsack Capacity");
        var created = await CreateAsync(analyst, "good wording", leaf);
        await analyst.PutAsJsonAsync($"/api/insights/{created.Id}", Body("bad wording", other, expectedVersion: 1));

        var response = await analyst.PostAsJsonAsync($"/api/insights/{created.Id}/versions/1/restore", new { expectedVersion = 2, reason = "the edit was wrong" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var restored = await response.Content.ReadFromJsonAsync<InsightDto>();
        Assert.Equal(3, restored!.Version);
        Assert.Equal("good wording", restored.Condition);
        Assert.Equal(leaf, Assert.Single(restored.Taxonomy).NodeId);
        var versions = await analyst.GetFromJsonAsync<List<InsightVersionDto>>($"/api/insights/{created.Id}/versions");
        Assert.Equal(["good wording", "bad wording", "good wording"], versions!.Select(v => v.Snapshot.Condition));
        Assert.Equal("the edit was wrong", versions![2].Reason);
        Assert.Equal(HttpStatusCode.NotFound, (await analyst.PostAsJsonAsync($"/api/insights/{created.Id}/versions/99/restore", new { expectedVersion = 3 })).StatusCode);
    }

    [Fact]
    public async Task DeletingRetiresAndNeverErases()
    {
        using var analyst = await AnalystAsync();
        var created = await CreateAsync(analyst, "to be retired", await LeafAsync(analyst, "Assignment"));

        var response = await analyst.DeleteAsync($"/api/insights/{created.Id}?reason=duplicate&expectedVersion=1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var after = await analyst.GetFromJsonAsync<InsightDto>($"/api/insights/{created.Id}");
        Assert.Equal("retired", after!.Status);
        Assert.Equal("to be retired", after.Condition);
        var versions = await analyst.GetFromJsonAsync<List<InsightVersionDto>>($"/api/insights/{created.Id}/versions");
        Assert.Equal(["proposed", "retired"], versions!.Select(v => v.Snapshot.Status));
        Assert.Equal("duplicate", versions![1].Reason);
    }

    [Fact]
    public async Task ApprovingMovesAProposedInsightToActiveOnce()
    {
        using var analyst = await AnalystAsync();
        var created = await CreateAsync(analyst, "to be approved", await LeafAsync(analyst, "Assignment"));

        var approved = await analyst.PostAsJsonAsync($"/api/insights/{created.Id}/approve", new { expectedVersion = 1 });
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Equal("active", (await approved.Content.ReadFromJsonAsync<InsightDto>())!.Status);

        var again = await analyst.PostAsJsonAsync($"/api/insights/{created.Id}/approve", new { expectedVersion = 2 });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(2, (await analyst.GetFromJsonAsync<InsightDto>($"/api/insights/{created.Id}"))!.Version);
    }

    [Fact]
    public async Task TheListFiltersByLabelStatusAndTextAndPages()
    {
        using var analyst = await AnalystAsync();
        var knapsack = await LeafAsync(analyst, "Knapsack Capacity");
        var strict = await LeafAsync(analyst, "Strict Inequalities");
        var marker = "zebrafish" + Guid.NewGuid().ToString("N")[..6];
        var a = await CreateAsync(analyst, $"Applies to {marker} packing with a weight budget.", knapsack);
        var b = await CreateAsync(analyst, $"Applies to {marker} programs with strict inequalities.", strict, status: "active");

        var byText = await analyst.GetFromJsonAsync<InsightPage>($"/api/insights?q={marker}");
        Assert.Equal([a.Id, b.Id], byText!.Items.Select(i => i.Id).Order());

        var byLabel = await analyst.GetFromJsonAsync<InsightPage>($"/api/insights?q={marker}&level2=knapsack%20CAPACITIES");
        Assert.Equal(a.Id, Assert.Single(byLabel!.Items).Id);

        var byStage = await analyst.GetFromJsonAsync<InsightPage>($"/api/insights?q={marker}&stage=program");
        Assert.Equal(b.Id, Assert.Single(byStage!.Items).Id);

        var byStatus = await analyst.GetFromJsonAsync<InsightPage>($"/api/insights?q={marker}&status=active");
        Assert.Equal(b.Id, Assert.Single(byStatus!.Items).Id);

        var paged = await analyst.GetFromJsonAsync<InsightPage>($"/api/insights?q={marker}&pageSize=1&page=2");
        Assert.Equal(2, paged!.Total);
        Assert.Equal(Math.Max(a.Id, b.Id), Assert.Single(paged.Items).Id);

        Assert.Equal(HttpStatusCode.BadRequest, (await analyst.GetAsync("/api/insights?status=forgotten")).StatusCode);
    }

    [Fact]
    public async Task AViewerCanReadButNotWrite()
    {
        using var viewer = app.ClientWithKey(await app.CreateKeyAsync(Role.Viewer));
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/insights")).StatusCode);
        var response = await viewer.PostAsJsonAsync("/api/insights", Body("x", 1));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    public static TheoryData<string, string> BadInput => new()
    {
        { "empty condition", """{"condition": "  ", "explanation": "e", "taxonomyNodeIds": [LEAF]}""" },
        { "unknown taxonomy node", """{"condition": "c", "explanation": "e", "taxonomyNodeIds": [987654]}""" },
        { "a level-1 node", """{"condition": "c", "explanation": "e", "taxonomyNodeIds": [LEVEL1]}""" },
        { "no taxonomy", """{"condition": "c", "explanation": "e"}""" },
        { "1 MB of text", """{"condition": "HUGE", "explanation": "e", "taxonomyNodeIds": [LEAF]}""" },
        { "malformed JSON", """{"condition": "c", "explanation": """ },
        { "a wrong type", """{"condition": "c", "explanation": "e", "taxonomyNodeIds": "all"}""" },
    };

    [Theory]
    [MemberData(nameof(BadInput))]
    public async Task BadInputIs400AndWritesNothing(string what, string json)
    {
        using var analyst = await AnalystAsync();
        var tree = await analyst.GetFromJsonAsync<List<TaxonomyNodeDto>>("/api/taxonomy");
        var level1 = tree!.SelectMany(s => s.Children).First();
        json = json.Replace("LEAF", level1.Children[0].Id.ToString(), StringComparison.Ordinal)
            .Replace("LEVEL1", level1.Id.ToString(), StringComparison.Ordinal)
            .Replace("HUGE", new string('x', 1 << 20), StringComparison.Ordinal);
        var before = await CountsAsync();

        var response = await analyst.PostAsync("/api/insights", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{what}: {(int)response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, await CountsAsync());
    }

    private Task<(int, int, int)> CountsAsync() => app.WithDbAsync(async db =>
        (await db.Insights.CountAsync(), await db.InsightVersions.CountAsync(), await db.AuditLog.CountAsync(a => a.EntityType == "insight")));

    private async Task<HttpClient> AnalystAsync() => app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));

    private static async Task<long> LeafAsync(HttpClient client, string name)
    {
        var tree = await client.GetFromJsonAsync<List<TaxonomyNodeDto>>("/api/taxonomy");
        return tree!.SelectMany(s => s.Children).SelectMany(c => c.Children).Single(n => n.Name == name).Id;
    }

    [Fact]
    public async Task TenAnalystsRevisingTheSameVersionAtOnceGetOne200AndNine409s()
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var leaf = await LeafAsync(analyst, "Strict Inequalities");
        var created = await CreateAsync(analyst, "the raced wording", leaf);

        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(n =>
            analyst.PutAsJsonAsync($"/api/insights/{created.Id}", Body($"edit {n} of the raced wording", leaf, expectedVersion: 1))));

        Assert.Equal([200, 409, 409, 409, 409, 409, 409, 409, 409, 409], answers.Select(a => (int)a.StatusCode).Order());
        foreach (var refused in answers.Where(a => a.StatusCode == HttpStatusCode.Conflict))
        {
            Assert.Equal(2, (await refused.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>())!["currentVersion"]!.GetValue<int>());
        }

        Assert.Equal(2, await app.WithDbAsync(db => db.InsightVersions.CountAsync(v => v.InsightId == created.Id)));
    }

    [Theory]
    [InlineData("approve")]
    [InlineData("retire")]
    [InlineData("restore")]
    public async Task FiveAnalystsMakingTheSameChangeToOneVersionGetOne200AndFour409s(string change)
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var leaf = await LeafAsync(analyst, "Strict Inequalities");
        var created = await CreateAsync(analyst, $"the raced {change}", leaf);
        await analyst.PutAsJsonAsync($"/api/insights/{created.Id}", Body($"the raced {change}, second wording", leaf, expectedVersion: 1));

        var answers = await Task.WhenAll(Enumerable.Range(0, 5).Select(n => change switch
        {
            "approve" => analyst.PostAsJsonAsync($"/api/insights/{created.Id}/approve", new { expectedVersion = 2, reason = $"approver {n}" }),
            "retire" => analyst.DeleteAsync($"/api/insights/{created.Id}?expectedVersion=2&reason=retirer%20{n}"),
            _ => analyst.PostAsJsonAsync($"/api/insights/{created.Id}/versions/1/restore", new { expectedVersion = 2, reason = $"restorer {n}" }),
        }));

        Assert.Equal([200, 409, 409, 409, 409], answers.Select(a => (int)a.StatusCode).Order());
        foreach (var refused in answers.Where(a => a.StatusCode == HttpStatusCode.Conflict))
        {
            Assert.Equal(3, (await refused.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>())!["currentVersion"]!.GetValue<int>());
        }

        Assert.Equal(3, await app.WithDbAsync(db => db.InsightVersions.CountAsync(v => v.InsightId == created.Id)));
    }

    [Fact]
    public async Task SourcesMustExistAndAreBounded()
    {
        using var analyst = await AnalystAsync();
        var leaf = await LeafAsync(analyst, "Assignment");
        var imported = await analyst.PostAsJsonAsync("/api/datasets/import", new
        {
            dataset = "insight-sources", split = "train", tasks = new[] { new { task_id = "S1", description = "A source problem for an insight.", ground_truth = 1.0 } },
        });
        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        var problemId = await app.WithDbAsync(db => db.Problems.Where(p => p.Dataset == "insight-sources").Select(p => p.Id).SingleAsync());
        var before = await CountsAsync();

        foreach (var (what, problems, attempts, field) in new (string, long[], long[], string)[]
                 {
                     ("a negative problem id", [-1], [], "SourceProblemIds"),
                     ("an unknown problem id", [problemId, 987_654_321], [], "SourceProblemIds"),
                     ("an unknown attempt id", [], [987_654_321], "SourceAttemptIds"),
                     ("100,000 problem ids", [.. Enumerable.Range(1, 100_000).Select(i => (long)i)], [], "SourceProblemIds"),
                 })
        {
            var response = await analyst.PostAsJsonAsync("/api/insights", new
            {
                condition = "c", explanation = "e", taxonomyNodeIds = new[] { leaf }, sourceProblemIds = problems, sourceAttemptIds = attempts,
            });
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{what}: {(int)response.StatusCode}");
            Assert.Contains(field, (await response.Content.ReadFromJsonAsync<ValidationProblemDetails>())!.Errors.Keys);
        }

        Assert.Equal(before, await CountsAsync());
        var known = await analyst.PostAsJsonAsync("/api/insights", new { condition = "c", explanation = "e", taxonomyNodeIds = new[] { leaf }, sourceProblemIds = new[] { problemId } });
        Assert.Equal(HttpStatusCode.Created, known.StatusCode);
        Assert.Equal([problemId], (await known.Content.ReadFromJsonAsync<InsightDto>())!.SourceProblemIds);
    }

    private static object Body(string condition, long leaf, int? expectedVersion = null, string? reason = null, string? status = null) => new
    {
        condition,
        explanation = "Best practice and the usual mistake.",
        example = "// wrong\n// right",
        taxonomyNodeIds = new[] { leaf },
        expectedVersion,
        reason,
        status,
    };

    private static async Task<InsightDto> CreateAsync(HttpClient client, string condition, long leaf, string? reason = null, string? status = null)
    {
        var response = await client.PostAsJsonAsync("/api/insights", Body(condition, leaf, reason: reason, status: status));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<InsightDto>())!;
    }
}
