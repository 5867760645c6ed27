using System.Threading.RateLimiting;
using Mediator;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using OptLib.Library.Access;

namespace OptLib.Api.Access;

/// <summary>
/// Sign-in and sign-out for the admin UI: plain form posts with an anti-forgery token, answered by redirects. Sign-in
/// attempts are rate-limited per user name and client address, so guessing one account's password is slow and one
/// address cannot lock out everybody else.
/// </summary>
public static class LoginApi
{
    public const string LoginRoute = "/admin/account/login";
    public const string LogoutRoute = "/admin/account/logout";
    private const string LoginPolicy = "login";

    /// <summary>Attempts per user name and address in one window.</summary>
    public const int AttemptsPerWindow = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    internal static IHostApplicationBuilder AddLoginRateLimit(this IHostApplicationBuilder builder)
    {
        builder.Services.AddRateLimiter(options =>
        {
            options.AddPolicy(LoginPolicy, http => RateLimitPartition.GetFixedWindowLimiter(
                $"{http.Connection.RemoteIpAddress}|{Users.Normalize(http.Request.Form["userName"].ToString())}",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = AttemptsPerWindow, Window = Window, QueueLimit = 0 }));
            options.OnRejected = (context, _) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = ((int)Window.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
                context.HttpContext.Response.Redirect(AdminCookie.LoginPath + "?error=throttled");
                return ValueTask.CompletedTask;
            };
        });
        return builder;
    }

    /// <summary>
    /// The rate limiter partitions by the posted user name, and its partition function cannot await; the sign-in form
    /// is small, so it is read (and buffered by the framework) before the limiter runs.
    /// </summary>
    public static WebApplication UseLoginRateLimit(this WebApplication app)
    {
        app.UseWhen(http => HttpMethods.IsPost(http.Request.Method) && http.Request.Path == LoginRoute && http.Request.HasFormContentType,
            branch => branch.Use(async (http, next) =>
            {
                await http.Request.ReadFormAsync(http.RequestAborted);
                await next(http);
            }));
        app.UseRateLimiter();
        return app;
    }

    public static IEndpointRouteBuilder MapLoginApi(this IEndpointRouteBuilder app)
    {
        app.MapPost(LoginRoute, async ([FromForm] string? userName, [FromForm] string? password, [FromForm] string? returnUrl,
                HttpContext http, ISender sender, CancellationToken ct) =>
            {
                if (await sender.Send(new SignInUser(userName, password), ct) is not { } user)
                {
                    return Results.Redirect(AdminCookie.LoginPath + "?error=invalid&userName=" + Uri.EscapeDataString(userName ?? string.Empty));
                }

                await http.SignInAsync(AdminCookie.SchemeName, AdminCookie.Principal(user));
                return Results.Redirect(LocalAdminUrl(returnUrl));
            })
            .AllowAnonymous()
            .RequireRateLimiting(LoginPolicy)
            .ExcludeFromDescription();

        app.MapPost(LogoutRoute, async (HttpContext http) =>
            {
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
