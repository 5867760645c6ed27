using OptLib.Api.Access;
using OptLib.Api.Admin;
using OptLib.Api.Admission;
using OptLib.Api.Documentation;
using OptLib.Api.Errors;
using OptLib.Api.Health;
using OptLib.Api.Insights;
using OptLib.Api.Jobs;
using OptLib.Api.Library;
using OptLib.Api.Mcp;
using OptLib.Api.Problems;
using OptLib.Api.Routing;
using OptLib.Api.Solver;
using OptLib.Api.Taxonomy;
using OptLib.Api.Web;
using Scalar.AspNetCore;

namespace OptLib.Api.Hosting;

/// <summary>The HTTP front end over the library: its services, then its middleware and routes, each in one call.</summary>
public static class ApiComposition
{
    /// <summary>Access control, health, admission, the reverse proxy, MCP, the error answers, the API documentation and the admin UI.</summary>
    public static IHostApplicationBuilder AddApi(this IHostApplicationBuilder builder)
    {
        builder.AddAccessControl();
        builder.AddHealth();
        builder.AddSolverAdmission();
        builder.AddReverseProxy();
        builder.AddMcp();
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        builder.AddApiDocumentation();
        builder.AddAdminUi();
        builder.AddDigitsOnlyRouteConstraints();
        return builder;
    }

    /// <summary>The middleware, in the order each one's comment explains, then every route.</summary>
    public static WebApplication UseApi(this WebApplication app)
    {
        app.UseReverseProxy(); // first, when configured: the client's address and scheme as the proxy saw them
        app.UseRequestLogging(); // outermost, so it logs the status the client got, not the exception before it became a 4xx
        app.UseSecurityHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseStaticFiles(); // the admin UI's stylesheet and script, public like any login page's
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter(); // after authentication: solver work is admitted per access key
        app.UseStorableRequestText(); // after authorization, so a stranger's form is not read; before anything reads it
        app.UseAntiforgery();
        app.UseCookieApiAntiforgery();

        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference().AllowAnonymous();
        app.MapHealthApi();
        var api = app.MapGroup(string.Empty).WithErrorResponses(); // the REST API, each route with its error answers documented
        api.MapAccessApi();
        api.MapSolverApi();
        api.MapDatasetsApi();
        api.MapProblemsApi();
        api.MapTaxonomyApi();
        api.MapLibraryApi();
        api.MapInsightsApi();
        api.MapRetrievalApi();
        api.MapSnapshotsApi();
        api.MapJobsApi();
        app.MapMcpApi();
        app.MapLoginApi();
        app.MapAdminUi();
        return app;
    }
}
