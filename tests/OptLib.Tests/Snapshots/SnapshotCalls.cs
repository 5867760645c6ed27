using System.Net;
using System.Net.Http.Json;
using OptLib.Library.Insights;
using OptLib.Library.Snapshots;
using OptLib.Library.Taxonomy;

namespace OptLib.Tests.Snapshots;

/// <summary>Writing insights and taking snapshots over REST, as a client would.</summary>
internal static class SnapshotCalls
{
    public static async Task<long> LeafAsync(this HttpClient client, string name)
    {
        var tree = await client.GetFromJsonAsync<List<TaxonomyNodeDto>>("/api/taxonomy");
        return tree!.SelectMany(s => s.Children).SelectMany(c => c.Children).Single(n => n.Name == name).Id;
    }

    public static async Task<InsightDto> CreateInsightAsync(this HttpClient client, string condition, long leaf, string explanation = "Best practice and the usual mistake.")
    {
        var response = await client.PostAsJsonAsync("/api/insights", new { condition, explanation, example = "", taxonomyNodeIds = new[] { leaf }, status = "active" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<InsightDto>())!;
    }

    public static async Task<InsightDto> ReviseInsightAsync(this HttpClient client, InsightDto insight, string condition, string? explanation = null)
    {
        var response = await client.PutAsJsonAsync($"/api/insights/{insight.Id}", new
        {
            condition,
            explanation = explanation ?? insight.Explanation,
            example = insight.Example,
            taxonomyNodeIds = insight.Taxonomy.Select(t => t.NodeId).ToArray(),
            expectedVersion = insight.Version,
            reason = "reworded",
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<InsightDto>())!;
    }

    public static async Task RetireInsightAsync(this HttpClient client, InsightDto insight)
    {
        var response = await client.DeleteAsync($"/api/insights/{insight.Id}?expectedVersion={insight.Version}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static async Task<SnapshotDto> TakeSnapshotAsync(this HttpClient client, string name)
    {
        var response = await client.PostAsJsonAsync("/api/library/snapshots", new { name });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var snapshot = (await response.Content.ReadFromJsonAsync<SnapshotDto>())!;
        Assert.Equal($"/api/library/snapshots/{snapshot.Id}", response.Headers.Location?.OriginalString);
        return snapshot;
    }
}
