using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using OptLib.Api.Admission;
using OptLib.Api.Documentation;
using OptLib.Api.Access;
using OptLib.Library.Feedback;
using OptLib.Library.Problems;
using OptLib.Library.Solving;
using OptLib.Library.Validation;

namespace OptLib.Api.Problems;

public static class ProblemsApi
{
    public sealed record ToleranceBody(double? Relative, double? Absolute);

    public sealed record FeedbackBody(string? Verdict, double? ExpectedObjective, string? Note);

    public sealed record ClarifyBody(string? Answers);

    public sealed record WhatIfBody(string? Change);

    public sealed record SubmitBody(string? Text, double? ExpectedObjective, ToleranceBody? Tolerance, IReadOnlyList<ProblemTable?>? Tables);

    public static IEndpointRouteBuilder MapProblemsApi(this IEndpointRouteBuilder app)
    {
        var problems = app.MapGroup("/api/problems").WithTags("Problems");

        problems.MapPost("/", async Task<Results<Accepted<ProblemDto>, Ok<ProblemDto>>> (SubmitBody body, int? wait, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                var problem = await sender.SubmitAndWaitAsync(new SubmitProblem(body.Text ?? string.Empty, body.ExpectedObjective, body.Tolerance?.Relative,
                    body.Tolerance?.Absolute, body.Tables, http.User.Actor()), wait, ct);
                return problem.IsFinished ? TypedResults.Ok(problem) : TypedResults.Accepted($"/api/problems/{problem.Id}", problem);
            })
            .RequireAuthorization(AccessPolicies.Analyst)
            .RequireSolverAdmission(http => int.TryParse(http.Request.Query["wait"], out var seconds) && seconds > 0) // a wait holds the solve
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithRequestExample(new SubmitBody("A glass plant makes doors and windows with the hours below; maximise profit (3 per door, 5 per window).", 36,
                new ToleranceBody(1e-4, 1e-6), [new ProblemTable("hours", "plant,doors,windows,available\n1,1,0,4\n2,0,2,12\n3,3,2,18")]))
            .WithName("SubmitProblem")
            .WithSummary("Stores a problem and solves it in the background (202 with a Location); ?wait=N waits up to N seconds and answers 200 when done.");

        // page and pageSize arrive as text so that one that is no number is refused naming it, like every other filter.
        problems.MapGet("/", async Task<Ok<ProblemPage>> (string? dataset, string? split, string? status, string? q, string? createdFrom, string? createdTo,
                string? page, string? pageSize, ISender sender, CancellationToken ct) =>
                TypedResults.Ok(await sender.Send(new ListProblems(null, dataset, split, status, q, createdFrom, createdTo,
                    WholeNumber(page, 1, nameof(ListProblems.Page)), WholeNumber(pageSize, 20, nameof(ListProblems.PageSize))), ct)))
            .ProducesValidationProblem()
            .WithName("ListProblems")
            .WithSummary("Lists problems newest first, a page at a time. Filters: dataset, split, status (queued, running, solved, failed, cancelled, cancelling), q (text in the problem), createdFrom (inclusive) and createdTo (exclusive), ISO 8601 dates or times, UTC unless they say otherwise.");

        problems.MapGet("/{id:long}", async Task<Results<Ok<ProblemDto>, NotFound>> (long id, ISender sender, CancellationToken ct) =>
                await sender.Send(new GetProblem(id), ct) is { } problem ? TypedResults.Ok(problem) : TypedResults.NotFound())
            .WithName("GetProblem")
            .WithSummary("The problem's status and its latest attempt: objective, variables and verdict.");

        problems.MapGet("/{id:long}/attempts", async Task<Results<Ok<IReadOnlyList<AttemptDto>>, NotFound>> (long id, ISender sender, CancellationToken ct) =>
                await sender.Send(new GetAttempts(id), ct) is { } attempts ? TypedResults.Ok(attempts) : TypedResults.NotFound())
            .WithName("GetAttempts")
            .WithSummary("Every attempt's full trace: retrieved insights with scores, formulation, each program version with diagnostics, solver result, tokens and timings.");

        problems.MapDelete("/{id:long}", async Task<Results<Ok<ProblemDto>, Accepted<ProblemDto>, NotFound>> (long id, HttpContext http, ISender sender, CancellationToken ct) =>
                await sender.Send(new CancelProblem(id, http.User.Actor()), ct) switch
                {
                    null => TypedResults.NotFound(),
                    { Stopping: false } cancelled => TypedResults.Ok(cancelled.Problem),
                    var stopping => TypedResults.Accepted($"/api/problems/{id}", stopping.Problem),
                })
            .RequireAuthorization(AccessPolicies.Analyst)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithName("CancelProblem")
            .WithSummary("Cancels a queued problem (200, it never starts) or a running one (202: it stops at its next check, kills its sandbox run and records a cancelled attempt); 409 when it has finished.");

        problems.MapPost("/{id:long}/clarify", async Task<Results<Accepted<ProblemDto>, NotFound>> (long id, ClarifyBody body, HttpContext http, ISender sender, CancellationToken ct) =>
                await sender.Send(new ClarifyProblem(id, body.Answers ?? string.Empty, http.User.Actor()), ct) is { } problem
                    ? TypedResults.Accepted($"/api/problems/{id}", problem) : TypedResults.NotFound())
            .RequireAuthorization(AccessPolicies.Analyst)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithRequestExample(new ClarifyBody("The plant has 18 hours a week; doors and windows may be made in fractions."))
            .WithName("ClarifyProblem")
            .WithSummary("Answers the questions the model asked instead of guessing (status needsclarification; the questions are in clarifications and the latest attempt) and solves the problem again with the answers (202). 409 when it asked nothing.");

        problems.MapPost("/{id:long}/what-if", async Task<Results<Ok<WhatIfResult>, NotFound>> (long id, WhatIfBody body, HttpContext http, ISender sender, CancellationToken ct) =>
                await sender.Send(new WhatIf(id, body.Change ?? string.Empty, http.User.Actor()), ct) is { } result ? TypedResults.Ok(result) : TypedResults.NotFound())
            .RequireAuthorization(AccessPolicies.Analyst)
            .RequireSolverAdmission()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithRequestExample(new WhatIfBody("demand is 10% higher"))
            .WithName("WhatIf")
            .WithSummary("Asks the model to edit the latest solved model for a change, solves the edit, and answers the new objective and every variable beside the original; kept as a child attempt (parentAttemptId), never the problem's answer. 409 when nothing was solved yet.");

        problems.MapPost("/{id:long}/feedback", async Task<Results<Ok<ProblemDto>, NotFound>> (long id, FeedbackBody body, HttpContext http, ISender sender, CancellationToken ct) =>
                await sender.Send(new GiveFeedback(id, body.Verdict, body.ExpectedObjective, body.Note, http.User.Actor()), ct) is { } problem
                    ? TypedResults.Ok(problem) : TypedResults.NotFound())
            .RequireAuthorization(AccessPolicies.Analyst)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithRequestExample(new FeedbackBody("incorrect", 36, "the assembly plant has 18 hours, not 20"))
            .WithName("GiveFeedback")
            .WithSummary("Says whether the latest answer was right: \"incorrect\" (with expectedObjective when the problem has none) queues it for learning unless the problem is held out; \"correct\" makes its objective the known answer and counts for the insights it used. 409 while there is no finished answer.");

        problems.MapGet("/{id:long}/feedback", async Task<Results<Ok<IReadOnlyList<FeedbackDto>>, NotFound>> (long id, ISender sender, CancellationToken ct) =>
                await sender.Send(new GetFeedback(id), ct) is { } feedback ? TypedResults.Ok(feedback) : TypedResults.NotFound())
            .WithName("GetFeedback")
            .WithSummary("Every feedback given on the problem, newest first; the newest is the problem's.");

        return app;
    }

    private static int WholeNumber(string? text, int absent, string field) =>
        string.IsNullOrWhiteSpace(text) ? absent
        : int.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var number) ? number
        : throw ValidationFailedException.For(field, $"{field} is a whole number.");
}
