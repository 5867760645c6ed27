using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Access;
using OptLib.Library.Taxonomy;
using OptLib.Tests.Infrastructure;

namespace OptLib.Tests.Library;

public sealed class TaxonomyTests(OptLibApp app) : IClassFixture<OptLibApp>
{
    [Theory]
    [InlineData("Knapsack Constraints", "knapsack constraint")]
    [InlineData("  KNAPSACK   Constraints ", "Knapsack Constraint")]
    [InlineData("Big-M Categories", "big-m category")]
    [InlineData("Boxes", "box")]
    [InlineData("Sensitivity Analysis", "sensitivity analysis")]
    public void LabelsMatchIgnoringCasePluralsAndSpaces(string label, string same) =>
        Assert.Equal(TaxonomyLabels.Normalise(same), TaxonomyLabels.Normalise(label));

    [Fact]
    public void DifferentLabelsStayDifferent() =>
        Assert.NotEqual(TaxonomyLabels.Normalise("Assignment"), TaxonomyLabels.Normalise("Assignments Over Time"));

    [Fact]
    public async Task TheStarterTaxonomyHasThreeStagesAndCoversOrToolsPitfalls()
    {
        using var client = app.ClientWithKey(await app.CreateKeyAsync(Role.Viewer));
        var tree = await client.GetFromJsonAsync<List<TaxonomyNodeDto>>("/api/taxonomy");

        Assert.Equal(["Code Implementation", "Domain Modeling", "General Formulation"], tree!.Select(s => s.Name).Order());
        var code = tree!.Single(s => s.Name == "Code Implementation");
        var leaves = code.Children.SelectMany(c => c.Children).Select(c => c.Name).ToList();
        foreach (var expected in new[] { "Integer-Only Coefficients", "Backend Selection", "Strict Inequalities", "Big-M Magnitude", "Index Ranges and Off-by-One" })
        {
            Assert.Contains(expected, leaves);
        }

        Assert.All(tree!.SelectMany(s => s.Children).SelectMany(c => c.Children), leaf =>
        {
            Assert.Equal(2, leaf.Depth);
            Assert.False(string.IsNullOrWhiteSpace(leaf.Definition));
            Assert.False(string.IsNullOrWhiteSpace(leaf.Condition));
        });
    }

    [Fact]
    public async Task SeedingAgainLeavesTheTaxonomyAsItIs()
    {
        var before = await app.WithDbAsync(db => db.TaxonomyNodes.CountAsync());
        await app.WithDbAsync(async db =>
        {
            await StarterTaxonomy.SeedAsync(db, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, default);
            return 0;
        });
        Assert.Equal(before, await app.WithDbAsync(db => db.TaxonomyNodes.CountAsync()));
        var starterKeys = StarterTaxonomy.Labels.Select(l => TaxonomyLabels.PathKey(l.Stage, l.Level1, l.Level2)).ToList();
        Assert.Equal(starterKeys.Count, await app.WithDbAsync(db => db.TaxonomyNodes.CountAsync(n => starterKeys.Contains(n.PathKey))));
    }

    [Fact]
    public async Task AddingALabelThatDiffersOnlyInCaseAndPluralIsAConflict()
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var parent = await LevelOneAsync(analyst, "Code Implementation", "LinearSolver");
        var before = await app.WithDbAsync(db => db.TaxonomyNodes.CountAsync());

        var response = await analyst.PostAsJsonAsync("/api/taxonomy/nodes", new { parentId = parent.Id, name = "  strict INEQUALITY " });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
        Assert.Contains("Strict Inequalities", problem!.Detail, StringComparison.Ordinal);
        Assert.Equal(before, await app.WithDbAsync(db => db.TaxonomyNodes.CountAsync()));
    }

    [Fact]
    public async Task ANewLabelAppearsInTheTreeAndCanBeRenamed()
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var parent = await LevelOneAsync(analyst, "Code Implementation", "CP-SAT");

        var created = await analyst.PostAsJsonAsync("/api/taxonomy/nodes", new { parentId = parent.Id, name = "Interval Variables ", definition = "d", condition = "c" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var node = await created.Content.ReadFromJsonAsync<TaxonomyNodeDto>();
        Assert.Equal("Interval Variables", node!.Name);
        Assert.Equal(2, node.Depth);

        var renamed = await analyst.PutAsJsonAsync($"/api/taxonomy/nodes/{node.Id}", new { name = "No-Overlap Intervals", definition = "d2", condition = "c2" });
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);

        var after = await LevelOneAsync(analyst, "Code Implementation", "CP-SAT");
        var leaf = after.Children.Single(c => c.Id == node.Id);
        Assert.Equal("No-Overlap Intervals", leaf.Name);
        Assert.Equal("d2", leaf.Definition);
        var key = await app.WithDbAsync(db => db.TaxonomyNodes.Where(n => n.Id == node.Id).Select(n => n.PathKey).SingleAsync());
        Assert.Equal("code implementation|cp-sat|no-overlap interval", key);
    }

    [Fact]
    public async Task ALabelUnderALevelTwoLabelIs400()
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var parent = await LevelOneAsync(analyst, "Code Implementation", "LinearSolver");
        var leaf = parent.Children.First();
        var response = await analyst.PostAsJsonAsync("/api/taxonomy/nodes", new { parentId = leaf.Id, name = "Too Deep" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("ParentId", (await response.Content.ReadFromJsonAsync<ValidationProblemDetails>())!.Errors.Keys);
    }

    [Fact]
    public async Task AViewerCannotChangeTheTaxonomy()
    {
        using var viewer = app.ClientWithKey(await app.CreateKeyAsync(Role.Viewer));
        var response = await viewer.PostAsJsonAsync("/api/taxonomy/nodes", new { name = "A New Stage" });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Null(await app.WithDbAsync(db => db.TaxonomyNodes.FirstOrDefaultAsync(n => n.Name == "A New Stage")));
    }

    [Fact]
    public async Task RenamingAnUnknownNodeIs404()
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var response = await analyst.PutAsJsonAsync("/api/taxonomy/nodes/999999", new { name = "x" });
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private static async Task<TaxonomyNodeDto> LevelOneAsync(HttpClient client, string stage, string level1)
    {
        var tree = await client.GetFromJsonAsync<List<TaxonomyNodeDto>>("/api/taxonomy");
        return tree!.Single(s => s.Name == stage).Children.Single(c => c.Name == level1);
    }

    [Fact]
    public async Task FiveAnalystsAddingTheSameLabelAtOnceGetOne201AndFour409s()
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var tree = await analyst.GetFromJsonAsync<List<TaxonomyNodeDto>>("/api/taxonomy");
        var parent = tree!.Single(s => s.Name == "General Formulation").Children.First();

        var answers = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => analyst.PostAsJsonAsync("/api/taxonomy/nodes", new { parentId = parent.Id, name = "Raced Label" })));

        var statuses = answers.Select(a => (int)a.StatusCode).Order().ToList();
        Assert.Equal([201, 409, 409, 409, 409], statuses);
        Assert.Equal(1, await app.WithDbAsync(db => db.TaxonomyNodes.CountAsync(n => n.Name == "Raced Label")));
    }
}
