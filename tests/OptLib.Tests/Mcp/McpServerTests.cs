using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Role = OptLib.Library.Access.Role;
using OptLib.Library.Access;
using OptLib.Tests.Infrastructure;
using OptLib.Tests.Problems;

namespace OptLib.Tests.Mcp;

/// <summary>
/// The MCP server driven by the MCP C# client over streamable HTTP against the test server, with the pipeline's
/// scripted model and the real sandbox behind solve_problem.
/// </summary>
public sealed class McpServerTests(PipelineApp app) : IClassFixture<PipelineApp>
{
    [Fact]
    public async Task AnAnalystListsTheToolsAndSolvesAProblem()
    {
        await using var mcp = await McpSession.ConnectAsync(app, await app.CreateKeyAsync(Role.Analyst));

        var tools = await mcp.ListToolsAsync();
        Assert.Equal(["get_insight", "get_problem", "retrieve_insights", "search_insights", "solve_problem", "submit_feedback"], tools.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.All(tools, t => Assert.False(string.IsNullOrWhiteSpace(t.Description), $"{t.Name} has no description"));

        var solved = await McpSession.CallAsync(mcp, "solve_problem", new() { ["text"] = "A glass plant makes doors and windows with limited plant hours; maximise profit.", ["expectedObjective"] = 36, ["waitSeconds"] = 180 });
        Assert.Equal("solved", solved["status"]!.GetValue<string>());
        Assert.Equal("Correct", solved["verdict"]!.GetValue<string>());
        Assert.Equal(36, solved["objective"]!.GetValue<double>(), 6);
        Assert.StartsWith("Sets: products.", solved["formulation"]!.GetValue<string>(), StringComparison.Ordinal);
        var variables = solved["variables"]!.AsObject();
        Assert.Equal(36, 3 * variables["doors"]!.GetValue<double>() + 5 * variables["windows"]!.GetValue<double>(), 6); // Wyndor's objective from its own variables

        var problemId = solved["problemId"]!.GetValue<long>();
        var createdBy = await app.WithDbAsync(db => db.Problems.Where(p => p.Id == problemId).Select(p => p.CreatedBy).SingleAsync());
        Assert.Equal("key:test Analyst", createdBy); // the key that called the tool, as the REST API records it
        var problem = await McpSession.CallAsync(mcp, "get_problem", new() { ["id"] = problemId });
        Assert.Equal(problemId, problem["id"]!.GetValue<long>());
        Assert.Equal("Correct", problem["latestAttempt"]!["status"]!.GetValue<string>());
        using (var viewer = app.ClientWithKey(await app.CreateKeyAsync(Role.Viewer)))
        {
            // The attempt's record reads the same through either door, but for the null fields MCP leaves out.
            var rest = JsonNode.Parse(await viewer.GetStringAsync($"/api/problems/{problemId}"))!["latestAttempt"]!;
            foreach (var field in new[] { "programs", "solverResult", "retrievedInsights", "modelUsage", "timings", "promptVersions" })
            {
                Assert.NotNull(rest[field]);
                Assert.True(JsonNode.DeepEquals(WithoutNulls(rest[field]), problem["latestAttempt"]![field]), $"{field}: REST {rest[field]?.ToJsonString()}, MCP {problem["latestAttempt"]![field]?.ToJsonString()}");
            }
        }

        // The right answer was 40 after all: the attempt becomes a failure waiting for learning.
        var judged = await McpSession.CallAsync(mcp, "submit_feedback", new() { ["id"] = problemId, ["verdict"] = "incorrect", ["expectedObjective"] = 40, ["note"] = "the plant has 22 hours" });
        Assert.Equal("incorrect", judged["feedback"]!["verdict"]!.GetValue<string>());
        Assert.Equal(40, judged["expectedObjective"]!.GetValue<double>());
        Assert.Equal(("WrongAnswer", true), (judged["latestAttempt"]!["status"]!.GetValue<string>(), judged["latestAttempt"]!["queuedForLearning"]!.GetValue<bool>()));
        Assert.Contains("Verdict: Say \"correct\" or \"incorrect\".", await McpSession.RefusalAsync(mcp, "submit_feedback", new() { ["id"] = problemId, ["verdict"] = "perhaps" }), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AViewerReadsInsightsTheTestCreatedButCannotSolve()
    {
        var id = await CreateActiveInsightAsync("When trucks leave a zebrafinch depot and visit every shop once, as a tour.");
        await using var mcp = await McpSession.ConnectAsync(app, await app.CreateKeyAsync(Role.Viewer));

        var insight = await McpSession.CallAsync(mcp, "get_insight", new() { ["id"] = id });
        Assert.Equal(id, insight["id"]!.GetValue<long>());
        Assert.Contains("zebrafinch", insight["condition"]!.GetValue<string>(), StringComparison.Ordinal);

        var page = await McpSession.CallAsync(mcp, "search_insights", new() { ["q"] = "zebrafinch" });
        Assert.Equal(1, page["total"]!.GetValue<int>());
        Assert.Equal(id, page["items"]![0]!["id"]!.GetValue<long>());

        var retrieved = await McpSession.CallAsync(mcp, "retrieve_insights", new() { ["problem"] = "Trucks leave the zebrafinch depot and must visit every shop once.", ["stage"] = "formulation" });
        Assert.Contains(retrieved["insights"]!.AsArray(), i => i!["insight"]!["id"]!.GetValue<long>() == id);

        Assert.DoesNotContain(await mcp.ListToolsAsync(), t => t.Name is "solve_problem" or "submit_feedback");
        var refused = await McpSession.RefusalAsync(mcp, "solve_problem", new() { ["text"] = "A viewer's problem: maximise x." });
        Assert.Contains("Access forbidden", refused, StringComparison.Ordinal);
        Assert.False(await app.WithDbAsync(db => db.Problems.AnyAsync(p => p.Text.StartsWith("A viewer's problem"))),
            "a viewer's solve_problem stored a problem");
    }

    [Fact]
    public async Task BadArgumentsAreToolErrorsThatSayWhatIsWrong()
    {
        await using var mcp = await McpSession.ConnectAsync(app, await app.CreateKeyAsync(Role.Analyst));

        Assert.Contains("There is no insight 987654.", await McpSession.RefusalAsync(mcp, "get_insight", new() { ["id"] = 987654 }), StringComparison.Ordinal);
        Assert.Contains("There is no problem 987654.", await McpSession.RefusalAsync(mcp, "get_problem", new() { ["id"] = 987654 }), StringComparison.Ordinal);
        Assert.Contains("Problem: Retrieval needs the problem text.", await McpSession.RefusalAsync(mcp, "retrieve_insights", new() { ["problem"] = " ", ["stage"] = "formulation" }), StringComparison.Ordinal);
        Assert.Contains("PageSize: The page size is between 1 and 200.", await McpSession.RefusalAsync(mcp, "search_insights", new() { ["pageSize"] = 5000 }), StringComparison.Ordinal);
        Assert.Contains("Text: Describe the problem in text.", await McpSession.RefusalAsync(mcp, "solve_problem", new() { ["text"] = "" }), StringComparison.Ordinal);
        var wrongType = await McpSession.RefusalAsync(mcp, "get_insight", new() { ["id"] = "not a number" });
        Assert.Contains("The arguments do not fit get_insight: id must be integer, not string.", wrongType, StringComparison.Ordinal);
        Assert.Contains("The arguments do not fit get_insight: id is required.", await McpSession.RefusalAsync(mcp, "get_insight", new()), StringComparison.Ordinal);
        Assert.Contains("The arguments do not fit solve_problem: text must be string, not integer; waitSeconds must be integer or null, not string.",
            await McpSession.RefusalAsync(mcp, "solve_problem", new() { ["text"] = 17, ["waitSeconds"] = "soon" }), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutAKeyTheEndpointIs401()
    {
        using var anonymous = app.ClientWithKey(null);
        using var body = JsonContent.Create(new { jsonrpc = "2.0", id = 1, method = "tools/list" });
        var response = await anonymous.PostAsync("/mcp", body);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);

        var refused = await Assert.ThrowsAsync<HttpRequestException>(async () => await McpSession.ConnectAsync(app, null));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        var unknown = await Assert.ThrowsAsync<HttpRequestException>(async () => await McpSession.ConnectAsync(app, "olk_not-a-key"));
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
    }

    private static JsonNode? WithoutNulls(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Where(p => p.Value is not null).Select(p => KeyValuePair.Create(p.Key, WithoutNulls(p.Value)))),
        JsonArray a => new JsonArray([.. a.Select(WithoutNulls)]),
        _ => node?.DeepClone(),
    };

    private async Task<long> CreateActiveInsightAsync(string condition)
    {
        using var admin = app.Admin();
        var taxonomy = await admin.GetFromJsonAsync<JsonArray>("/api/taxonomy");
        var formulation = taxonomy!.First(s => s!["name"]!.GetValue<string>() == "General Formulation")!;
        var leaf = formulation["children"]![0]!["children"]![0]!["id"]!.GetValue<long>();
        var response = await admin.PostAsJsonAsync("/api/insights", new
        {
            condition,
            explanation = "Visit each shop exactly once: one arc in and one arc out per shop, and cut subtours.",
            example = "sum_j x[i,j] == 1 for every shop i",
            taxonomyNodeIds = new[] { leaf },
            status = "active",
            reason = "MCP test",
        });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>(new JsonSerializerOptions(JsonSerializerDefaults.Web)))!["id"]!.GetValue<long>();
    }
}
