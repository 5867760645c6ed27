using Mediator;
using OptLib.Api.Documentation;
using OptLib.Api.Access;
using OptLib.Library.Retrieval;

namespace OptLib.Api.Library;

public static class RetrievalApi
{
    public sealed record RetrieveBody(string? Problem, string? Stage, string? Formulation, int? K, long? Snapshot = null);

    public static IEndpointRouteBuilder MapRetrievalApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/library/retrieve", async (RetrieveBody body, ISender sender, CancellationToken ct) =>
                TypedResults.Ok(await sender.Send(new RetrieveInsights(body.Problem ?? string.Empty, body.Stage ?? string.Empty, body.Formulation, body.K ?? 8, Snapshot: body.Snapshot), ct)))
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithRequestExample(new RetrieveBody("Trucks leave one depot and must visit every shop once.", "formulation", null, 5))
            .WithTags("Library")
            .WithName("RetrieveInsights")
            .WithSummary("Ranks active insights for a problem (stage formulation or program): vector kNN and full-text search fused by reciprocal rank, with every score. With snapshot (an id), ranks that snapshot's insight versions, with their text and vectors then.");

        app.MapPost("/api/library/reembed", async (HttpContext http, ISender sender, CancellationToken ct) =>
                TypedResults.Ok(await sender.Send(new ReembedInsights(http.User.Actor()), ct)))
            .RequireAuthorization(AccessPolicies.Admin)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithTags("Library")
            .WithName("ReembedInsights")
            .WithSummary("Re-embeds every insight whose embedding comes from another model than the configured one (also run at start-up).");
        return app;
    }
}
