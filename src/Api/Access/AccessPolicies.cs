using Microsoft.AspNetCore.Authorization;
using OptLib.Library.Access;

namespace OptLib.Api.Access;

/// <summary>
/// Three policies named after the roles. Every endpoint needs at least a viewer (the fallback policy), so a route
/// someone forgets to protect is closed, not open.
/// </summary>
public static class AccessPolicies
{
    public const string Viewer = Roles.Viewer;
    public const string Analyst = Roles.Analyst;
    public const string Admin = Roles.Admin;

    public static IHostApplicationBuilder AddAccessControl(this IHostApplicationBuilder builder)
    {
        builder.Services.AddAuthentication(ApiKeyAuthentication.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null);

        var viewer = Require(Role.Viewer);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Viewer, viewer)
            .AddPolicy(Analyst, Require(Role.Analyst))
            .AddPolicy(Admin, Require(Role.Admin))
            .SetFallbackPolicy(viewer);
        return builder;
    }

    private static AuthorizationPolicy Require(Role role) => new AuthorizationPolicyBuilder()
        .RequireAuthenticatedUser()
        .RequireRole(Roles.AtLeast(role))
        .Build();

    /// <summary>Who did it, for audit records and versions: "key:name" or "user:name".</summary>
    public static string Actor(this System.Security.Claims.ClaimsPrincipal user) =>
        user.Identity?.Name ?? "anonymous";
}
