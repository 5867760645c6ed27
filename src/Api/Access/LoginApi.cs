using Mediator;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using OptLib.Library.Access;

namespace OptLib.Api.Access;

/// <summary>
/// Sign-in and sign-out for the admin UI: plain form posts with an anti-forgery token, answered by redirects. Failed
/// sign-ins are rate-limited per user name and client address, so guessing one account's password is slow, one
/// address cannot lock out everybody else, and people who type their password right are never slowed down.
/// </summary>
public static class LoginApi
{
    public const string LoginRoute = "/admin/account/login";
    public const string LogoutRoute = "/admin/account/logout";
    /// <summary>Failed attempts per user name and address in one window; the next attempt waits for the window to end.</summary>
    public const int AttemptsPerWindow = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    internal static IHostApplicationBuilder AddLoginRateLimit(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<LoginThrottle>();
        return builder;
    }

    /// <summary>
    /// The REST API also accepts the sign-in cookie (the UI downloads exports and polls jobs with it). A change made
    /// with the cookie must then carry the anti-forgery token too, as the UI's own forms do; SameSite=Strict already
    /// keeps other sites' requests from carrying the cookie, and this holds even where a browser ignores it.
    /// </summary>
    public static WebApplication UseCookieApiAntiforgery(this WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            if (http.Request.Path.StartsWithSegments("/api")
                && !(HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) || HttpMethods.IsOptions(http.Request.Method))
                && http.User.Identity is { IsAuthenticated: true, AuthenticationType: AdminCookie.SchemeName }
                && !await http.RequestServices.GetRequiredService<Microsoft.AspNetCore.Antiforgery.IAntiforgery>().IsRequestValidAsync(http))
            {
                http.Response.StatusCode = StatusCodes.Status400BadRequest;
                await http.Response.WriteAsJsonAsync(new Microsoft.AspNetCore.Mvc.ProblemDetails
                {
                    Status = StatusCodes.Status400BadRequest,
                    Title = "A change made with the sign-in cookie needs the anti-forgery token.",
                    Detail = "Send the X-Api-Key header instead, or post from the admin UI.",
                }, options: null, contentType: "application/problem+json");
                return;
            }

            await next(http);
        });
        return app;
    }

    public static IEndpointRouteBuilder MapLoginApi(this IEndpointRouteBuilder app)
    {
        app.MapPost(LoginRoute, async ([FromForm] string? userName, [FromForm] string? password, [FromForm] string? returnUrl,
                HttpContext http, ISender sender, LoginThrottle throttle, CancellationToken ct) =>
            {
                var key = LoginThrottle.Key(http, userName);
                if (throttle.IsBlocked(key))
                {
                    http.Response.Headers.RetryAfter = ((int)Window.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    return Results.Redirect(AdminCookie.LoginPath + "?error=throttled&userName=" + Uri.EscapeDataString(userName ?? string.Empty));
                }

                if (await sender.Send(new SignInUser(userName, password), ct) is not { } user)
                {
                    throttle.RecordFailure(key);
                    return Results.Redirect(AdminCookie.LoginPath + "?error=invalid&userName=" + Uri.EscapeDataString(userName ?? string.Empty));
                }

                await http.SignInAsync(AdminCookie.SchemeName, AdminCookie.Principal(user));
                return Results.Redirect(LocalAdminUrl(returnUrl));
            })
            .AllowAnonymous()
            .ExcludeFromDescription();

        app.MapPost(LogoutRoute, async (HttpContext http, Microsoft.AspNetCore.Antiforgery.IAntiforgery antiforgery) =>
            {
                if (!await antiforgery.IsRequestValidAsync(http))
                {
                    return Results.BadRequest();
                }

                await http.SignOutAsync(AdminCookie.SchemeName);
                return Results.Redirect(AdminCookie.LoginPath);
            })
            .ExcludeFromDescription();

        return app;
    }

    /// <summary>Only a path inside the admin UI is a place to return to; anything else (another site) goes to the dashboard.</summary>
    public static string LocalAdminUrl(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && url.StartsWith("/admin", StringComparison.Ordinal) && !url.Contains('\\', StringComparison.Ordinal)
            && !url.StartsWith("/admin/account", StringComparison.Ordinal) && Uri.IsWellFormedUriString(url, UriKind.Relative)
            ? url
            : "/admin";
}
