namespace OptLib.Api.Admin;

/// <summary>
/// The admin UI: Blazor components rendered on the server (static SSR), with plain form posts and our own small
/// stylesheet and script. Pages send the same Mediator requests as the REST API.
/// </summary>
public static class AdminUi
{
    public static IHostApplicationBuilder AddAdminUi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents();
        return builder;
    }

    public static WebApplication MapAdminUi(this WebApplication app)
    {
        app.MapRazorComponents<App>();
        return app;
    }
}
