using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OptLib.Api.Web;
using OptLib.Library.Access;
using OptLib.Library.Storage;
using OptLib.Tests.Infrastructure;

namespace OptLib.Tests.Security;

/// <summary>What a browser is told about our pages: security headers, no inline script or style, and Secure cookies behind a TLS proxy.</summary>
public sealed partial class WebHardeningTests(OptLibApp app) : IClassFixture<OptLibApp>
{
    private static readonly string[] Pages =
    [
        "/admin/login", "/admin", "/admin/access", "/admin/insights", "/admin/interchange", "/admin/jobs", "/admin/problems",
        "/admin/problems/new", "/admin/review", "/admin/taxonomy", "/admin/taxonomy/edit", "/admin/denied", "/admin/snapshots",
    ];

    [Fact]
    public async Task EveryAdminPageSendsTheSecurityHeadersAndHasNoInlineScriptOrStyle()
    {
        var (_, _, session) = await AdminSession.SignInAsync(app, "admin", await app.ReadCredentialAsync("admin_password"));
        using var _ = session;

        foreach (var page in Pages)
        {
            using var response = await session.Client.GetAsync(page);
            var html = await response.Content.ReadAsStringAsync();

            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{page}: {(int)response.StatusCode}");
            Assert.Equal(SecurityHeaders.PagePolicy, Header(response, "Content-Security-Policy"));
            Assert.Contains("script-src 'self';", SecurityHeaders.PagePolicy, StringComparison.Ordinal);
            Assert.Contains("frame-ancestors 'none'", SecurityHeaders.PagePolicy, StringComparison.Ordinal);
            AssertCommonHeaders(response, page);
            Assert.True(html.Contains("<form", StringComparison.Ordinal) || html.Contains("<h1", StringComparison.Ordinal), page);
            // What the policy would block, so the page would break in a browser: inline script, handlers and styles.
            Assert.Empty(InlineScript().Matches(html).Select(m => $"{page}: {m.Value}"));
            Assert.Empty(InlineStyleOrHandler().Matches(html).Select(m => $"{page}: {m.Value}"));
        }
    }

    [Fact]
    public async Task ApiAnswersErrorsAndThirdPartyPagesAreNotSniffedOrFramed()
    {
        using var admin = app.Admin();
        foreach (var path in new[] { "/api/insights", "/api/insights/999999", "/health/live", "/admin/jobs/hangfire", "/scalar" })
        {
            using var response = await admin.GetAsync(path);

            Assert.True((int)response.StatusCode < 500, $"{path}: {(int)response.StatusCode}");
            AssertCommonHeaders(response, path);
            Assert.Contains("frame-ancestors 'none'", Header(response, "Content-Security-Policy"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task WithoutAConfiguredProxyAForwardedSchemeIsIgnored()
    {
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

        var cookie = await SignInCookieAsync(client, await app.ReadCredentialAsync("admin_password"), forwardedHttps: true);

        Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase);
    }

    private static void AssertCommonHeaders(HttpResponseMessage response, string path)
    {
        Assert.True(Header(response, "X-Content-Type-Options") == "nosniff", $"{path}: nosniff");
        Assert.True(Header(response, "X-Frame-Options") == "DENY", $"{path}: X-Frame-Options");
        Assert.True(Header(response, "Referrer-Policy") == "no-referrer", $"{path}: Referrer-Policy");
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : string.Empty;

    /// <summary>Signs in with a plain client (no cookie handling) and answers the sign-in cookie's Set-Cookie line.</summary>
    internal static async Task<string> SignInCookieAsync(HttpClient client, string password, bool forwardedHttps)
    {
        using var page = new HttpRequestMessage(HttpMethod.Get, "/admin/login");
        if (forwardedHttps)
        {
            page.Headers.Add("X-Forwarded-Proto", "https");
        }

        using var login = await client.SendAsync(page);
        var html = await login.Content.ReadAsStringAsync();
        var token = Token().Match(html).Groups[1].Value;
        var antiforgery = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("optlib.antiforgery=", StringComparison.Ordinal)).Split(';')[0];

        using var post = new HttpRequestMessage(HttpMethod.Post, "/admin/account/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["userName"] = "admin", ["password"] = password, ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
            }),
        };
        post.Headers.Add("Cookie", antiforgery);
        if (forwardedHttps)
        {
            post.Headers.Add("X-Forwarded-Proto", "https");
        }

        using var signedIn = await client.SendAsync(post);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        return signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("optlib.auth=", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"<script(?![^>]*\ssrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();

    [GeneratedRegex(@"<style[\s>]|\sstyle\s*=|\son[a-z]+\s*=\s*[""']|javascript:", RegexOptions.IgnoreCase)]
    private static partial Regex InlineStyleOrHandler();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}

/// <summary>The service on Kestrel at 127.0.0.1 behind a (loopback) TLS proxy whose forwarded headers it is told to believe.</summary>
public sealed class ProxiedApp : OptLibApp
{
    public ProxiedApp() => UseKestrel(options => options.Listen(IPAddress.Loopback, 0));

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["OptLib:ForwardedHeaders:Enabled"] = "true" };

    public HttpClient Plain() => new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false })
    {
        BaseAddress = new Uri(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()),
    };
}

public sealed class ForwardedHeadersTests(ProxiedApp app) : IClassFixture<ProxiedApp>
{
    [Fact]
    public async Task BehindAConfiguredTlsProxyTheSignInCookieIsSecure()
    {
        using var client = app.Plain();
        var password = await app.ReadCredentialAsync("admin_password");

        var proxied = await WebHardeningTests.SignInCookieAsync(client, password, forwardedHttps: true);
        var direct = await WebHardeningTests.SignInCookieAsync(client, password, forwardedHttps: false);

        Assert.Contains("; secure", proxied, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", direct, StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>A second API instance on the first one's database, as behind a load balancer.</summary>
public sealed class SecondInstance : OptLibApp
{
    private readonly string _connectionString;

    public SecondInstance(OptLibApp first)
    {
        _connectionString = first.Database.ConnectionString;
        // The first instance wrote the admin's credentials when it created the database; this one finds them made.
        File.Copy(Path.Combine(first.DataDirectory, AccessBootstrap.CredentialsFileName), Path.Combine(DataDirectory, AccessBootstrap.CredentialsFileName));
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("ConnectionStrings:OptLib", _connectionString);
    }
}

public sealed class SharedCookieKeysTests(OptLibApp first) : IClassFixture<OptLibApp>
{
    [Fact]
    public async Task TwoInstancesOnOneDatabaseAcceptEachOthersCookies()
    {
        await using var second = new SecondInstance(first);
        await ((Xunit.IAsyncLifetime)second).InitializeAsync();
        var password = await first.ReadCredentialAsync("admin_password");
        using var toFirst = first.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        using var toSecond = second.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

        var fromFirst = (await WebHardeningTests.SignInCookieAsync(toFirst, password, forwardedHttps: false)).Split(';')[0];
        var fromSecond = (await WebHardeningTests.SignInCookieAsync(toSecond, password, forwardedHttps: false)).Split(';')[0];

        Assert.Equal(HttpStatusCode.OK, await PageStatusAsync(toSecond, fromFirst));
        Assert.Equal(HttpStatusCode.OK, await PageStatusAsync(toFirst, fromSecond));
        Assert.Equal(HttpStatusCode.Redirect, await PageStatusAsync(toSecond, fromFirst[..^8] + "AAAAAAAA")); // a forged cookie is still refused

        // Both read one key ring, and it is the database's.
        var stored = await first.WithDbAsync(db => db.DataProtectionKeys.Select(k => k.FriendlyName!).ToListAsync());
        foreach (var instance in new OptLibApp[] { first, second })
        {
            var repository = instance.Services.GetRequiredService<IOptions<KeyManagementOptions>>().Value.XmlRepository;
            Assert.IsType<EntityFrameworkCoreXmlRepository<OptLibDbContext>>(repository);
            var keys = instance.Services.GetRequiredService<IKeyManager>().GetAllKeys().Select(k => "key-" + k.KeyId.ToString("D"));
            Assert.Equal(stored.Order(), keys.Order());
        }

        Assert.NotEmpty(stored);
    }

    private static async Task<HttpStatusCode> PageStatusAsync(HttpClient client, string cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/insights");
        request.Headers.Add("Cookie", cookie);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}
