using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Access;
using OptLib.Library.Insights;
using OptLib.Library.Interchange;
using OptLib.Library.Taxonomy;
using OptLib.Tests.Infrastructure;

namespace OptLib.Tests.Library;

public sealed class LibraryImportTests(OptLibApp app) : IClassFixture<OptLibApp>
{
    private static readonly ConcurrentDictionary<OptLibApp, Lazy<Task<ImportReport>>> FirstImports = new();

    private static readonly HashSet<string> FileIds = AlphaOptData.Library().Select(i => i!["insight_id"]!.ToString()).ToHashSet();

    [Fact]
    public async Task AllOfAlphaOptsInsightsArriveEachFiledUnderItsLabels()
    {
        var report = await FirstImportAsync();
        Assert.Equal(139, report.Created);
        Assert.Equal(0, report.Skipped);
        Assert.Contains(report.Notes, n => n.Contains("Matrix Dimension Mismatch", StringComparison.Ordinal));

        var insights = await ImportedAsync();
        Assert.Equal(139, insights.Count);
        Assert.All(insights, i => Assert.NotEmpty(i.Taxonomy));
        Assert.All(insights.SelectMany(i => i.Taxonomy), n => Assert.Equal(2, n.Depth));
        Assert.All(insights, i => Assert.Equal(InsightStatus.Active, i.Status));

        // Each insight is filed under exactly the labels the file gives it, spelled however the file spells them.
        var keys = await app.WithDbAsync(db => db.TaxonomyNodes.ToDictionaryAsync(n => n.Id, n => n.PathKey));
        foreach (var entry in AlphaOptData.Library())
        {
            var expected = entry!["taxonomy"]!.AsObject()
                .SelectMany(stage => stage.Value!.AsObject().SelectMany(l1 => l1.Value!.AsArray().Select(l2 => TaxonomyLabels.PathKey(stage.Key, l1.Key, l2!.ToString()))))
                .Order();
            var insight = insights.Single(i => i.Origin.ExternalId == entry["insight_id"]!.ToString());
            Assert.Equal(expected, insight.Taxonomy.Select(n => keys[n.Id]).Order());
        }
    }

    [Fact]
    public async Task TheDistributionBecomesTheUsageCountersAndTheirEvidence()
    {
        await FirstImportAsync();
        var insights = await ImportedAsync();
        var checkedAny = false;
        foreach (var entry in AlphaOptData.Library())
        {
            var insight = insights.Single(i => i.Origin.ExternalId == entry!["insight_id"]!.ToString());
            var d = entry!["distribution"]!;
            int Count(string label) => d[label]!.AsArray().Select(t => t!.ToString()).Distinct().Count();
            Assert.Equal(Count("positive"), insight.Usage.Positive);
            Assert.Equal(Count("negative"), insight.Usage.Negative);
            Assert.Equal(Count("unretrieved"), insight.Usage.Unretrieved);
            Assert.Equal(Count("irrelevant"), insight.Usage.Irrelevant);
            Assert.Equal(Count("invalid"), insight.Usage.Invalid);
            Assert.Equal(d["positive"]!.AsArray().Select(t => t!.ToString()), insight.Evidence.Positive);
            checkedAny |= insight.Usage.Positive > 0;
        }

        Assert.True(checkedAny, "no insight had a positive count; the comparison proved nothing");
        var sample = insights.Single(i => i.Origin.ExternalId == "3");
        Assert.Equal(9, sample.Usage.Positive);
        Assert.Equal(2, sample.Usage.Negative);
    }

    [Fact]
    public async Task ImportingTwiceCreatesNoDuplicates()
    {
        await FirstImportAsync();
        var versionsBefore = await app.WithDbAsync(db => db.InsightVersions.CountAsync());

        var again = await ImportAsync(AlphaOptData.ImportBody());

        Assert.Equal(0, again.Created);
        Assert.Equal(0, again.Updated);
        Assert.Equal(139, again.Skipped);
        Assert.All(again.Items, i => Assert.StartsWith("Unchanged", i.Reason, StringComparison.Ordinal));
        Assert.Equal(139, (await ImportedAsync()).Count);
        Assert.Equal(versionsBefore, await app.WithDbAsync(db => db.InsightVersions.CountAsync()));
    }

    [Fact]
    public async Task ExportThenImportThenExportIsIdenticalAndKeepsTheFilesContent()
    {
        await FirstImportAsync();
        using var viewer = app.ClientWithKey(await app.CreateKeyAsync(Role.Viewer));
        var first = await viewer.GetStringAsync("/api/library/export");

        var report = await ImportAsync(first);
        Assert.Equal(0, report.Created + report.Updated);
        var second = await viewer.GetStringAsync("/api/library/export");
        Assert.Equal(first, second);

        // Nothing of the file was lost on the way in and out (labels compare by their normalised spelling).
        var exported = System.Text.Json.Nodes.JsonNode.Parse(first)!["library"]!.AsArray()
            .ToDictionary(e => e!["insight_id"]!.ToString());
        foreach (var original in AlphaOptData.Library())
        {
            var copy = exported[original!["insight_id"]!.ToString()]!;
            // task_id too, in its shape: a string, or a list (AlphaOPT writes some single ids as one-element lists).
            foreach (var field in new[] { "condition", "explanation", "example", "iteration", "version", "task_id", "occurrence", "distribution" })
            {
                Assert.Equal(original[field]!.ToJsonString(), copy[field]!.ToJsonString());
            }

            Assert.Equal(Labels(original["taxonomy"]!), Labels(copy["taxonomy"]!));
        }
    }

    [Fact]
    public async Task AMultipartUploadOfTheTwoFilesIsAcceptedToo()
    {
        await FirstImportAsync();
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        using var form = new MultipartFormDataContent
        {
            { new StreamContent(File.OpenRead(AlphaOptData.LibraryPath)), "library", "library.json" },
            { new StreamContent(File.OpenRead(AlphaOptData.TaxonomyPath)), "taxonomy", "latest_taxonomy_new.json" },
        };
        var response = await analyst.PostAsync("/api/library/import", form);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = await response.Content.ReadFromJsonAsync<ImportReport>();
        Assert.Equal(139, report!.Skipped);
    }

    [Fact]
    public async Task MalformedJsonIs400AndWritesNothing()
    {
        var before = await app.WithDbAsync(db => db.Insights.CountAsync());
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var response = await analyst.PostAsync("/api/library/import", new StringContent("{\"library\": [ {\"insight_id\": 1, ", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ValidationProblemDetails>();
        Assert.Contains("body", problem!.Errors.Keys);
        Assert.Equal(before, await app.WithDbAsync(db => db.Insights.CountAsync()));
    }

    [Fact]
    public async Task AnEntryWithoutAConditionIsSkippedWithItsReasonAndTheRestArrive()
    {
        const string body = """
            {"library": [
              {"insight_id": 990001, "taxonomy": {"general formulation": {"constraints": ["logical conditions with big-m"]}},
               "condition": "", "explanation": "x", "example": "", "iteration": 0, "version": 1, "task_id": "Z1", "occurrence": 0,
               "distribution": {"positive": [], "negative": [], "unretrieved": [], "irrelevant": [], "invalid": []}},
              {"insight_id": 990002, "taxonomy": {" General Formulation ": {"Constraint": ["Logical Condition with Big-M"]}},
               "condition": "Applies when a constraint holds only if a facility opens.", "explanation": "Link it with the smallest valid M.",
               "example": "", "iteration": 0, "version": 1, "task_id": ["Z2", "Z3"], "occurrence": 0,
               "distribution": {"positive": ["Z2"], "negative": [], "unretrieved": [], "irrelevant": [], "invalid": []}}
            ]}
            """;
        var nodesBefore = await app.WithDbAsync(db => db.TaxonomyNodes.CountAsync());
        var report = await ImportAsync(body);

        Assert.Equal(1, report.Created);
        var skipped = Assert.Single(report.Items, i => i.Outcome == "skipped");
        Assert.Equal(990001, skipped.InsightId);
        Assert.Contains("condition", skipped.Reason, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(nodesBefore, await app.WithDbAsync(db => db.TaxonomyNodes.CountAsync())); // the tolerant match found the starter label
        var created = await app.WithDbAsync(db => db.Insights.Include(i => i.Taxonomy).SingleAsync(i => i.Origin.ExternalId == "990002"));
        Assert.Equal("Logical Conditions with Big-M", Assert.Single(created.Taxonomy).Name);
        Assert.Equal(["Z2", "Z3"], created.Origin.TaskIds);
    }

    private Task<ImportReport> FirstImportAsync() =>
        FirstImports.GetOrAdd(app, _ => new Lazy<Task<ImportReport>>(() => ImportAsync(AlphaOptData.ImportBody()))).Value;

    private async Task<ImportReport> ImportAsync(string json)
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var response = await analyst.PostAsync("/api/library/import", new StringContent(json, Encoding.UTF8, MediaTypeHeaderValue.Parse("application/json")));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ImportReport>())!;
    }

    private Task<List<Insight>> ImportedAsync() => app.WithDbAsync(db => db.Insights.AsNoTracking().Include(i => i.Taxonomy)
        .Where(i => i.Origin.Source == "alphaopt").ToListAsync())
        .ContinueWith(t => t.Result.Where(i => FileIds.Contains(i.Origin.ExternalId!)).ToList(), TaskScheduler.Default);

    private static string[] Labels(System.Text.Json.Nodes.JsonNode taxonomy) =>
        [.. taxonomy.AsObject().SelectMany(s => s.Value!.AsObject().SelectMany(l1 => l1.Value!.AsArray().Select(l2 => TaxonomyLabels.PathKey(s.Key, l1.Key, l2!.ToString())))).Order()];
}
