using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using OptLib.Api.Access;
using OptLib.Api.Documentation;
using OptLib.Library.Snapshots;

namespace OptLib.Api.Library;

public static class SnapshotsApi
{
    public sealed record SnapshotBody(string? Name);

    public static IEndpointRouteBuilder MapSnapshotsApi(this IEndpointRouteBuilder app)
    {
        var snapshots = app.MapGroup("/api/library/snapshots").WithTags("Library");

        snapshots.MapPost("/", async Task<Created<SnapshotDto>> (SnapshotBody body, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                var snapshot = await sender.Send(new TakeSnapshot(body.Name, http.User.Actor()), ct);
                return TypedResults.Created($"/api/library/snapshots/{snapshot.Id}", snapshot);
            })
            .RequireAuthorization(AccessPolicies.Analyst)
            .WithRequestExample(new SnapshotBody("before the March evolution"))
            .WithName("TakeSnapshot")
            .WithSummary("Records the exact set of active insight versions now (ids and versions, not copies); 201 with {id, name, createdAt, insights}.");

        snapshots.MapGet("/", async (string? q, long? job, string? taken, int? page, int? pageSize, ISender sender, CancellationToken ct) =>
                TypedResults.Ok(await sender.Send(new ListSnapshots(q, job, taken, page ?? 1, pageSize ?? 20), ct)))
            .ProducesValidationProblem()
            .WithName("ListSnapshots")
            .WithSummary("Snapshots newest first, a page at a time; q matches the name, job the job that took it, taken is job or hand.");

        snapshots.MapGet("/{id:long}", async Task<Results<Ok<SnapshotDetailDto>, NotFound>> (long id, long? against, ISender sender, CancellationToken ct) =>
                await sender.Send(new GetSnapshot(id, against), ct) is { } snapshot ? TypedResults.Ok(snapshot) : TypedResults.NotFound())
            .WithName("GetSnapshot")
            .WithSummary("A snapshot's counts (per stage); with ?against={otherId}, the insights added, retired and changed from that snapshot to this one. 404 when either is unknown.");

        return app;
    }
}
