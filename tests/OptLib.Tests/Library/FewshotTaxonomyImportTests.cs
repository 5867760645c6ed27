using System.Net;
using System.Text;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Access;
using OptLib.Library.Interchange;
using OptLib.Tests.Infrastructure;

namespace OptLib.Tests.Library;

/// <summary>
/// AlphaOPT's library with its older taxonomy file: matched exactly, 34 of the 139 insights find none of their labels
/// (AlphaOPT lost them this way). Here every insight arrives, and the labels the file lacks are added and reported.
/// </summary>
public sealed class FewshotTaxonomyImportTests(OptLibApp app) : IClassFixture<OptLibApp>
{
    [ReferenceDataFact]
    public async Task NoInsightIsOrphanedByATaxonomyFileWithOtherSpellings()
    {
        var taxonomy = await File.ReadAllTextAsync(Path.Combine(ReferenceData.AlphaOpt, "library", "fewshot_taxonomy.json"));
        var body = $"{{\"library\": {await File.ReadAllTextAsync(LibraryFiles.AlphaOpt.LibraryPath)}, \"taxonomy\": {taxonomy}}}";
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));

        var response = await analyst.PostAsync("/api/library/import", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = (await response.Content.ReadFromJsonAsync<ImportReport>())!;
        Assert.Equal(139, report.Created);
        Assert.Equal(0, report.Skipped);
        // The library uses labels the older file lacks (33 uses, tolerantly matched): each distinct one is added once, and said.
        var added = report.Notes.Count(n => n.StartsWith("Added the label", StringComparison.Ordinal));
        Assert.InRange(added, 1, 33);
        Assert.True(report.LabelsCreated >= added);
        var unlinked = await app.WithDbAsync(db => db.Insights.CountAsync(i => i.Origin.Source == "alphaopt" && !i.Taxonomy.Any()));
        Assert.Equal(0, unlinked);
    }
}
