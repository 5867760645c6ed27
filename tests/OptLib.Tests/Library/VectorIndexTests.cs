using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using OptLib.Library.Insights;
using OptLib.Library.Retrieval;
using OptLib.Tests.Infrastructure;

namespace OptLib.Tests.Library;

/// <summary>
/// Retrieval's kNN list comes from the in-process vector index (ADR 0018). The similarity it reports is the exact
/// cosine of the insight's current vector, however that vector changed: revised through the API, or rewritten by
/// another process (a connection of the test's own, as in <see cref="ReadModelTests"/>) without a new version.
/// </summary>
public sealed class VectorIndexTests(OptLibApp app) : IClassFixture<OptLibApp>
{
    private const string Leaf = "Index Ranges and Off-by-One"; // a Code Implementation label: the program stage
    private const string Problem = "Ferry the wombats across the river with as few boat crossings as possible; the boat holds three wombats.";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5); // the stamps are checked every 250 ms

    [Fact]
    public async Task ARevisedInsightIsRankedByItsNewText()
    {
        using var analyst = await ReadModelCalls.AnalystAsync(app);
        var leaf = await ReadModelCalls.LeafAsync(analyst, Leaf);
        var created = await ReadModelCalls.CreateAsync(analyst, "Applies when quokkas are herded in shifts of fixed length.", leaf, status: "active");
        var before = await SimilarityAsync(created.Id);
        Assert.Equal(await CosineAsync(InsightEmbedding.TextOf(ToInsight(created))), before!.Value, 4);

        var revised = await analyst.PutAsJsonAsync($"/api/insights/{created.Id}", new
        {
            condition = "Applies when animals such as wombats are ferried across a river by a boat of limited capacity.",
            explanation = "Count the crossings with one integer variable per trip and cap each trip's load by the boat's capacity.",
            example = created.Example,
            taxonomyNodeIds = new[] { leaf },
            expectedVersion = created.Version,
        });
        Assert.Equal(HttpStatusCode.OK, revised.StatusCode);
        var now = (await revised.Content.ReadFromJsonAsync<InsightDto>())!;

        var after = await SimilarityAsync(created.Id);
        var expected = await CosineAsync(InsightEmbedding.TextOf(ToInsight(now)));
        Assert.Equal(expected, after!.Value, 4);
        Assert.True(expected > before.Value + 0.1, $"the new text is nearer the problem: {before:F3} before, {expected:F3} after");
    }

    [Fact]
    public async Task AVectorRewrittenByAnotherProcessAndThenItsRetirementReachRetrieval()
    {
        using var analyst = await ReadModelCalls.AnalystAsync(app);
        var leaf = await ReadModelCalls.LeafAsync(analyst, Leaf);
        var created = await ReadModelCalls.CreateAsync(analyst, "Applies when a timetable of night buses is drawn up.", leaf, status: "active");
        var before = await SimilarityAsync(created.Id);
        Assert.True(before < 0.9, $"the insight is not yet the problem's twin: {before:F3}");

        // Another process gives the insight the problem's own vector, with no new version: only the row changed.
        var vector = await app.Embeddings.EmbedAsync(Problem, CancellationToken.None);
        var literal = "[" + string.Join(",", vector.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]";
        await ReadModelCalls.ElsewhereAsync(app, "UPDATE insights SET embedding = @vector::vector WHERE id = @id", ("vector", literal), ("id", created.Id));
        await Eventually.UntilAsync(async () => await SimilarityAsync(created.Id) is > 0.9999, Bound, "the rewritten vector ranked with similarity 1");

        await ReadModelCalls.ElsewhereAsync(app, "UPDATE insights SET status = 'retired' WHERE id = @id", ("id", created.Id));
        await Eventually.UntilAsync(async () => await SimilarityAsync(created.Id) is null && !(await RetrieveAsync()).Insights.Any(r => r.Insight.Id == created.Id),
            Bound, "the retired insight gone from retrieval");
    }

    /// <summary>The insight's similarity in the problem's kNN list, or null when it is not in the list.</summary>
    private async Task<double?> SimilarityAsync(long id) =>
        (await RetrieveAsync()).Insights.SingleOrDefault(r => r.Insight.Id == id && r.VectorRank is not null)?.VectorSimilarity;

    private Task<RetrievalResult> RetrieveAsync() => LibraryCalls.RetrieveAsync(app, Problem, "program", RetrieveInsights.MaxK);

    private async Task<double> CosineAsync(string text)
    {
        var a = await app.Embeddings.EmbedAsync(Problem, CancellationToken.None);
        var b = await app.Embeddings.EmbedAsync(text, CancellationToken.None);
        return a.Zip(b).Sum(p => (double)p.First * p.Second) / Math.Sqrt(a.Sum(x => (double)x * x) * b.Sum(x => (double)x * x));
    }

    private static Insight ToInsight(InsightDto dto) => new() { Condition = dto.Condition, Explanation = dto.Explanation, CreatedBy = "test", UpdatedBy = "test" };
}
