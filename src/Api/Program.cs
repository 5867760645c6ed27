using OptLib.Api.Access;
using OptLib.Api.Admission;
using OptLib.Api.Admin;
using OptLib.Api.Documentation;
using OptLib.Api.Errors;
using OptLib.Api.Health;
using OptLib.Api.Problems;
using OptLib.Api.Routing;
using OptLib.Api.Insights;
using OptLib.Api.Jobs;
using OptLib.Api.Mcp;
using OptLib.Api.Library;
using OptLib.Api.Solver;
using OptLib.Api.Taxonomy;
using OptLib.Api.Web;
using OptLib.Library;
using OptLib.Library.Learning;
using OptLib.Library.Models;
using OptLib.Library.Solving;
using OptLib.Library.Hosting;
using OptLib.Library.Validation;
using OptLib.Solver;
using Scalar.AspNetCore;
using Serilog;

try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddOptLibLogging();
    builder.AddLibrary();
    builder.AddModels();
    builder.AddPipeline();
    builder.AddLearning();
    builder.AddSolver();
    builder.AddAccessControl();
    builder.AddHealth();
    builder.AddSolverAdmission();
    builder.AddReverseProxy();
    builder.AddMcp();
    builder.Services.AddMediator(options => options.ServiceLifetime = ServiceLifetime.Scoped);
    builder.Services.AddSingleton(typeof(Mediator.IPipelineBehavior<,>), typeof(ValidationBehavior<,>));
    builder.Services.AddProblemDetails();
    builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
    builder.AddApiDocumentation();
    builder.AddAdminUi();
    builder.AddDigitsOnlyRouteConstraints();

    var app = builder.Build();
    app.UseReverseProxy(); // first, when configured: the client's address and scheme as the proxy saw them
    app.UseSerilogRequestLogging(); // outermost, so it logs the status the client got, not the exception before it became a 4xx
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
    api.MapJobsApi();
    app.MapMcpApi();
    app.MapLoginApi();
    app.MapAdminUi();

    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (StartupFailure.Explain(ex) is { } reason)
{
    // A problem the operator can fix gets one line that says what to do, not a stack trace.
    await Console.Error.WriteLineAsync($"OptLib cannot start: {reason}");
    return 1;
}

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
