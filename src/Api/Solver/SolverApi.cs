using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using OptLib.Api.Admission;
using OptLib.Api.Documentation;
using OptLib.Solver;
using OptLib.Solver.Runs;

namespace OptLib.Api.Solver;

public static class SolverApi
{
    public static IEndpointRouteBuilder MapSolverApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/solver")
            .WithTags("Solver")
            .RequireAuthorization("analyst");

        group.MapPost("/runs", RunAsync)
            .WithName("RunSolverProgram")
            .WithSummary("Compile, police and run an OR-Tools program (C#, LP or MPS) in the sandbox, and check its answer.")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .RequireSolverAdmission()
            .WithRequestExample(new RunProgram("lp", "max: 3 doors + 5 windows;\nc1: doors <= 4;\nc2: 2 windows <= 12;\nc3: 3 doors + 2 windows <= 18;\ndoors >= 0;\nwindows >= 0;\n",
                TimeLimitSeconds: 10, ExpectedObjective: 36));

        return app;
    }

    private static async Task<Results<Ok<RunResult>, ValidationProblem, ProblemHttpResult>> RunAsync(
        RunProgram request, ISender sender, IOptions<SolverOptions> options, CancellationToken ct)
    {
        if (request.IsOversized(options.Value))
            return TypedResults.Problem(
                statusCode: StatusCodes.Status413PayloadTooLarge,
                title: "Source too large",
                detail: $"The source is larger than {options.Value.MaxSourceBytes} bytes (Solver:MaxSourceBytes).");

        var errors = request.Validate(options.Value);
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);

        var result = await sender.Send(request, ct);
        return request.UnreadableText(result) is { } unreadable ? TypedResults.ValidationProblem(unreadable) : TypedResults.Ok(result);
    }
}
