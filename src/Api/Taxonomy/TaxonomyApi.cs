using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using OptLib.Api.Documentation;
using OptLib.Api.Access;
using OptLib.Api.Web;
using OptLib.Library.Taxonomy;

namespace OptLib.Api.Taxonomy;

public static class TaxonomyApi
{
    public sealed record TaxonomyNodeBody(long? ParentId, string? Name, string? Definition, string? Condition);

    public static IEndpointRouteBuilder MapTaxonomyApi(this IEndpointRouteBuilder app)
    {
        var taxonomy = app.MapGroup("/api/taxonomy").WithTags("Taxonomy");

        taxonomy.MapGet("/", async Task<Results<Ok<IReadOnlyList<TaxonomyNodeDto>>, StatusCodeHttpResult>> (HttpContext http, ISender sender, CancellationToken ct) =>
                await sender.Send(new GetTaxonomy(), ct) is var read && ConditionalGet.ClientHasCurrent(http, read.ETag)
                    ? ConditionalGet.NotModified()
                    : TypedResults.Ok(read.Value))
            .Produces(StatusCodes.Status304NotModified)
            .WithName("GetTaxonomy")
            .WithSummary("The taxonomy tree (stage, level 1, level 2) with the number of non-retired insights under each node. If-None-Match with the ETag is 304 while it is unchanged.");

        var nodes = taxonomy.MapGroup("/nodes").RequireAuthorization(AccessPolicies.Analyst);

        nodes.MapPost("/", async (TaxonomyNodeBody body, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                var node = await sender.Send(new CreateTaxonomyNode(body.ParentId, body.Name ?? string.Empty, body.Definition ?? string.Empty, body.Condition ?? string.Empty, http.User.Actor()), ct);
                return TypedResults.Created($"/api/taxonomy/nodes/{node!.Id}", node);
            })
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithRequestExample(new TaxonomyNodeBody(12, "Fixed Charge", "A cost paid once when an activity is used at all.",
                "The problem has a setup, opening or rental cost that does not grow with the amount produced."))
            .WithName("CreateTaxonomyNode")
            .WithSummary("Adds a label: a stage without a parent, or a child of a stage or level-1 label. Names match ignoring case, plurals and spaces.");

        nodes.MapPut("/{id:long}", async Task<Results<Ok<TaxonomyNodeDto>, NotFound>> (long id, TaxonomyNodeBody body, HttpContext http, ISender sender, CancellationToken ct) =>
                await sender.Send(new UpdateTaxonomyNode(id, body.Name ?? string.Empty, body.Definition ?? string.Empty, body.Condition ?? string.Empty, http.User.Actor()), ct) is { } node
                    ? TypedResults.Ok(node)
                    : TypedResults.NotFound())
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithRequestExample(new TaxonomyNodeBody(null, "Fixed Charge Costs", "A cost paid once when an activity is used at all.",
                "The problem has a setup, opening or rental cost that does not grow with the amount produced."))
            .WithName("UpdateTaxonomyNode")
            .WithSummary("Renames a label or rewrites its definition and condition.");

        return app;
    }
}
