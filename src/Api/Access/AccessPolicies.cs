using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using OptLib.Library.Access;

namespace OptLib.Api.Access;

/// <summary>
/// Three policies named after the roles. Every endpoint needs at least a viewer (the fallback policy), so a route
/// someone forgets to protect is closed, not open. A request is authenticated by its X-Api-Key header when it has
/// one and by the admin UI's sign-in cookie otherwise, so the same policies guard the REST API and the pages
/// (docs/decisions/0010-admin-ui-access.md).
/// </summary>
public static class AccessPolicies
{
    public const string Viewer = Roles.Viewer;
    public const string Analyst = Roles.Analyst;
    public const string Admin = Roles.Admin;

    /// <summary>The policy scheme that picks the key or the cookie for each request.</summary>
    public const string SchemeName = "OptLib";

    public static IHostApplicationBuilder AddAccessControl(this IHostApplicationBuilder builder)
    {
        builder.Services.AddAuthentication(SchemeName)
            .AddPolicyScheme(SchemeName, "API key or sign-in cookie", options => options.ForwardDefaultSelector = http =>
                http.Request.Headers.ContainsKey(ApiKeyAuthentication.Header) ? ApiKeyAuthentication.SchemeName : AdminCookie.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null)
            .AddCookie(AdminCookie.SchemeName, AdminCookie.Configure);

        var viewer = Require(Role.Viewer);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Viewer, viewer)
            .AddPolicy(Analyst, Require(Role.Analyst))
            .AddPolicy(Admin, Require(Role.Admin))
            .SetFallbackPolicy(viewer);
        builder.Services.AddAntiforgery(options => options.Cookie.Name = "optlib.antiforgery");
        builder.AddLoginRateLimit();
        builder.AddCookieKeys();
        return builder;
    }

    private static AuthorizationPolicy Require(Role role) => new AuthorizationPolicyBuilder()
        .RequireAuthenticatedUser()
        .RequireRole(Roles.AtLeast(role))
        .Build();

    /// <summary>Who did it, for audit records and versions: "key:name" or "user:name".</summary>
    public static string Actor(this ClaimsPrincipal user) =>
        user.Identity?.Name ?? "anonymous";

    /// <summary>Whether the signed-in caller has at least this role (for showing or hiding controls).</summary>
    public static bool Can(this ClaimsPrincipal user, Role role) =>
        user.Identity?.IsAuthenticated == true && Roles.AtLeast(role).Any(user.IsInRole);
}
