using System.Net;
using System.Net.Http.Json;
using OptLib.Library.Access;
using OptLib.Tests.Infrastructure;

namespace OptLib.Tests.Foundation;

public sealed class AccessTests(OptLibApp app) : IClassFixture<OptLibApp>
{
    [Fact]
    public async Task ARequestWithoutAKeyIs401WithAChallenge()
    {
        using var client = app.ClientWithKey(null);
        var response = await client.GetAsync("/api/keys");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("X-Api-Key", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownKeyIs401()
    {
        using var client = app.ClientWithKey("olk_" + new string('x', 40));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/keys")).StatusCode);
    }

    [Fact]
    public async Task AViewerKeyOnAMutatingRouteIs403()
    {
        using var viewer = app.ClientWithKey(await app.CreateKeyAsync(Role.Viewer));
        var response = await viewer.PostAsJsonAsync("/api/keys", new { name = "escalation", role = "admin" });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var keys = await app.WithDbAsync(db => Task.FromResult(db.ApiKeys.Count(k => k.Name == "escalation")));
        Assert.Equal(0, keys);
    }

    [Fact]
    public async Task ARevokedKeyStopsWorking()
    {
        var secret = await app.CreateKeyAsync(Role.Analyst);
        using var admin = app.Admin();
        var keys = await admin.GetFromJsonAsync<List<ApiKeyDto>>("/api/keys");
        var key = keys!.Single(k => secret.StartsWith(k.Prefix, StringComparison.Ordinal) && k.Role == "analyst");
        Assert.Equal(HttpStatusCode.OK, (await admin.DeleteAsync($"/api/keys/{key.Id}")).StatusCode);

        using var revoked = app.ClientWithKey(secret);
        Assert.Equal(HttpStatusCode.Unauthorized, (await revoked.GetAsync("/api/keys")).StatusCode);
    }

    [Fact]
    public async Task CreatingAKeyWithAnUnknownRoleIs400AndCreatesNothing()
    {
        using var admin = app.Admin();
        var before = await app.WithDbAsync(db => Task.FromResult(db.ApiKeys.Count()));
        var response = await admin.PostAsJsonAsync("/api/keys", new { name = "", role = "superuser" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<Microsoft.AspNetCore.Mvc.ValidationProblemDetails>();
        Assert.Contains("Role", problem!.Errors.Keys);
        Assert.Contains("Name", problem.Errors.Keys);
        Assert.Equal(before, await app.WithDbAsync(db => Task.FromResult(db.ApiKeys.Count())));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void TheCredentialsFileIsReadableByItsOwnerOnly()
    {
        var path = Path.Combine(app.DataDirectory, AccessBootstrap.CredentialsFileName);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.StartsWith("olk_", app.AdminKey, StringComparison.Ordinal);
    }
}
