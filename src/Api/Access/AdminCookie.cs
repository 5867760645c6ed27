using System.Globalization;
using System.Security.Claims;
using Mediator;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using OptLib.Library.Access;

namespace OptLib.Api.Access;

/// <summary>
/// The admin UI's sign-in cookie. Pages that need a sign-in redirect to /admin/login; everything else (the REST
/// API) answers 401 or 403 and never redirects. The user is looked up again on every request, so disabling a user
/// or changing their role takes effect at once.
/// </summary>
internal static class AdminCookie
{
    public const string SchemeName = "AdminCookie";
    public const string LoginPath = "/admin/login";
    public const string DeniedPath = "/admin/denied";

    public static void Configure(CookieAuthenticationOptions options)
    {
        options.Cookie.Name = "optlib.auth";
        options.Cookie.HttpOnly = true;
        options.Cookie.SameSite = SameSiteMode.Strict; // no cross-site request carries it, so the REST API's cookie use cannot be forged
        options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        options.ExpireTimeSpan = TimeSpan.FromHours(8);
        options.SlidingExpiration = true;
        options.LoginPath = LoginPath;
        options.AccessDeniedPath = DeniedPath;
        options.Events.OnRedirectToLogin = context => Answer(context, StatusCodes.Status401Unauthorized);
        options.Events.OnRedirectToAccessDenied = context => Answer(context, StatusCodes.Status403Forbidden);
        options.Events.OnValidatePrincipal = RefreshAsync;
    }

    public static ClaimsPrincipal Principal(UserDto user) => new(new ClaimsIdentity(
    [
        new Claim(ClaimTypes.NameIdentifier, "user:" + user.Id.ToString(CultureInfo.InvariantCulture)),
        new Claim(ClaimTypes.Name, "user:" + user.UserName),
        new Claim(ClaimTypes.Role, user.Role),
    ], SchemeName));

    /// <summary>A page read in a browser is sent to the sign-in (or the "not allowed") page; anything else gets the status.</summary>
    private static Task Answer(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        var request = context.Request;
        if (request.Path.StartsWithSegments("/admin") && HttpMethods.IsGet(request.Method))
        {
            context.Response.Redirect(context.RedirectUri);
            return Task.CompletedTask;
        }

        context.Response.StatusCode = status;
        if (status == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = $"{ApiKeyAuthentication.SchemeName} header=\"{ApiKeyAuthentication.Header}\"";
        }

        return Task.CompletedTask;
    }

    private static async Task RefreshAsync(CookieValidatePrincipalContext context)
    {
        var id = context.Principal?.FindFirstValue(ClaimTypes.NameIdentifier);
        var sender = context.HttpContext.RequestServices.GetRequiredService<ISender>();
        if (id is null || !id.StartsWith("user:", StringComparison.Ordinal)
            || !long.TryParse(id.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var userId)
            || await sender.Send(new GetActiveUser(userId), context.HttpContext.RequestAborted) is not { } user)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(SchemeName);
            return;
        }

        if (!context.Principal!.IsInRole(user.Role))
        {
            context.ReplacePrincipal(Principal(user));
            context.ShouldRenew = true;
        }
    }
}
