using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Access;
using OptLib.Library.Insights;
using OptLib.Library.Retrieval;
using OptLib.Library.Taxonomy;
using OptLib.Tests.Infrastructure;

namespace OptLib.Tests.Library;

public sealed class RetrievalTests(OptLibApp app) : IClassFixture<OptLibApp>
{
    private const string RoutingProblem =
        "A courier company sends three vans from its depot to deliver parcels to twelve shops. Each shop is visited " +
        "exactly once, every van returns to the depot, and the total distance driven must be as short as possible. " +
        "Decide the route of each van.";

    private const string KnapsackProblem =
        "A hiker can carry at most 20 kg. Each of ten items has a weight and a value; choose which items to pack so " +
        "that the total value is as large as possible without exceeding the weight limit.";

    [Fact]
    public void TheLexicalEmbeddingIsDeterministicAndUnitLength()
    {
        var embedding = new LexicalEmbedding();
        var a = embedding.Embed("Each vehicle leaves the depot and returns to it; subtours are forbidden.");
        var b = embedding.Embed("Each vehicle leaves the depot and returns to it; subtours are forbidden.");
        Assert.Equal(384, a.Length);
        Assert.Equal(a, b);
        Assert.Equal(1.0, Math.Sqrt(a.Sum(x => (double)x * x)), 5);
        var related = Cosine(a, embedding.Embed("vehicle routes from a depot without subtours"));
        var unrelated = Cosine(a, embedding.Embed("portfolio variance and expected return of stocks"));
        Assert.True(related > unrelated + 0.1, $"related {related:F3}, unrelated {unrelated:F3}");
    }

    [Fact]
    public async Task EveryImportedInsightIsEmbeddedWithItsModelId()
    {
        await ImportAsync();
        var models = await app.WithDbAsync(db => db.Insights.Select(i => new { i.EmbeddingModel, Has = i.Embedding != null }).ToListAsync());
        Assert.True(models.Count >= LibraryFiles.Fixture.Library().Count);
        Assert.All(models, m => Assert.True(m.Has && m.EmbeddingModel == "minilm:all-MiniLM-L6-v2/384", $"{m.EmbeddingModel} {m.Has}")); // the default
    }

    [Fact]
    public async Task ARoutingProblemGetsTheSubtourInsightInItsTopFive()
    {
        await ImportAsync();
        var result = await RetrieveAsync(RoutingProblem, "formulation", 5);
        Assert.Contains(result.Insights, r => r.Insight.Taxonomy.Any(t => t.Level1 == "Routing") || r.Insight.Condition.Contains("subtour", StringComparison.OrdinalIgnoreCase));
        Assert.All(result.Insights, r => Assert.True(r.FusedScore > 0 && (r.VectorRank is not null || r.TextRank is not null)));
        Assert.Equal(Enumerable.Range(1, result.Insights.Count), result.Insights.Select(r => r.Rank));
    }

    [Fact]
    public async Task AKnapsackProblemDoesNotGetNetworkFlowInsightsFirst()
    {
        await ImportAsync();
        var result = await RetrieveAsync(KnapsackProblem, "formulation", 5);
        Assert.DoesNotContain("Network Flow", result.Insights[0].Insight.Taxonomy.Select(t => t.Level1));
        Assert.Contains(result.Insights, r => r.Insight.Taxonomy.Any(t => TaxonomyLabels.Normalise(t.Level2) == "knapsack constraint"));
    }

    [Fact]
    public async Task TheProgramStageReturnsOnlyCodeImplementationInsights()
    {
        await ImportAsync();
        var result = await RetrieveAsync("The solver rejects x > 5; strict inequalities and integer variables in the program.", "program", 8);
        Assert.NotEmpty(result.Insights);
        Assert.All(result.Insights, r => Assert.All(r.Insight.Taxonomy, t => Assert.Equal("Code Implementation", t.Stage)));
    }

    [Fact]
    public async Task RetiredAndProposedInsightsAreNeverReturned()
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var tree = await analyst.GetFromJsonAsync<List<TaxonomyNodeDto>>("/api/taxonomy");
        var leaf = tree!.Single(s => s.Name == "Domain Modeling").Children.SelectMany(c => c.Children).First().Id;
        var marker = "quokkaherding";
        var created = await analyst.PostAsJsonAsync("/api/insights", new
        {
            condition = $"Applies when {marker} shifts must be staffed.",
            explanation = $"Model {marker} shifts with one integer variable per shift.",
            taxonomyNodeIds = new[] { leaf },
        });
        var insight = (await created.Content.ReadFromJsonAsync<InsightDto>())!;
        var problem = $"Plan the {marker} shifts for the week.";

        Assert.DoesNotContain((await RetrieveAsync(problem, "formulation", 10)).Insights, r => r.Insight.Id == insight.Id); // proposed

        Assert.Equal(HttpStatusCode.OK, (await analyst.PostAsJsonAsync($"/api/insights/{insight.Id}/approve", new { expectedVersion = 1 })).StatusCode);
        var active = await RetrieveAsync(problem, "formulation", 10);
        Assert.Equal(insight.Id, active.Insights[0].Insight.Id);
        Assert.NotNull(active.Insights[0].TextRank);

        Assert.Equal(HttpStatusCode.OK, (await analyst.DeleteAsync($"/api/insights/{insight.Id}?expectedVersion=2")).StatusCode);
        Assert.DoesNotContain((await RetrieveAsync(problem, "formulation", 10)).Insights, r => r.Insight.Id == insight.Id);
    }

    [Fact]
    public async Task InsightsOfAnotherModelAreReembeddedWithoutANewVersion()
    {
        await ImportAsync();
        var ids = await app.WithDbAsync(db => db.Insights.OrderBy(i => i.Id).Take(3).Select(i => i.Id).ToListAsync());
        await app.WithDbAsync(db => db.Insights.Where(i => ids.Contains(i.Id)).ExecuteUpdateAsync(u => u.SetProperty(i => i.EmbeddingModel, "retired-model/384")));
        var versions = await app.WithDbAsync(db => db.InsightVersions.CountAsync());

        using var admin = app.Admin();
        var response = await admin.PostAsync("/api/library/reembed", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = (await response.Content.ReadFromJsonAsync<ReembedReport>())!;
        Assert.Equal(3, report.Reembedded);
        Assert.Equal(0, await app.WithDbAsync(db => db.Insights.CountAsync(i => i.EmbeddingModel != app.Embeddings.ModelId)));
        Assert.Equal(versions, await app.WithDbAsync(db => db.InsightVersions.CountAsync()));
    }

    [Theory]
    [InlineData("""{"problem": "a knapsack", "stage": "banana"}""")]
    [InlineData("""{"problem": "", "stage": "formulation"}""")]
    [InlineData("""{"problem": "a knapsack", "stage": "formulation", "k": 0}""")]
    [InlineData("""{"problem": "a knap""")]
    public async Task BadRetrievalRequestsAre400(string json)
    {
        using var viewer = app.ClientWithKey(await app.CreateKeyAsync(Role.Viewer));
        var response = await viewer.PostAsync("/api/library/retrieve", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task AMegabyteProblemIs400()
    {
        using var viewer = app.ClientWithKey(await app.CreateKeyAsync(Role.Viewer));
        var response = await viewer.PostAsJsonAsync("/api/library/retrieve", new { problem = new string('x', 1 << 20), stage = "formulation" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<Microsoft.AspNetCore.Mvc.ValidationProblemDetails>();
        Assert.Contains("100000 characters", problem!.Errors["Problem"][0], StringComparison.Ordinal);
    }

    private Task<RetrievalResult> RetrieveAsync(string problem, string stage, int k) => LibraryCalls.RetrieveAsync(app, problem, stage, k);

    private Task ImportAsync() => LibraryCalls.ImportFixtureOnceAsync(app);

    private static double Cosine(float[] a, float[] b) => a.Zip(b).Sum(p => (double)p.First * p.Second);
}
