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

        app.Map(HangfirePath + "/{**path}", (HttpContext http) => dashboard.Value(http))
            .RequireAuthorization(AccessPolicies.Admin)
            .ExcludeFromDescription();
    }
}
