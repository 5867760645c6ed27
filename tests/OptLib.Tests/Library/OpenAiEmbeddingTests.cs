using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OptLib.Library.Access;
using OptLib.Library.Insights;
using OptLib.Library.Retrieval;
using OptLib.Library.Taxonomy;
using OptLib.Tests.Infrastructure;

namespace OptLib.Tests.Library;

/// <summary>The service configured for an OpenAI-compatible embedding endpoint: a local stub that answers like one.</summary>
public sealed class OpenAiStubApp : OptLibApp
{
    private readonly WebApplication stub;

    public ConcurrentQueue<(string? Authorization, JsonElement Body)> Requests { get; } = new();

    public OpenAiStubApp()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        stub = builder.Build();
        var lexical = new LexicalEmbedding();
        stub.MapPost("/v1/embeddings", async (HttpContext http) =>
        {
            var body = await JsonSerializer.DeserializeAsync<JsonElement>(http.Request.Body);
            Requests.Enqueue((http.Request.Headers.Authorization.ToString(), body));
            var input = body.GetProperty("input").GetString()!;
            return input.Contains("STUB-FAILS", StringComparison.Ordinal)
                ? Results.StatusCode(500)
                : Results.Json(new { data = new[] { new { embedding = lexical.Embed(input), index = 0 } }, model = "stub-embed" });
        });
        Task.Run(() => stub.StartAsync()).GetAwaiter().GetResult();
        BaseUrl = stub.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/v1";
    }

    public string BaseUrl { get; }

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Embeddings:Provider"] = "openai",
        ["Embeddings:BaseUrl"] = BaseUrl,
        ["Embeddings:Model"] = "stub-embed",
        ["Embeddings:ApiKey"] = "sk-test",
    };

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await stub.DisposeAsync();
    }
}

public sealed class OpenAiEmbeddingTests(OpenAiStubApp app) : IClassFixture<OpenAiStubApp>
{
    [Fact]
    public async Task InsightsAreEmbeddedThroughTheConfiguredEndpointAndRecordItsModel()
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var response = await analyst.PostAsJsonAsync("/api/insights", new
        {
            condition = "Applies when vans leave a depot and visit every shop once.",
            explanation = "Forbid subtours.",
            taxonomyNodeIds = new[] { await LeafAsync(analyst) },
            status = "active",
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<InsightDto>())!.Id;

        Assert.Equal("openai:stub-embed/384", await app.WithDbAsync(db => db.Insights.Where(i => i.Id == id).Select(i => i.EmbeddingModel).SingleAsync()));
        var request = Assert.Single(app.Requests, r => r.Body.GetProperty("input").GetString()!.Contains("vans leave a depot", StringComparison.Ordinal));
        Assert.Equal("Bearer sk-test", request.Authorization);
        Assert.Equal("stub-embed", request.Body.GetProperty("model").GetString());
        Assert.Equal(384, request.Body.GetProperty("dimensions").GetInt32());

        var retrieved = await analyst.PostAsJsonAsync("/api/library/retrieve", new { problem = "Vans visit every shop once from a depot.", stage = "formulation", k = 3 });
        var result = (await retrieved.Content.ReadFromJsonAsync<RetrievalResult>())!;
        Assert.Equal("openai:stub-embed/384", result.EmbeddingModel);
        Assert.Equal(id, result.Insights[0].Insight.Id);
        Assert.NotNull(result.Insights[0].VectorRank);
    }

    [Fact]
    public async Task AFailingEndpointIs503AndWritesNothing()
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var before = await app.WithDbAsync(db => db.Insights.CountAsync());
        var response = await analyst.PostAsJsonAsync("/api/insights", new
        {
            condition = "STUB-FAILS on this text.",
            explanation = "x",
            taxonomyNodeIds = new[] { await LeafAsync(analyst) },
        });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("Embeddings:", (await response.Content.ReadFromJsonAsync<ProblemDetails>())!.Detail, StringComparison.Ordinal);
        Assert.Equal(before, await app.WithDbAsync(db => db.Insights.CountAsync()));
    }

    private static async Task<long> LeafAsync(HttpClient client)
    {
        var tree = await client.GetFromJsonAsync<List<TaxonomyNodeDto>>("/api/taxonomy");
        return tree!.Single(s => s.Name == "Domain Modeling").Children.SelectMany(c => c.Children).First().Id;
    }
}
