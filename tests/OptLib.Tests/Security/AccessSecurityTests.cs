using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Mediator;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OptLib.Api.Access;
using OptLib.Library.Access;
using OptLib.Tests.Infrastructure;

namespace OptLib.Tests.Security;

/// <summary>
/// Every endpoint that changes something, found by walking the endpoint table: without a key it is 401, with a viewer's
/// key 403, and an admin's form post without the anti-forgery token is 400. Sign-in is rate-limited, and hostile
/// insight text is shown as text.
/// </summary>
public sealed class AccessSecurityTests(OptLibApp app) : IClassFixture<OptLibApp>
{
    private static readonly string[] Unsafe = ["POST", "PUT", "PATCH", "DELETE"];

    /// <summary>
    /// The changing REST endpoints a viewer may call: read-only retrieval, and the MCP endpoint, whose tools check their
    /// own roles (Mcp/McpServerTests: a viewer cannot call solve_problem). (Pages of the admin UI open to viewers take
    /// form posts only for the forms they show; a viewer's post to an analyst's form there is tested below.)
    /// </summary>
    private static readonly HashSet<string> ViewerMayCall = ["POST /api/library/retrieve", "POST /admin/account/logout", "POST /mcp/"];

    [Fact]
    public async Task EveryChangingEndpointRefusesNoKeyAndAViewersKey()
    {
        var viewerKey = await app.CreateKeyAsync(Role.Viewer);
        using var anonymous = app.ClientWithKey(null);
        using var viewer = app.ClientWithKey(viewerKey);
        var checkedEndpoints = 0;
        var viewerLevel = new HashSet<string>();
        foreach (var (method, pattern, endpoint) in ChangingEndpoints())
        {
            using (var request = Request(method, pattern))
            {
                var response = await anonymous.SendAsync(request);
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {pattern} answered {(int)response.StatusCode} without a key");
            }

            if (!NeedsMoreThanViewer(endpoint))
            {
                if (!IsPage(endpoint))
                {
                    viewerLevel.Add($"{method} {pattern}");
                }

                continue;
            }

            using (var request = Request(method, pattern))
            {
                var response = await viewer.SendAsync(request);
                Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{method} {pattern} answered {(int)response.StatusCode} to a viewer's key");
            }

            checkedEndpoints++;
        }

        Assert.True(checkedEndpoints >= 15, $"only {checkedEndpoints} endpoints were checked");
        Assert.Equal(ViewerMayCall.Order(StringComparer.Ordinal), viewerLevel.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AnAdminsFormPostWithoutTheAntiforgeryTokenIsRefused()
    {
        var (_, _, session) = await AdminSession.SignInAsync(app, "admin", await app.ReadCredentialAsync("admin_password"));
        using (session)
        {
            // Hangfire's dashboard checks its own token (answering 403), so it is not among the forms here.
            var pages = ChangingEndpoints()
                .Where(e => e.Method == "POST" && e.Pattern.StartsWith("/admin", StringComparison.Ordinal) && !e.Pattern.StartsWith("/admin/jobs/hangfire", StringComparison.Ordinal))
                .ToList();
            Assert.True(pages.Count >= 12, $"only {pages.Count} admin forms found");
            foreach (var (method, pattern, _) in pages)
            {
                using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["_handler"] = "edit", ["userName"] = "admin", ["password"] = "x" });
                var response = await session.Client.PostAsync(Concrete(pattern), form);
                Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{method} {pattern} answered {(int)response.StatusCode} to a form without the token");
            }

            // The REST API with the cookie instead of a key: a change needs the token too.
            var created = await session.Client.PostAsJsonAsync("/api/keys", new { name = "forged", role = "admin" });
            Assert.Equal(HttpStatusCode.BadRequest, created.StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await session.Client.GetAsync("/api/keys")).StatusCode);
            using var admin = app.Admin();
            Assert.DoesNotContain("forged", await admin.GetStringAsync("/api/keys"), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("/admin/jobs", "start", "Start.Kind=selftest&Start.Parameters={}")]
    [InlineData("/admin/interchange", "tasks", "dataset=forged&split=train")]
    public async Task AViewersFormPostWithAValidTokenOnAPageOpenToViewersIsRefused(string page, string form, string fields)
    {
        var name = "viewer-" + form;
        await AddUserAsync(name, "viewer-password-2", Roles.Viewer);
        var (_, _, session) = await AdminSession.SignInAsync(app, name, "viewer-password-2");
        using (session)
        {
            var token = await session.TokenAsync(page);
            using var content = new StringContent($"_handler={form}&__RequestVerificationToken={Uri.EscapeDataString(token)}&{fields}",
                System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");
            var response = await session.Client.PostAsync(page, content);

            // The form is not shown to viewers, so the page does not take it (400); were it shown, the page refuses the role (403).
            Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Forbidden, $"{page} answered {(int)response.StatusCode}");
            using var admin = app.Admin();
            Assert.Equal(0, (await admin.GetFromJsonAsync<JsonObject>("/api/jobs"))!["total"]!.GetValue<int>());
            Assert.False(await app.WithDbAsync(db => db.Problems.AnyAsync(p => p.Dataset == "forged")), "a viewer imported tasks");
        }
    }

    [Fact]
    public async Task FiveAdminsAddingTheSameUserAtOnceGetOneUserAndFourPagesThatSaySo()
    {
        var (_, _, session) = await AdminSession.SignInAsync(app, "admin", await app.ReadCredentialAsync("admin_password"));
        using (session)
        {
            var token = Uri.EscapeDataString(await session.TokenAsync("/admin/access"));
            var posts = Enumerable.Range(0, 5).Select(async _ =>
            {
                using var content = new StringContent(
                    $"_handler=create-user&__RequestVerificationToken={token}&NewUser.UserName=Racer&NewUser.Password=racer-password-1&NewUser.Role=viewer",
                    System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");
                using var response = await session.Client.PostAsync("/admin/access", content);
                return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, Html: await response.Content.ReadAsStringAsync());
            });
            var answers = await Task.WhenAll(posts);

            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict, HttpStatusCode.Conflict, HttpStatusCode.Conflict, HttpStatusCode.Conflict],
                answers.Select(a => a.StatusCode).Order());
            Assert.All(answers, a => Assert.Equal("text/html", a.MediaType)); // the page, with its message, never an error body
            Assert.All(answers.Where(a => a.StatusCode == HttpStatusCode.Conflict),
                a => Assert.Contains("There is already a user named", WebUtility.HtmlDecode(a.Html), StringComparison.Ordinal));
            Assert.Equal(1, await app.WithDbAsync(db => db.Users.CountAsync(u => u.NormalizedUserName == Users.Normalize("racer"))));
        }
    }

    [Fact]
    public async Task RepeatedFailedSignInsAreThrottledEvenForTheRightPassword()
    {
        await AddUserAsync("throttled", "right-password-1", Roles.Analyst);
        for (var i = 0; i < LoginApi.AttemptsPerWindow; i++)
        {
            var (status, location, session) = await AdminSession.SignInAsync(app, "throttled", "wrong password");
            session.Dispose();
            Assert.Equal(HttpStatusCode.Redirect, status);
            Assert.Contains("error=invalid", location, StringComparison.Ordinal);
        }

        var (_, throttled, last) = await AdminSession.SignInAsync(app, "throttled", "right-password-1");
        last.Dispose();
        Assert.Contains("error=throttled", throttled, StringComparison.Ordinal);

        // Another user from the same address is not locked out.
        var (_, other, admin) = await AdminSession.SignInAsync(app, "admin", await app.ReadCredentialAsync("admin_password"));
        admin.Dispose();
        Assert.Equal("/admin", other);
    }

    [Fact]
    public async Task InsightTextWithMarkupIsEncodedOnEveryPageThatShowsIt()
    {
        const string hostile = "<script>window.__pwned = 1</script> hostile text";
        using var api = app.Admin();
        var taxonomy = await api.GetFromJsonAsync<JsonArray>("/api/taxonomy");
        var leaf = taxonomy![0]!["children"]![0]!["children"]![0]!["id"]!.GetValue<long>();
        var response = await api.PostAsJsonAsync("/api/insights", new { condition = hostile, explanation = hostile, example = hostile, taxonomyNodeIds = new[] { leaf }, reason = hostile });
        response.EnsureSuccessStatusCode();
        var id = (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<long>();

        var (_, _, session) = await AdminSession.SignInAsync(app, "admin", await app.ReadCredentialAsync("admin_password"));
        using (session)
        {
            foreach (var page in new[] { $"/admin/insights/{id}", $"/admin/insights/{id}/edit", "/admin/insights?q=hostile", "/admin/review", $"/admin/review/{id}" })
            {
                var html = await session.Client.GetStringAsync(page);
                Assert.DoesNotContain("<script>window", html, StringComparison.Ordinal);
                Assert.Contains("&lt;script&gt;window.__pwned = 1&lt;/script&gt;", html, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task TheFirstStartWritesTheAdminPasswordBesideTheKey()
    {
        // The file's owner-only mode is checked in Foundation/AccessTests.
        Assert.Equal("admin", await app.ReadCredentialAsync("admin_user"));
        Assert.StartsWith("olk_", await app.ReadCredentialAsync("admin_api_key"), StringComparison.Ordinal);
        var (status, location, session) = await AdminSession.SignInAsync(app, "admin", await app.ReadCredentialAsync("admin_password"));
        session.Dispose();
        Assert.Equal((HttpStatusCode.Redirect, "/admin"), (status, location));
    }

    [Fact]
    public async Task ADisabledUserIsSignedOutOnTheNextRequestAndTheLastAdminStays()
    {
        await AddUserAsync("leaving", "leaving-password-1", Roles.Analyst);
        var (_, _, session) = await AdminSession.SignInAsync(app, "leaving", "leaving-password-1");
        using (session)
        {
            Assert.Equal(HttpStatusCode.OK, (await session.Client.GetAsync("/admin/review")).StatusCode);
            await using var scope = app.Services.CreateAsyncScope();
            var sender = scope.ServiceProvider.GetRequiredService<ISender>();
            var users = await sender.Send(new ListUsers());
            await sender.Send(new UpdateUser(users.Single(u => u.UserName == "leaving").Id, Roles.Analyst, Disabled: true, null, "user:admin"));

            var after = await session.Client.GetAsync("/admin/review");
            Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
            Assert.Equal("/admin/login", after.Headers.Location!.AbsolutePath);

            var admin = users.Single(u => u.UserName == "admin");
            var demote = await Assert.ThrowsAsync<OptLib.Library.Validation.ConflictException>(
                async () => await sender.Send(new UpdateUser(admin.Id, Roles.Viewer, Disabled: false, null, "user:admin")));
            Assert.Contains("only enabled admin", demote.Message, StringComparison.Ordinal);
            Assert.True(await app.WithDbAsync(db => db.AuditLog.AnyAsync(a => a.EntityType == "user" && a.Action == "update" && a.Actor == "user:admin")));
        }
    }

    private async Task AddUserAsync(string name, string password, string role)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ISender>().Send(new CreateUser(name, password, role, "test"));
    }

    private IEnumerable<(string Method, string Pattern, RouteEndpoint Endpoint)> ChangingEndpoints() =>
        app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is null)
            // An endpoint without method metadata (Hangfire's dashboard) takes every method.
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? Unsafe).Intersect(Unsafe)
                .Select(m => (m, "/" + (e.RoutePattern.RawText ?? string.Empty).TrimStart('/'), e)));

    private static bool IsPage(RouteEndpoint endpoint) =>
        endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Components.Endpoints.ComponentTypeMetadata>() is not null;

    /// <summary>Whether the endpoint's own policies (not the fallback) ask for analyst or admin.</summary>
    private static bool NeedsMoreThanViewer(RouteEndpoint endpoint) =>
        endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy is AccessPolicies.Analyst or AccessPolicies.Admin);

    private static HttpRequestMessage Request(string method, string pattern) => new(new HttpMethod(method), Concrete(pattern))
    {
        Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json"),
    };

    private static string Concrete(string pattern) =>
        System.Text.RegularExpressions.Regex.Replace(pattern, @"\{\*?\*?([^}:?]+)[^}]*\}", "1");
}
