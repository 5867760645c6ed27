using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using OptLib.Tests.Infrastructure;

namespace OptLib.Tests.Security;

/// <summary>A signed-in browser, over HTTP: the sign-in cookie, the anti-forgery cookie, and the token read from a page.</summary>
internal sealed partial class AdminSession(HttpClient client) : IDisposable
{
    public HttpClient Client { get; } = client;

    public static async Task<(HttpStatusCode Status, string? Location, AdminSession Session)> SignInAsync(OptLibApp app, string user, string password)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var session = new AdminSession(client);
        var token = await session.TokenAsync("/admin/login");
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["userName"] = user, ["password"] = password, ["__RequestVerificationToken"] = token,
        });
        var response = await client.PostAsync("/admin/account/login", form);
        return (response.StatusCode, response.Headers.Location?.ToString(), session);
    }

    /// <summary>The anti-forgery token of a page's first form.</summary>
    public async Task<string> TokenAsync(string page)
    {
        var html = await Client.GetStringAsync(page);
        return TokenPattern().Match(html) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException($"{page} has no anti-forgery token");
    }

    public void Dispose() => Client.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
