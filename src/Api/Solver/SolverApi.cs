using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using OptLib.Api.Admission;
using OptLib.Api.Documentation;
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

    private static async Task<Ok<RunResult>> RunAsync(RunProgram request, ISender sender, CancellationToken ct) =>
        TypedResults.Ok(await sender.Send(request, ct));
}
