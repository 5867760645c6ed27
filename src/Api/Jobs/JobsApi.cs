using System.Text.Json;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using OptLib.Api.Documentation;
using OptLib.Api.Access;
using OptLib.Library.Evaluation;
using OptLib.Library.Jobs;

namespace OptLib.Api.Jobs;

public static class JobsApi
{
    public sealed record CreateBody(string? Kind, JsonElement? Parameters);

    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapGroup("/api/jobs").WithTags("Jobs");

        jobs.MapPost("/", async Task<Accepted<JobDto>> (CreateBody body, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                var job = await sender.Send(new CreateJob(body.Kind, body.Parameters, http.User.Actor()), ct);
                return TypedResults.Accepted($"/api/jobs/{job.Id}", job);
            })
            .RequireAuthorization(AccessPolicies.Analyst)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithRequestExample(new { kind = "evaluation", parameters = new { dataset = "nl4opt", split = "test" } })
            .WithName("CreateJob")
            .WithSummary("Starts a background job of a kind (evaluation, comparison, reembed, learning, evolution, selftest) with its parameters; 202 with a Location to follow.");

        jobs.MapGet("/", async (string? kind, string? state, int? page, int? pageSize, ISender sender, CancellationToken ct) =>
                TypedResults.Ok(await sender.Send(new ListJobs(kind, state, page ?? 1, pageSize ?? 20), ct)))
            .ProducesValidationProblem()
            .WithName("ListJobs")
            .WithSummary("Jobs newest first, a page at a time, optionally of one kind and state.");

        jobs.MapGet("/{id:long}", async Task<Results<Ok<JobDto>, NotFound>> (long id, ISender sender, CancellationToken ct) =>
                await sender.Send(new GetJob(id), ct) is { } job ? TypedResults.Ok(job) : TypedResults.NotFound())
            .WithName("GetJob")
            .WithSummary("A job's state, progress (done / total), current step, metrics, log lines and report.");

        jobs.MapGet("/{id:long}/results", async Task<Results<Ok<JobResultPage>, NotFound>> (long id, string? verdict, string? pair, int? page, int? pageSize,
                ISender sender, CancellationToken ct) =>
                await sender.Send(new ListJobResults(id, verdict, pair, page ?? 1, pageSize ?? 50), ct) is { } results ? TypedResults.Ok(results) : TypedResults.NotFound())
            .ProducesValidationProblem()
            .WithName("ListJobResults")
            .WithSummary("Every problem of an evaluation or comparison with its verdict(s), objective(s) and attempt ids, in problem order, a page at a time; filters: verdict (correct, wrongAnswer, failed, ...), pair (a comparison's bothRight, onlyBaseline, onlyCandidate, bothWrong).");

        jobs.MapGet("/{id:long}/artifacts/{name}", async Task<Results<ContentHttpResult, NotFound>> (long id, string name, ISender sender, CancellationToken ct) =>
                await sender.Send(new GetJobArtifact(id, name), ct) is { } artifact
                    ? TypedResults.Content(artifact.Content, artifact.ContentType)
                    : TypedResults.NotFound())
            .WithName("GetJobArtifact")
            .WithSummary("A file the job produced, such as an evaluation's accuracy chart (SVG).");

        jobs.MapPost("/{id:long}/cancel", async Task<Results<Ok<JobDto>, NotFound>> (long id, HttpContext http, ISender sender, CancellationToken ct) =>
                await sender.Send(new CancelJob(id, http.User.Actor()), ct) is { } job ? TypedResults.Ok(job) : TypedResults.NotFound())
            .RequireAuthorization(AccessPolicies.Analyst)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithName("CancelJob")
            .WithSummary("Cancels a queued or running job: unstarted items are dropped, running ones stop; 409 when it has finished.");

        return app;
    }
}
