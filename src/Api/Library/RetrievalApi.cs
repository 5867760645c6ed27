using Mediator;
using OptLib.Library.Retrieval;

namespace OptLib.Api.Library;

public static class RetrievalApi
{
    public sealed record RetrieveBody(string? Problem, string? Stage, string? Formulation, int? K);

    public static IEndpointRouteBuilder MapRetrievalApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/library/retrieve", async (RetrieveBody body, ISender sender, CancellationToken ct) =>
                TypedResults.Ok(await sender.Send(new RetrieveInsights(body.Problem ?? string.Empty, body.Stage ?? string.Empty, body.Formulation, body.K ?? 8), ct)))
            .WithTags("Library")
            .WithName("RetrieveInsights")
            .WithSummary("Ranks active insights for a problem (stage formulation or program): vector kNN and full-text search fused by reciprocal rank, with every score.");
        return app;
    }
}
