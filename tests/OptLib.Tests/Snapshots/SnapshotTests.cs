using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Access;
using OptLib.Library.Retrieval;
using OptLib.Library.Snapshots;
using OptLib.Tests.Infrastructure;

namespace OptLib.Tests.Snapshots;

public sealed class SnapshotTests(OptLibApp app) : IClassFixture<OptLibApp>
{
    [Fact]
    public async Task ASnapshotRecordsTheActiveVersionsAndTheDiffNamesWhatWasAddedRetiredAndChanged()
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var leaf = await analyst.LeafAsync("Strict Inequalities");
        var kept = await analyst.CreateInsightAsync("diff: a kept insight", leaf);
        var revised = await analyst.CreateInsightAsync("diff: the first wording", leaf);
        var retired = await analyst.CreateInsightAsync("diff: an insight to retire", leaf);
        var activeBefore = await app.WithDbAsync(db => db.Insights.CountAsync(i => i.Status == OptLib.Library.Insights.InsightStatus.Active));

        var before = await analyst.TakeSnapshotAsync("diff: before");
        Assert.Equal(activeBefore, before.Insights);
        Assert.Equal("diff: before", before.Name);
        Assert.True(before.CreatedAt > DateTimeOffset.UtcNow.AddMinutes(-5));

        var revisedNow = await analyst.ReviseInsightAsync(revised, "diff: the second wording");
        await analyst.RetireInsightAsync(retired);
        var added = await analyst.CreateInsightAsync("diff: a new insight", leaf);
        var after = await analyst.TakeSnapshotAsync("diff: after");
        Assert.Equal(before.Insights, after.Insights); // one in, one out

        // The snapshot keeps ids and versions: the rows say so, whatever happens to the insights later.
        var members = await app.WithDbAsync(db => db.SnapshotInsights.Where(m => m.SnapshotId == before.Id).ToDictionaryAsync(m => m.InsightId, m => m.Version));
        Assert.Equal(1, members[revised.Id]);
        Assert.Equal(1, members[kept.Id]);
        Assert.False(members.ContainsKey(added.Id));

        var detail = await analyst.GetFromJsonAsync<SnapshotDetailDto>($"/api/library/snapshots/{after.Id}?against={before.Id}");
        Assert.Equal(after.Insights, detail!.Insights);
        Assert.True(detail.ByStage["Code Implementation"] >= 3, "Strict Inequalities is a Code Implementation label");
        var diff = detail.Diff!;
        Assert.Equal((1, 1, 1), (diff.Added, diff.Retired, diff.Changed));
        Assert.Equal(added.Id, Assert.Single(diff.AddedInsights).InsightId);
        Assert.Equal(("diff: an insight to retire", 1), (Assert.Single(diff.RetiredInsights).Condition, diff.RetiredInsights[0].AgainstVersion!.Value));
        var change = Assert.Single(diff.ChangedInsights);
        Assert.Equal((revised.Id, revisedNow.Version, 1), (change.InsightId, change.Version!.Value, change.AgainstVersion!.Value));
        Assert.Equal(("diff: the second wording", "diff: the first wording"), (change.Condition, change.PreviousCondition));
        Assert.Equal(after.Insights - 2, diff.Unchanged);

        // The other way round, the same changes mirrored.
        var back = (await analyst.GetFromJsonAsync<SnapshotDetailDto>($"/api/library/snapshots/{before.Id}?against={after.Id}"))!.Diff!;
        Assert.Equal(retired.Id, Assert.Single(back.AddedInsights).InsightId);
        Assert.Equal(added.Id, Assert.Single(back.RetiredInsights).InsightId);
        Assert.Null((await analyst.GetFromJsonAsync<SnapshotDetailDto>($"/api/library/snapshots/{before.Id}"))!.Diff);
    }

    [Fact]
    public async Task RetrievalAsOfAnOlderSnapshotReturnsTheOlderTextAndOnlyItsInsights()
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var leaf = await analyst.LeafAsync("Strict Inequalities");
        var revised = await analyst.CreateInsightAsync("asof: when a quokka constraint says strictly more than", leaf, "Quokka explanation, the old one.");
        var retired = await analyst.CreateInsightAsync("asof: when quokka counts must differ", leaf);
        var old = await analyst.TakeSnapshotAsync("asof: old");
        await analyst.ReviseInsightAsync(revised, "asof: when a wallaby constraint says strictly more than", "Wallaby explanation, the new one.");
        await analyst.RetireInsightAsync(retired);
        var added = await analyst.CreateInsightAsync("asof: when quokka weights are fractional", leaf);
        const string problem = "A quokka sanctuary needs strictly more keepers than quokka enclosures.";

        var then = await RetrieveAsync(analyst, problem, old.Id);
        var ids = then.Insights.Select(r => r.Insight.Id).ToList();
        Assert.Contains(retired.Id, ids); // retired since, but active then
        Assert.DoesNotContain(added.Id, ids); // added since
        var atOld = Assert.Single(then.Insights, r => r.Insight.Id == revised.Id);
        Assert.Equal(("asof: when a quokka constraint says strictly more than", "Quokka explanation, the old one.", 1),
            (atOld.Insight.Condition, atOld.Insight.Explanation, atOld.Insight.Version));
        Assert.NotNull(atOld.TextRank); // its old words match the problem's, so full-text search found it at that version
        Assert.NotNull(atOld.VectorSimilarity);

        var now = await RetrieveAsync(analyst, problem, null);
        Assert.DoesNotContain(now.Insights, r => r.Insight.Id == retired.Id);
        Assert.Contains(now.Insights, r => r.Insight.Id == added.Id);
        var current = Assert.Single(now.Insights, r => r.Insight.Id == revised.Id);
        Assert.Equal(("asof: when a wallaby constraint says strictly more than", 2), (current.Insight.Condition, current.Insight.Version));
        Assert.True(current.TextScore is null || current.TextScore < atOld.TextScore, "the new text has no quokka in it, so it matches the problem less");
        Assert.True(atOld.VectorSimilarity > current.VectorSimilarity, "the old vector is of the old, quokka text");

        var unknown = await analyst.PostAsJsonAsync("/api/library/retrieve", new { problem, stage = "program", k = 5, snapshot = 987654 });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("snapshot", (await unknown.Content.ReadFromJsonAsync<ValidationProblemDetails>())!.Errors.Keys, StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task AVersionWrittenBeforeVersionsKeptVectorsIsEmbeddedAgainAsOfItsSnapshot()
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var leaf = await analyst.LeafAsync("Strict Inequalities");
        var insight = await analyst.CreateInsightAsync("legacy: when a platypus limit is strict", leaf);
        var snapshot = await analyst.TakeSnapshotAsync("legacy");
        await app.WithDbAsync(db => db.InsightVersions.Where(v => v.InsightId == insight.Id)
            .ExecuteUpdateAsync(v => v.SetProperty(x => x.Embedding, (Pgvector.Vector?)null).SetProperty(x => x.EmbeddingModel, (string?)null)));
        await analyst.ReviseInsightAsync(insight, "legacy: when an echidna limit is strict");

        var then = await RetrieveAsync(analyst, "The platypus pen holds strictly fewer than ten platypus.", snapshot.Id);
        var row = Assert.Single(then.Insights, r => r.Insight.Id == insight.Id);
        Assert.Equal("legacy: when a platypus limit is strict", row.Insight.Condition);
        Assert.True(row.VectorSimilarity > 0, "the old text was embedded again");
    }

    private static async Task<RetrievalResult> RetrieveAsync(HttpClient client, string problem, long? snapshot)
    {
        var response = await client.PostAsJsonAsync("/api/library/retrieve", new { problem, stage = "program", k = 20, snapshot });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<RetrievalResult>())!;
    }

    [Fact]
    public async Task TheSnapshotListFiltersByNameAndByWhoTookItAndPages()
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var first = await analyst.TakeSnapshotAsync("list: nightly one");
        var second = await analyst.TakeSnapshotAsync("list: nightly two");
        var demo = await analyst.TakeSnapshotAsync("list: before the demo");
        var byJob = await app.WithDbAsync(async db =>
        {
            var s = await LibrarySnapshots.TakeAsync(db, "list: taken by job 424242", "job", 424242, CancellationToken.None);
            var again = await LibrarySnapshots.TakeAsync(db, "list: the same job again", "job", 424242, CancellationToken.None);
            Assert.Equal(s.Id, again.Id); // a job's planning retried finds its snapshot
            return s;
        });

        var nightly = await analyst.GetFromJsonAsync<SnapshotPage>("/api/library/snapshots?q=NIGHTLY");
        Assert.Equal([second.Id, first.Id], nightly!.Items.Select(s => s.Id));
        Assert.Equal(2, nightly.Total);

        var paged = await analyst.GetFromJsonAsync<SnapshotPage>("/api/library/snapshots?q=list:&pageSize=1&page=2");
        Assert.Equal(4, paged!.Total);
        Assert.Equal(demo.Id, Assert.Single(paged.Items).Id); // newest first: the job's, then the demo's
        var fromJobs = await analyst.GetFromJsonAsync<SnapshotPage>("/api/library/snapshots?q=list:&taken=job");
        Assert.Equal(byJob.Id, Assert.Single(fromJobs!.Items).Id);
        Assert.Equal(424242, fromJobs.Items[0].JobId);
        var ofJob = await analyst.GetFromJsonAsync<SnapshotPage>("/api/library/snapshots?job=424242");
        Assert.Equal(byJob.Id, Assert.Single(ofJob!.Items).Id);
        var byHand = await analyst.GetFromJsonAsync<SnapshotPage>("/api/library/snapshots?q=list:&taken=hand");
        Assert.Equal(3, byHand!.Total);
        Assert.DoesNotContain(byHand.Items, s => s.JobId is not null);
    }

    [Theory]
    [InlineData("/api/library/snapshots?page=0", "Page")]
    [InlineData("/api/library/snapshots?pageSize=1000", "PageSize")]
    [InlineData("/api/library/snapshots?taken=robot", "Taken")]
    public async Task BadListParametersAre400sNamingTheField(string url, string field)
    {
        using var viewer = app.ClientWithKey(await app.CreateKeyAsync(Role.Viewer));
        var response = await viewer.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ValidationProblemDetails>();
        Assert.Contains(field, problem!.Errors.Keys, StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ANamelessSnapshotIsA400AndUnknownIdsAre404s()
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var nameless = await analyst.PostAsJsonAsync("/api/library/snapshots", new { name = " " });
        Assert.Equal(HttpStatusCode.BadRequest, nameless.StatusCode);
        Assert.Contains("name", (await nameless.Content.ReadFromJsonAsync<ValidationProblemDetails>())!.Errors.Keys, StringComparer.OrdinalIgnoreCase);
        var tooLong = await analyst.PostAsJsonAsync("/api/library/snapshots", new { name = new string('x', 201) });
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);

        var known = await analyst.TakeSnapshotAsync("known");
        Assert.Equal(HttpStatusCode.NotFound, (await analyst.GetAsync("/api/library/snapshots/999999")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await analyst.GetAsync($"/api/library/snapshots/{known.Id}?against=999999")).StatusCode);

        using var viewer = app.ClientWithKey(await app.CreateKeyAsync(Role.Viewer));
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/api/library/snapshots", new { name = "viewer" })).StatusCode);
    }
}
