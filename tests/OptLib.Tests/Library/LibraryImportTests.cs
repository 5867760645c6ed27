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

/// <summary>
/// What an import of a library file must do, checked against whichever files a subclass names: each entry filed under
/// its labels, its distribution as usage counters, idempotence, a lossless round trip, the multipart form.
/// </summary>
public abstract class LibraryImportChecks(OptLibApp app)
{
    private static readonly ConcurrentDictionary<OptLibApp, Lazy<Task<ImportReport>>> FirstImports = new();

    private protected abstract LibraryFiles Files { get; }

    protected OptLibApp App => app;

    protected async Task<(ImportReport Report, List<Insight> Insights)> EachEntryArrivesFiledUnderItsLabelsAsync()
    {
        var report = await FirstImportAsync();
        var entries = Files.Library();
        Assert.Equal(entries.Count, report.Created);
        Assert.Equal(0, report.Skipped);

        var insights = await ImportedAsync();
        Assert.Equal(entries.Count, insights.Count);
        Assert.All(insights, i => Assert.NotEmpty(i.Taxonomy));
        Assert.All(insights.SelectMany(i => i.Taxonomy), n => Assert.Equal(2, n.Depth));
        Assert.All(insights, i => Assert.Equal(InsightStatus.Active, i.Status));

        // Each insight is filed under exactly the labels the file gives it, spelled however the file spells them.
        var keys = await app.WithDbAsync(db => db.TaxonomyNodes.ToDictionaryAsync(n => n.Id, n => n.PathKey));
        foreach (var entry in entries)
        {
            var expected = entry!["taxonomy"]!.AsObject()
                .SelectMany(stage => stage.Value!.AsObject().SelectMany(l1 => l1.Value!.AsArray().Select(l2 => TaxonomyLabels.PathKey(stage.Key, l1.Key, l2!.ToString()))))
                .Distinct()
                .Order();
            var insight = insights.Single(i => i.Origin.ExternalId == entry["insight_id"]!.ToString());
            Assert.Equal(expected, insight.Taxonomy.Select(n => keys[n.Id]).Order());
        }

        return (report, insights);
    }

    /// <summary>Checks every entry's counters and evidence; returns the insights for the subclass's own sample.</summary>
    protected async Task<List<Insight>> TheDistributionBecomesTheUsageCountersAsync()
    {
        await FirstImportAsync();
        var insights = await ImportedAsync();
        var checkedAny = false;
        foreach (var entry in Files.Library())
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
        return insights;
    }

    protected async Task ImportingTwiceCreatesNoDuplicatesAsync()
    {
        await FirstImportAsync();
        var versionsBefore = await app.WithDbAsync(db => db.InsightVersions.CountAsync());
        var count = Files.Library().Count;

        var again = await ImportAsync(Files.ImportBody());

        Assert.Equal(0, again.Created);
        Assert.Equal(0, again.Updated);
        Assert.Equal(count, again.Skipped);
        Assert.All(again.Items, i => Assert.StartsWith("Unchanged", i.Reason, StringComparison.Ordinal));
        Assert.Equal(count, (await ImportedAsync()).Count);
        Assert.Equal(versionsBefore, await app.WithDbAsync(db => db.InsightVersions.CountAsync()));
    }

    protected async Task ExportThenImportThenExportIsIdenticalAsync()
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
        foreach (var original in Files.Library())
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

    protected async Task AMultipartUploadOfTheTwoFilesIsAcceptedAsync()
    {
        await FirstImportAsync();
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        using var form = new MultipartFormDataContent
        {
            { new StreamContent(File.OpenRead(Files.LibraryPath)), "library", Path.GetFileName(Files.LibraryPath) },
            { new StreamContent(File.OpenRead(Files.TaxonomyPath)), "taxonomy", Path.GetFileName(Files.TaxonomyPath) },
        };
        var response = await analyst.PostAsync("/api/library/import", form);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = await response.Content.ReadFromJsonAsync<ImportReport>();
        Assert.Equal(Files.Library().Count, report!.Skipped);
    }

    protected Task<ImportReport> FirstImportAsync() =>
        FirstImports.GetOrAdd(app, _ => new Lazy<Task<ImportReport>>(() => ImportAsync(Files.ImportBody()))).Value;

    protected async Task<ImportReport> ImportAsync(string json)
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var response = await analyst.PostAsync("/api/library/import", new StringContent(json, Encoding.UTF8, MediaTypeHeaderValue.Parse("application/json")));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ImportReport>())!;
    }

    private async Task<List<Insight>> ImportedAsync()
    {
        var fileIds = Files.Library().Select(i => i!["insight_id"]!.ToString()).ToHashSet();
        var all = await app.WithDbAsync(db => db.Insights.AsNoTracking().Include(i => i.Taxonomy).Where(i => i.Origin.Source == "alphaopt").ToListAsync());
        return all.Where(i => fileIds.Contains(i.Origin.ExternalId!)).ToList();
    }

    private static string[] Labels(System.Text.Json.Nodes.JsonNode taxonomy) =>
        [.. taxonomy.AsObject().SelectMany(s => s.Value!.AsObject().SelectMany(l1 => l1.Value!.AsArray().Select(l2 => TaxonomyLabels.PathKey(s.Key, l1.Key, l2!.ToString())))).Distinct().Order()];
}

/// <summary>The import, on OptLib's own fixture library (no third-party data needed).</summary>
public sealed class LibraryImportTests(OptLibApp app) : LibraryImportChecks(app), IClassFixture<OptLibApp>
{
    private protected override LibraryFiles Files => LibraryFiles.Fixture;

    [Fact]
    public async Task EveryInsightArrivesFiledUnderItsLabelsWhateverTheSpelling()
    {
        var (report, insights) = await EachEntryArrivesFiledUnderItsLabelsAsync();

        // The file spells "Knapsack Constraints" three ways and lacks one label its insight 20 uses: that one is added and said.
        var added = Assert.Single(report.Notes, n => n.StartsWith("Added the label", StringComparison.Ordinal));
        Assert.Contains("'Code Implementation / Output / Reading the Objective Value', which insight 20 uses", added, StringComparison.Ordinal);
        var knapsack = insights.Where(i => i.Origin.ExternalId is "5" or "6").Select(i => Assert.Single(i.Taxonomy).Id).Distinct();
        Assert.Single(knapsack);
        // Insight 8 names the same label twice (spelled two ways) and one of another stage: two labels, not three.
        Assert.Equal(2, insights.Single(i => i.Origin.ExternalId == "8").Taxonomy.Count);
    }

    [Fact]
    public async Task TheDistributionBecomesTheUsageCountersAndTheirEvidence()
    {
        var insights = await TheDistributionBecomesTheUsageCountersAsync();

        // Insight 5 lists Q04 and Q10 twice: each task counts once, and the evidence keeps the file's list.
        var sample = insights.Single(i => i.Origin.ExternalId == "5");
        Assert.Equal((3, 1, 1, 1, 1), (sample.Usage.Positive, sample.Usage.Negative, sample.Usage.Unretrieved, sample.Usage.Irrelevant, sample.Usage.Invalid));
        Assert.Equal(["Q04", "Q09", "Q04", "Q13"], sample.Evidence.Positive);
    }

    [Fact]
    public Task ImportingTwiceCreatesNoDuplicates() => ImportingTwiceCreatesNoDuplicatesAsync();

    [Fact]
    public Task ExportThenImportThenExportIsIdenticalAndKeepsTheFilesContent() => ExportThenImportThenExportIsIdenticalAsync();

    [Fact]
    public Task AMultipartUploadOfTheTwoFilesIsAcceptedToo() => AMultipartUploadOfTheTwoFilesIsAcceptedAsync();

    [Fact]
    public async Task MalformedJsonIs400AndWritesNothing()
    {
        var before = await App.WithDbAsync(db => db.Insights.CountAsync());
        using var analyst = App.ClientWithKey(await App.CreateKeyAsync(Role.Analyst));
        var response = await analyst.PostAsync("/api/library/import", new StringContent("{\"library\": [ {\"insight_id\": 1, ", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ValidationProblemDetails>();
        Assert.Contains("body", problem!.Errors.Keys);
        Assert.Equal(before, await App.WithDbAsync(db => db.Insights.CountAsync()));
    }

    [Fact]
    public async Task ThreeImportsOfOneFileAtOnceAllSucceedAndAddEachInsightOnce()
    {
        const string body = """
            {"library": [
              {"insight_id": 991001, "taxonomy": {"General Formulation": {"Raced Imports": ["Raced Import Label"]}},
               "condition": "Applies when three imports race.", "explanation": "Only one adds the insight.", "example": "",
               "iteration": 0, "version": 1, "task_id": "RACE1", "occurrence": 0,
               "distribution": {"positive": [], "negative": [], "unretrieved": [], "irrelevant": [], "invalid": []}}
            ]}
            """;
        using var analyst = App.ClientWithKey(await App.CreateKeyAsync(Role.Analyst));

        var answers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ =>
            analyst.PostAsync("/api/library/import", new StringContent(body, Encoding.UTF8, "application/json"))));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        var reports = await Task.WhenAll(answers.Select(a => a.Content.ReadFromJsonAsync<ImportReport>()));
        Assert.Equal(1, reports.Sum(r => r!.Created));
        Assert.Equal(1, await App.WithDbAsync(db => db.Insights.CountAsync(i => i.Origin.ExternalId == "991001")));
        Assert.Equal(1, await App.WithDbAsync(db => db.TaxonomyNodes.CountAsync(n => n.Name == "Raced Import Label")));
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
        var nodesBefore = await App.WithDbAsync(db => db.TaxonomyNodes.CountAsync());
        var report = await ImportAsync(body);

        Assert.Equal(1, report.Created);
        var skipped = Assert.Single(report.Items, i => i.Outcome == "skipped");
        Assert.Equal(990001, skipped.InsightId);
        Assert.Contains("condition", skipped.Reason, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(nodesBefore, await App.WithDbAsync(db => db.TaxonomyNodes.CountAsync())); // the tolerant match found the starter label
        var created = await App.WithDbAsync(db => db.Insights.Include(i => i.Taxonomy).SingleAsync(i => i.Origin.ExternalId == "990002"));
        Assert.Equal("Logical Conditions with Big-M", Assert.Single(created.Taxonomy).Name);
        Assert.Equal(["Z2", "Z3"], created.Origin.TaskIds);
    }
}

/// <summary>The import, on AlphaOPT's own 139 insights and the taxonomy file that goes with them (reference data).</summary>
public sealed class AlphaOptLibraryImportTests(OptLibApp app) : LibraryImportChecks(app), IClassFixture<OptLibApp>
{
    private protected override LibraryFiles Files => LibraryFiles.AlphaOpt;

    [ReferenceDataFact]
    public async Task AllOfAlphaOptsInsightsArriveEachFiledUnderItsLabels()
    {
        var (report, insights) = await EachEntryArrivesFiledUnderItsLabelsAsync();
        Assert.Equal(139, insights.Count);
        Assert.Contains(report.Notes, n => n.Contains("Matrix Dimension Mismatch", StringComparison.Ordinal));
    }

    [ReferenceDataFact]
    public async Task TheDistributionBecomesTheUsageCountersAndTheirEvidence()
    {
        var insights = await TheDistributionBecomesTheUsageCountersAsync();
        var sample = insights.Single(i => i.Origin.ExternalId == "3");
        Assert.Equal(9, sample.Usage.Positive);
        Assert.Equal(2, sample.Usage.Negative);
    }

    [ReferenceDataFact]
    public Task ImportingTwiceCreatesNoDuplicates() => ImportingTwiceCreatesNoDuplicatesAsync();

    [ReferenceDataFact]
    public Task ExportThenImportThenExportIsIdenticalAndKeepsTheFilesContent() => ExportThenImportThenExportIsIdenticalAsync();

    [ReferenceDataFact]
    public Task AMultipartUploadOfTheTwoFilesIsAcceptedToo() => AMultipartUploadOfTheTwoFilesIsAcceptedAsync();
}
