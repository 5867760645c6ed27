using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OptLib.Tests.Infrastructure;

namespace OptLib.Tests.Foundation;

/// <summary>Walks every endpoint the service maps and proves that none answers a caller without a key.</summary>
public sealed class RouteTableTests(OptLibApp app) : IClassFixture<OptLibApp>
{
    /// <summary>The only routes meant to be open: health, the API documentation and the admin UI's sign-in.</summary>
    private static readonly HashSet<string> OpenRoutes = ["/health/live", "/health/ready", "/openapi/{documentName}.json", "/admin/login", "/admin/account/login"];

    /// <summary>Scalar's page and its static assets.</summary>
    private const string OpenPrefix = "/scalar";

    [Fact]
    public async Task EveryRouteButTheOpenOnesRefusesACallerWithoutAKey()
    {
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        Assert.True(endpoints.Count >= 5, "the endpoint table looks empty");

        using var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var checkedRoutes = new HashSet<string>();
        foreach (var endpoint in endpoints)
        {
            var pattern = endpoint.RoutePattern.RawText ?? string.Empty;
            var anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            if (anonymous)
            {
                var route = "/" + pattern.TrimStart('/');
                Assert.True(OpenRoutes.Contains(route) || route.StartsWith(OpenPrefix, StringComparison.Ordinal), $"{pattern} is open to anyone but is not on the list of open routes");
                continue;
            }

            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            foreach (var method in methods)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), Concrete(pattern));
                if (method is "POST" or "PUT" or "PATCH")
                {
                    request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
                }

                var response = await client.SendAsync(request);
                if (method == "GET" && pattern.StartsWith("/admin", StringComparison.Ordinal))
                {
                    // A page of the admin UI sends a browser to the sign-in instead.
                    Assert.True(response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location?.AbsolutePath == "/admin/login",
                        $"GET {pattern} answered {(int)response.StatusCode} {response.Headers.Location} without a sign-in");
                }
                else
                {
                    Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {pattern} answered {(int)response.StatusCode} without a key");
                }

                checkedRoutes.Add($"{method} {pattern.TrimEnd('/')}");
            }
        }

        Assert.True(checkedRoutes.Count >= 3, "no protected route was checked");
        Assert.Contains("POST /mcp", checkedRoutes); // the MCP server is behind the same keys
    }

    [Fact]
    public async Task TheApiDocumentIsOpenAndDescribesTheProtectedRoutes()
    {
        using var client = app.ClientWithKey(null);
        var response = await client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(document.GetProperty("paths").TryGetProperty("/api/keys", out _), "the OpenAPI document does not list /api/keys");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/scalar")).StatusCode);
    }

    [Fact]
    public async Task EveryApiRouteDocumentsItsErrorResponsesAndEveryBodyAnExample()
    {
        using var client = app.ClientWithKey(null);
        var paths = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json")).RootElement.GetProperty("paths");
        var faults = new List<string>();
        var writes = 0;
        foreach (var endpoint in app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = "/" + (endpoint.RoutePattern.RawText ?? string.Empty).Trim('/');
            if (!pattern.StartsWith("/api/", StringComparison.Ordinal))
            {
                continue;
            }

            // The document writes "/api/insights/{id:long}/" as "/api/insights/{id}".
            var path = System.Text.RegularExpressions.Regex.Replace(pattern, @"\{([^}:?]+)[^}]*\}", "{$1}");
            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            {
                if (!paths.TryGetProperty(path, out var item) || !item.TryGetProperty(method.ToLowerInvariant(), out var operation))
                {
                    faults.Add($"{method} {path} is not in the document");
                    continue;
                }

                var documented = operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToHashSet();
                var required = new List<string> { "401" };
                var write = method is "POST" or "PUT" or "PATCH" or "DELETE";
                if (write)
                {
                    writes++;
                    required.Add("400");
                }

                // Any key is at least a viewer, so only a route that asks for more can be refused with 403.
                if (endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy is "analyst" or "admin"))
                {
                    required.Add("403");
                }

                if (endpoint.RoutePattern.GetParameter("id") is not null)
                {
                    required.Add("404");
                }

                faults.AddRange(required.Where(r => !documented.Contains(r)).Select(r => $"{method} {path} does not document {r}"));
                if (operation.TryGetProperty("requestBody", out var body) && body.GetProperty("content").TryGetProperty("application/json", out var json)
                    && !json.TryGetProperty("example", out _))
                {
                    faults.Add($"{method} {path} has no request example");
                }
            }
        }

        Assert.True(writes >= 15, $"only {writes} write routes found");
        Assert.Empty(faults);
        var forbidden = paths.GetProperty("/api/keys").GetProperty("post").GetProperty("responses").GetProperty("403").GetProperty("description").GetString();
        Assert.Contains("needs admin", forbidden, StringComparison.Ordinal);
    }

    /// <summary>Fills route parameters with plausible values ("/api/keys/{id:long}" becomes "/api/keys/1").</summary>
    private static string Concrete(string pattern) =>
        "/" + System.Text.RegularExpressions.Regex.Replace(pattern.TrimStart('/'), @"\{\*?\*?([^}:?]+)[^}]*\}", "1");
}
