namespace OptLib.Api.Web;

/// <summary>
/// Headers every answer carries: no MIME sniffing, no referrer, no framing, and a content security policy that lets
/// pages run only our own script and stylesheet (the admin UI has no inline script or style). The job dashboard and
/// the API reference are third-party pages built on inline script, so they get the framing rule only.
/// </summary>
public static class SecurityHeaders
{
    public const string PagePolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
        + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public const string ThirdPartyPagePolicy = "frame-ancestors 'none'; object-src 'none'; base-uri 'self'";

    private static readonly PathString[] ThirdPartyPages = [Admin.AdminUi.HangfirePath, "/scalar"];

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        var headers = http.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.ContentSecurityPolicy = ThirdPartyPages.Any(p => http.Request.Path.StartsWithSegments(p)) ? ThirdPartyPagePolicy : PagePolicy;
        return next(http);
    });
}
