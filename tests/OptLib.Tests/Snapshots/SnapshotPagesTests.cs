using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using OptLib.Library.Access;
using OptLib.Library.Snapshots;
using OptLib.Tests.Jobs;
using OptLib.Tests.Security;

namespace OptLib.Tests.Snapshots;

/// <summary>The snapshot pages and a comparison's job page, server-rendered, as a signed-in analyst's browser sees them.</summary>
public sealed partial class SnapshotPagesTests(ComparisonApp app) : IClassFixture<ComparisonApp>
{
    private const string Page = "/admin/snapshots";

    [Fact]
    public async Task AnAnalystTakesSnapshotsOnThePageAndSeesWhatChangedBetweenThem()
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var (_, _, session) = await AdminSession.SignInAsync(app, "admin", await app.ReadCredentialAsync("admin_password"));
        using (session)
        {
            var empty = await PostFormAsync(session, "snapshot", "Take.Name=");
            Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
            Assert.Contains("Name the snapshot", await empty.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            var before = await TakeAsync(session, "page: before");
            var insight = await analyst.CreateInsightAsync("When a pottery page fires kilns in shifts.", await analyst.LeafAsync("Strict Inequalities"));
            var after = await TakeAsync(session, "page: after");

            var list = await session.Client.GetStringAsync(Page);
            Assert.Contains($"href=\"/admin/snapshots/{before.Id}\"", list, StringComparison.Ordinal);
            Assert.Contains("page: after", list, StringComparison.Ordinal);
            Assert.Contains("by hand: user:admin", list, StringComparison.Ordinal);
            Assert.Equal(before.Insights + 1, after.Insights);

            var plain = await session.Client.GetStringAsync($"{Page}/{after.Id}");
            Assert.Contains($"<dd id=\"snapshot-insights\">{after.Insights}</dd>", plain, StringComparison.Ordinal);
            Assert.DoesNotContain("id=\"snapshot-diff\"", plain, StringComparison.Ordinal);

            var diff = await session.Client.GetStringAsync($"{Page}/{after.Id}?against={before.Id}");
            Assert.Contains($"Since #{before.Id} page: before: <strong>1</strong> added, <strong>0</strong> retired", diff, StringComparison.Ordinal);
            Assert.Contains($"href=\"/admin/insights/{insight.Id}\"", diff, StringComparison.Ordinal);
            Assert.Contains("When a pottery page fires kilns in shifts.", diff, StringComparison.Ordinal);
            Assert.Matches($"<option value=\"{before.Id}\" selected", diff);

            // Backwards, the insight is retired; an unknown snapshot to compare with is said so, beside the snapshot.
            var back = await session.Client.GetStringAsync($"{Page}/{before.Id}?against={after.Id}");
            Assert.Contains("<strong>0</strong> added, <strong>1</strong> retired", back, StringComparison.Ordinal);
            var unknown = await session.Client.GetStringAsync($"{Page}/{after.Id}?against=999999");
            Assert.Contains("There is no snapshot 999999 to compare with.", unknown, StringComparison.Ordinal);
            Assert.Contains($"<dd id=\"snapshot-insights\">{after.Insights}</dd>", unknown, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.NotFound, (await session.Client.GetAsync($"{Page}/999999")).StatusCode);

            // Reworded: changed, with the old condition and the new.
            await analyst.ReviseInsightAsync(insight, "When a pottery page fires kilns in two shifts.");
            var reworded = await TakeAsync(session, "page: reworded");
            var changed = await session.Client.GetStringAsync($"{Page}/{reworded.Id}?against={after.Id}");
            Assert.Matches(@"<strong>0</strong> added, <strong>0</strong> retired,\s+<strong>1</strong> changed", changed);
            Assert.Contains("<span class=\"muted\">was:</span> When a pottery page fires kilns in shifts.", changed, StringComparison.Ordinal);
            Assert.Contains("<span class=\"muted\">now:</span> When a pottery page fires kilns in two shifts.", changed, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AComparisonStartedOnThePageShowsBothAccuraciesThePairsAndPOnTheJobPage()
    {
        for (var i = 1; i <= 2; i++)
        {
            await app.AddProblemAsync("pages", $"needs-the-insight {i}: a glass plant makes doors and windows with limited plant hours.", 36);
        }

        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var before = await analyst.TakeSnapshotAsync("pages: before");
        await analyst.CreateInsightAsync("When a glass plant shares plant hours (pages).", await analyst.LeafAsync("Strict Inequalities"),
            $"The prompt carries the explanation: {ComparisonApp.Marker}.");
        var (_, _, session) = await AdminSession.SignInAsync(app, "admin", await app.ReadCredentialAsync("admin_password"));
        using (session)
        {
            var noBaseline = await PostFormAsync(session, "compare", "Compare.Dataset=pages&Compare.Split=test&Compare.Baseline=&Compare.Candidate=current&Compare.Limit=");
            Assert.Equal(HttpStatusCode.BadRequest, noBaseline.StatusCode);
            Assert.Contains("Choose the baseline snapshot.", await noBaseline.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            var started = await PostFormAsync(session, "compare",
                $"Compare.Dataset=pages&Compare.Split=test&Compare.Baseline={before.Id}&Compare.Candidate=current&Compare.Limit=");
            var location = started.Headers.Location?.OriginalString ?? string.Empty;
            Assert.True(started.StatusCode == HttpStatusCode.Redirect && JobLink().IsMatch(location), $"{(int)started.StatusCode} {location}: {await started.Content.ReadAsStringAsync()}");
            var id = long.Parse(JobLink().Match(location).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

            var job = await analyst.WaitForEndAsync(id, 240);
            Assert.True(job.State == "succeeded", $"{job.State}: {job.Error}");
            Assert.Equal("comparison", job.Kind);

            var html = await session.Client.GetStringAsync($"/admin/jobs/{id}");
            Assert.Contains("<td class=\"num\" id=\"comparison-baseline\">0.0%</td>", html, StringComparison.Ordinal);
            Assert.Contains("<td class=\"num\" id=\"comparison-candidate\">100.0%</td>", html, StringComparison.Ordinal);
            Assert.Equal(("0", "0", "2", "0"), (Cell(html, "bothRight"), Cell(html, "onlyBaseline"), Cell(html, "onlyCandidate"), Cell(html, "bothWrong")));
            Assert.Contains("p = 0.5</strong>", html, StringComparison.Ordinal); // 2 x 0.5^2
            Assert.Contains($"src=\"/api/jobs/{id}/artifacts/comparison.svg\"", html, StringComparison.Ordinal);
            Assert.Contains($"href=\"/api/jobs/{id}/results\"", html, StringComparison.Ordinal);
            Assert.Contains($"href=\"/admin/snapshots/{before.Id}\"", html, StringComparison.Ordinal);

            // The cell's link lists exactly its problems.
            var cell = await analyst.GetFromJsonAsync<OptLib.Library.Evaluation.JobResultPage>($"/api/jobs/{id}/results?pair=onlyCandidate");
            Assert.Equal(2, cell!.Total);
        }
    }

    [Fact]
    public async Task AViewerSeesTheSnapshotsButNoFormAndCannotPostOne()
    {
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ISender>().Send(new CreateUser("snapshot-viewer", "viewer-password-3", Roles.Viewer, "test"));
        }

        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var taken = await analyst.TakeSnapshotAsync("viewer: seen");
        var (_, _, session) = await AdminSession.SignInAsync(app, "snapshot-viewer", "viewer-password-3");
        using (session)
        {
            var html = await session.Client.GetStringAsync(Page);
            Assert.Contains($"href=\"/admin/snapshots/{taken.Id}\"", html, StringComparison.Ordinal);
            Assert.Contains("href=\"/admin/snapshots\"", html, StringComparison.Ordinal); // the nav link
            Assert.DoesNotContain("aria-label=\"Take a snapshot\"", html, StringComparison.Ordinal);
            Assert.DoesNotContain("aria-label=\"Compare two snapshots\"", html, StringComparison.Ordinal);
            Assert.Contains("<dd id=\"snapshot-insights\">", await session.Client.GetStringAsync($"{Page}/{taken.Id}"), StringComparison.Ordinal);

            var forged = await PostFormAsync(session, "snapshot", "Take.Name=viewer%3A+forged");
            Assert.True(forged.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Forbidden, $"{(int)forged.StatusCode}");
        }

        var all = await analyst.GetFromJsonAsync<SnapshotPage>("/api/library/snapshots?q=viewer");
        Assert.Equal(["viewer: seen"], all!.Items.Select(s => s.Name));
    }

    private static string Cell(string html, string pair) =>
        Regex.Match(html, $"id=\"pairs-{pair}\">(\\d+)</a>") is { Success: true } m ? m.Groups[1].Value : $"no cell {pair}";

    private static async Task<SnapshotDto> TakeAsync(AdminSession session, string name)
    {
        var response = await PostFormAsync(session, "snapshot", $"Take.Name={Uri.EscapeDataString(name)}");
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, html);
        var done = Taken().Match(html);
        Assert.True(done.Success, html);
        Assert.Equal(name, WebUtility.HtmlDecode(done.Groups[2].Value));
        return new SnapshotDto(long.Parse(done.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), name, default, "user:admin", null,
            int.Parse(done.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static async Task<HttpResponseMessage> PostFormAsync(AdminSession session, string handler, string fields)
    {
        var token = await session.TokenAsync(Page);
        using var content = new StringContent($"_handler={handler}&__RequestVerificationToken={Uri.EscapeDataString(token)}&{fields}",
            System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");
        return await session.Client.PostAsync(Page, content);
    }

    [GeneratedRegex("Snapshot #(\\d+) (?:&quot;|\")(.+?)(?:&quot;|\") holds (\\d+) insights\\.")]
    private static partial Regex Taken();

    [GeneratedRegex("/admin/jobs/(\\d+)$")]
    private static partial Regex JobLink();
}
