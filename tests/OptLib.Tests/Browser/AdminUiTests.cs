using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OptLib.Tests.Infrastructure;


namespace OptLib.Tests.Browser;

/// <summary>
/// The admin UI in a real browser against the running service: one app and one Chromium for the class; each test
/// signs in with its own browser context.
/// </summary>
public sealed class AdminUiTests(BrowserApp app, Chromium chromium) : IClassFixture<BrowserApp>, IClassFixture<Chromium>, IAsyncLifetime
{
    private static readonly PageWaitForSelectorOptions Long = new() { Timeout = 60_000 };

    public Task InitializeAsync() => app.SeedAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task AWrongPasswordIsRefusedAndTheRightOneLeadsBackToTheAskedPage()
    {
        var context = await NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync("/admin/insights");
        Assert.EndsWith("/admin/login?ReturnUrl=%2Fadmin%2Finsights", page.Url, StringComparison.Ordinal);

        await page.FillAsync("#userName", "admin");
        await page.FillAsync("#password", "not the password");
        await FollowAsync(page, "button[type=submit]", "error=invalid");
        Assert.Contains("wrong", await page.TextContentAsync("[role=alert]"), StringComparison.Ordinal);
        Assert.Equal("admin", await page.InputValueAsync("#userName"));
        await ShotAsync(page, "login");

        await page.GotoAsync("/admin/login?ReturnUrl=%2Fadmin%2Finsights");
        await page.FillAsync("#userName", "admin");
        await page.FillAsync("#password", await app.AdminPasswordAsync());
        await FollowAsync(page, "button[type=submit]", "/admin/insights$");
        Assert.Equal("Insights", await page.TextContentAsync("h1"));

        await page.GotoAsync("/admin");
        Assert.Equal("Dashboard", await page.TextContentAsync("h1"));
        Assert.NotNull(await page.QuerySelectorAsync("svg.chart"));
        await ShotAsync(page, "dashboard");
        foreach (var (path, name) in new[] { ("/admin/taxonomy", "taxonomy"), ("/admin/access", "access"), ("/admin/interchange", "interchange"), ("/admin/problems", "problems"), ("/admin/jobs/hangfire/", "hangfire") })
        {
            var response = await page.GotoAsync(path);
            Assert.Equal(200, response!.Status);
            await ShotAsync(page, name);
        }
    }

    [Fact]
    public async Task AnAnalystFindsAnImportedInsightEditsItSeesTheDiffAndRestoresTheOldVersion()
    {
        var (id, condition) = await app.ImportedInsightAsync(0);
        var page = await SignInAsync(BrowserApp.AnalystName, BrowserApp.AnalystPassword);

        // Semantic search, as the pipeline retrieves.
        await page.GotoAsync("/admin/insights");
        await page.FillAsync("#ask", condition);
        await FollowAsync(page, "button[name=go]", "[?&]ask=");
        Assert.NotNull(await page.QuerySelectorAsync($"table[aria-label='Search results'] a[href='/admin/insights/{id}']"));
        await ShotAsync(page, "insights-search");

        // Text filter, then the detail page.
        await page.FillAsync("#f-q", string.Join(' ', condition.Split(' ').Take(8)));
        await FollowAsync(page, "form[aria-label='Filter insights'] button[type=submit]", "[?&]q=");
        await FollowAsync(page, $"table[aria-label=Insights] a[href='/admin/insights/{id}']", $"/admin/insights/{id}$");
        Assert.Equal(condition, await page.TextContentAsync("#condition"));
        var version = await CurrentVersionAsync(id);

        await FollowAsync(page, "text=Edit, retire or restore", $"/admin/insights/{id}/edit$");
        var explanation = await page.InputValueAsync("#explanation");
        await page.FillAsync("#explanation", explanation + " Check the units of every capacity row.");
        await page.FillAsync("#reason", "browser edit");
        await ShotAsync(page, "insight-edit");
        await FollowAsync(page, "form[aria-label='Edit insight'] button[type=submit]", $"/admin/insights/{id}\\?done=saved$");
        Assert.Equal(version + 1, await CurrentVersionAsync(id));
        Assert.Contains("Check the units of every capacity row.", await page.TextContentAsync("#explanation"), StringComparison.Ordinal);
        var inserted = await page.Locator("#diff ins").AllTextContentsAsync();
        Assert.Contains(inserted, t => t.Contains("capacity row.", StringComparison.Ordinal));
        Assert.Contains("browser edit", await page.TextContentAsync("table[aria-label=Versions]"), StringComparison.Ordinal);
        await ShotAsync(page, "insight-detail");

        await page.GotoAsync($"/admin/insights/{id}/edit");
        await page.SelectOptionAsync("#restore-version", version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.FillAsync("#restore-reason", "back to the imported text");
        await FollowAsync(page, "form[aria-label='Restore a version'] button[type=submit]", $"/admin/insights/{id}\\?done=restored$");

        Assert.Equal(version + 2, await CurrentVersionAsync(id));
        Assert.Equal(explanation, await page.TextContentAsync("#explanation"));
        Assert.Contains("back to the imported text", await page.TextContentAsync("table[aria-label=Versions]"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheSecondOfTwoTabsSavingTheSameVersionIsToldSomeoneSavedFirst()
    {
        var id = await app.AddInsightAsync("When two analysts edit the same insight.", "The second save must not overwrite the first.", "active");
        var first = await SignInAsync(BrowserApp.AnalystName, BrowserApp.AnalystPassword);
        var second = await first.Context.NewPageAsync();
        await first.GotoAsync($"/admin/insights/{id}/edit");
        await second.GotoAsync($"/admin/insights/{id}/edit");

        await first.FillAsync("#explanation", "The first tab's text.");
        await FollowAsync(first, "form[aria-label='Edit insight'] button[type=submit]", "\\?done=saved$");

        await second.FillAsync("#explanation", "The second tab's text.");
        var response = await second.RunAndWaitForResponseAsync(
            () => second.ClickAsync("form[aria-label='Edit insight'] button[type=submit]"), r => r.Request.Method == "POST");
        Assert.Equal(409, response.Status);
        Assert.Contains("changed since you read it", await second.TextContentAsync("[role=alert]"), StringComparison.Ordinal);
        Assert.Equal("The second tab's text.", await second.InputValueAsync("#explanation"));
        await ShotAsync(second, "insight-conflict");

        using var api = app.Api();
        var current = await api.GetFromJsonAsync<JsonObject>($"/api/insights/{id}");
        Assert.Equal("The first tab's text.", current!["explanation"]!.GetValue<string>());
    }

    [Fact]
    public async Task AnAnalystApprovesAProposedInsightFromTheReviewQueue()
    {
        var id = await app.AddInsightAsync("When a learned insight waits for review.", "Approve it once it reads well.");
        var page = await SignInAsync(BrowserApp.AnalystName, BrowserApp.AnalystPassword);
        await page.GotoAsync("/admin/review");
        await ShotAsync(page, "review");
        await FollowAsync(page, $"a[href='/admin/review/{id}']", $"/admin/review/{id}$");
        await page.FillAsync("#approve-reason", "reads well");
        await FollowAsync(page, "form[aria-label=Approve] button[type=submit]", "done=approved");
        Assert.Contains($"#{id} approved", await page.TextContentAsync("[role=status]"), StringComparison.Ordinal);

        using var api = app.Api();
        var insight = await api.GetFromJsonAsync<JsonObject>($"/api/insights/{id}");
        Assert.Equal("active", insight!["status"]!.GetValue<string>());
        Assert.Equal("user:ana", insight["updatedBy"]!.GetValue<string>());
    }

    [Fact]
    public async Task AViewerSeesNoEditControlsAndTheirPostIsRefused()
    {
        var id = await app.AddInsightAsync("When a viewer reads the library.", "Nothing can be changed.", "active");
        var page = await SignInAsync(BrowserApp.ViewerName, BrowserApp.ViewerPassword);
        await page.GotoAsync($"/admin/insights/{id}");
        Assert.Equal("When a viewer reads the library.", await page.TextContentAsync("#condition"));
        Assert.Equal(0, await page.Locator($"a[href='/admin/insights/{id}/edit']").CountAsync());
        Assert.Equal(0, await page.Locator("nav a[href='/admin/review']").CountAsync());
        await page.GotoAsync("/admin/taxonomy");
        Assert.Equal(0, await page.Locator("a[href='/admin/taxonomy/edit']").CountAsync());
        await page.GotoAsync("/admin/problems");
        Assert.Equal(0, await page.Locator("a[href='/admin/problems/new']").CountAsync());

        await page.GotoAsync($"/admin/insights/{id}/edit");
        Assert.EndsWith("/admin/denied?ReturnUrl=%2Fadmin%2Finsights%2F" + id + "%2Fedit", page.Url, StringComparison.Ordinal);

        // A hand-made post with a valid anti-forgery token from the viewer's own page is still refused.
        var token = await page.GetAttributeAsync("input[name=__RequestVerificationToken]", "value");
        var post = await page.Context.APIRequest.PostAsync($"/admin/insights/{id}/edit", new APIRequestContextOptions
        {
            Form = page.Context.APIRequest.CreateFormData()
                .Set("_handler", "edit").Set("__RequestVerificationToken", token!)
                .Set("Edit.ExpectedVersion", "1").Set("Edit.Condition", "changed").Set("Edit.Explanation", "changed").Set("Edit.Labels", "1"),
            MaxRedirects = 0,
        });
        Assert.Equal(403, post.Status);
        using var api = app.Api();
        Assert.Equal("When a viewer reads the library.", (await api.GetFromJsonAsync<JsonObject>($"/api/insights/{id}"))!["condition"]!.GetValue<string>());
    }

    [Fact]
    public async Task AnAnalystSubmitsAProblemAndOpensItsAttempt()
    {
        var page = await SignInAsync(BrowserApp.AnalystName, BrowserApp.AnalystPassword);
        await page.GotoAsync("/admin/problems/new");
        await page.FillAsync("#text", "A glass plant makes doors and windows with limited plant hours; maximise profit.");
        await page.FillAsync("#expected", "36");
        await FollowAsync(page, "form[aria-label='Submit a problem'] button[type=submit]", @"/admin/problems/\d+$");

        // The page refreshes itself until the attempt is done.
        await page.WaitForSelectorAsync("#problem-status:text('solved')", Long);
        Assert.Matches(@"^/admin/jobs/\d+$", await page.GetAttributeAsync("#problem-job", "href")); // its solve job, like every background run
        await ShotAsync(page, "problem");
        await page.ClickAsync("table[aria-label=Attempts] a");
        Assert.Equal("Correct", await page.TextContentAsync("#verdict"));
        Assert.Equal("36", await page.TextContentAsync("#objective"));
        Assert.Contains("doors + 5 windows", await page.TextContentAsync("pre[aria-label=Formulation]"), StringComparison.Ordinal);
        Assert.True(await page.Locator("pre[aria-label^='Program'] span.kw").CountAsync() > 5, "the program is not highlighted");
        Assert.Equal("Round 0: Correct", await page.TextContentAsync("h3:has-text('Round 0')"));
        var solverResult = await page.TextContentAsync("dl.fields.card");
        Assert.Contains("doors = 2", solverResult, StringComparison.Ordinal);
        Assert.Contains("windows = 6", solverResult, StringComparison.Ordinal);
        await ShotAsync(page, "attempt");
    }

    [Fact]
    public async Task AnAnalystStartsAJobAndWatchesItsProgressReachTheEnd()
    {
        var page = await SignInAsync(BrowserApp.AnalystName, BrowserApp.AnalystPassword);
        var refused = new List<string>(); // what the content security policy blocked, as Chromium reports it
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                lock (refused)
                {
                    refused.Add(message.Text);
                }
            }
        };
        await page.GotoAsync("/admin/jobs");
        await page.SelectOptionAsync("#kind", "selftest");
        await page.FillAsync("#parameters", "{\"items\": 6, \"sleepMs\": 700}");
        await FollowAsync(page, "form[aria-label='Start a job'] button[type=submit]", @"/admin/jobs/\d+$");

        // The page polls the job and rewrites the progress in place; seen at least once before the end.
        var seen = new HashSet<string>();
        var state = await Eventually.ValueAsync(async () =>
        {
            seen.Add((await page.TextContentAsync("#job-progress"))!);
            await ShotAsync(page, "job-running");
            return await page.TextContentAsync("#job-state");
        }, shown => shown is "succeeded" or "failed" or "cancelled", TimeSpan.FromSeconds(60), "the job page to show that the job ended",
            shown => $"{shown}, progress seen: {string.Join(", ", seen)}");

        Assert.Equal("succeeded", state);
        Assert.Equal("6 / 6", await page.TextContentAsync("#job-progress"));
        Assert.Contains(seen, s => s != "6 / 6");
        Assert.True(await page.Locator("#job-log li").CountAsync() > 0, "no log lines");
        Assert.Equal("100%", await page.EvalOnSelectorAsync<string>("#job-bar", "bar => bar.style.width")); // set by our script, allowed by the policy
        lock (refused)
        {
            Assert.Empty(refused);
        }

        await ShotAsync(page, "job");

        var hangfire = await page.GotoAsync("/admin/jobs/hangfire/");
        Assert.Contains("/admin/denied", hangfire!.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScriptInInsightTextIsShownAsTextAndNeverRuns()
    {
        const string hostile = "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\"> when text is hostile";
        var id = await app.AddInsightAsync(hostile, hostile);
        var page = await SignInAsync(BrowserApp.AnalystName, BrowserApp.AnalystPassword);
        foreach (var path in new[] { $"/admin/insights/{id}", $"/admin/insights/{id}/edit", "/admin/insights?q=hostile", "/admin/review", $"/admin/review/{id}" })
        {
            await page.GotoAsync(path);
            Assert.True(await page.EvaluateAsync<bool>("() => window.__pwned === undefined"), $"script ran on {path}");
            var shown = await page.InnerTextAsync("main") + await InputsAsync(page);
            Assert.Contains("<script>window.__pwned = 1</script>", shown, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// Clicks and waits until the page it leads to has loaded. A click returns once the browser has it, and a form's
    /// post can still be on its way, so reading the library right after the click could see the old state.
    /// </summary>
    private static async Task FollowAsync(IPage page, string selector, string urlPattern)
    {
        await page.ClickAsync(selector);
        try
        {
            // A form's post and the page it leads to can take long on a loaded 2-core machine; this waits for that page, no longer.
            await page.WaitForURLAsync(new Regex(urlPattern), new() { Timeout = 90_000 });
        }
        catch (TimeoutException)
        {
            Assert.Fail($"the click on {selector} did not lead to a page matching {urlPattern}; " + await RefusalAsync(page));
        }
    }

    /// <summary>What the page says went wrong, for the failure message.</summary>
    private static async Task<string> RefusalAsync(IPage page) =>
        $"{page.Url}: " + string.Join(" | ", await page.Locator("[role=alert], .field-error").AllTextContentsAsync());

    private static async Task<string> InputsAsync(IPage page) =>
        string.Join('\n', await page.Locator("textarea").EvaluateAllAsync<string[]>("els => els.map(e => e.value)"));

    private async Task<int> CurrentVersionAsync(long id)
    {
        using var api = app.Api();
        return (await api.GetFromJsonAsync<JsonObject>($"/api/insights/{id}"))!["version"]!.GetValue<int>();
    }

    private async Task<IBrowserContext> NewContextAsync() => await chromium.Browser.NewContextAsync(new BrowserNewContextOptions
    {
        BaseURL = app.BaseUrl,
        ViewportSize = new ViewportSize { Width = 1366, Height = 860 },
    });

    private async Task<IPage> SignInAsync(string user, string password)
    {
        var page = await (await NewContextAsync()).NewPageAsync();
        await page.GotoAsync("/admin/login");
        await page.FillAsync("#userName", user);
        await page.FillAsync("#password", password);
        await FollowAsync(page, "button[type=submit]", "/admin$");
        Assert.Equal("Dashboard", await page.TextContentAsync("h1"));
        return page;
    }

    private static Task ShotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Chromium.ScreenshotDirectory, name + ".png"), FullPage = true });
}
