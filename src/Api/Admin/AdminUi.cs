using Hangfire;
using OptLib.Api.Access;

namespace OptLib.Api.Admin;

/// <summary>
/// The admin UI: Blazor components rendered on the server (static SSR), with plain form posts and our own small
/// stylesheet and script. Pages send the same Mediator requests as the REST API.
/// </summary>
public static class AdminUi
{
    public const string HangfirePath = "/admin/jobs/hangfire";

    public static IHostApplicationBuilder AddAdminUi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents();
        return builder;
    }

    public static WebApplication MapAdminUi(this WebApplication app)
    {
        app.MapRazorComponents<App>();
        app.MapHangfireDashboardForAdmins();
        return app;
    }

    /// <summary>
    /// Requests the dashboard would fail on with an exception rather than an answer: its statistics read a form, so
    /// they are POSTs with one; and a job id is a number in our storage.
    /// </summary>
    private static int? DashboardRefuses(HttpRequest request, string? path)
    {
        if (path is "stats" && !(HttpMethods.IsPost(request.Method) && request.HasFormContentType))
        {
            return HttpMethods.IsPost(request.Method) ? StatusCodes.Status415UnsupportedMediaType : StatusCodes.Status405MethodNotAllowed;
        }

        return path?.StartsWith("jobs/details/", StringComparison.Ordinal) == true && !path["jobs/details/".Length..].All(char.IsAsciiDigit)
            ? StatusCodes.Status404NotFound
            : null;
    }

    /// <summary>
    /// Hangfire's dashboard for admins, on this host's own storage. The storage touches the database when it is
    /// created, and the database starts after the endpoints are mapped, so the dashboard is built on its first request.
    /// Our admin policy guards it; Hangfire's own filter (local requests only) is replaced by it.
    /// </summary>
    private static void MapHangfireDashboardForAdmins(this WebApplication app)
    {
        var dashboard = new Lazy<RequestDelegate>(() =>
        {
            var branch = ((IApplicationBuilder)app).New();
            branch.UseHangfireDashboard(HangfirePath, new DashboardOptions
            {
                Authorization = [],
                AppPath = "/admin/jobs",
                DashboardTitle = "OptLib jobs",
                DisplayStorageConnectionString = false,
            }, app.Services.GetRequiredService<JobStorage>());
            return branch.Build();
        });

        app.Map(HangfirePath + "/{**path}", (HttpContext http, string? path) =>
            {
                if (DashboardRefuses(http.Request, path) is { } status)
                {
                    return Results.StatusCode(status).ExecuteAsync(http);
                }

                // The dashboard is a middleware, not an endpoint: a path it does not serve falls through to the
                // branch's end, which answers 404 only when no endpoint is pending (otherwise ASP.NET Core says 500).
                http.SetEndpoint(null);
                return dashboard.Value(http);
            })
            .RequireAuthorization(AccessPolicies.Admin)
            .ExcludeFromDescription();
    }
}
