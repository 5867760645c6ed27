using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using OptLib.Api.Documentation;
using OptLib.Library.Access;

namespace OptLib.Api.Access;

public static class AccessApi
{
    public sealed record CreateApiKeyBody(string? Name, string? Role);

    public static IEndpointRouteBuilder MapAccessApi(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/api/keys").WithTags("Access").RequireAuthorization(AccessPolicies.Admin);

        keys.MapGet("/", async (ISender sender, CancellationToken ct) => TypedResults.Ok(await sender.Send(new ListApiKeys(), ct)))
            .WithName("ListApiKeys")
            .WithSummary("Lists every API key with its role; secrets are never shown again.");

        keys.MapPost("/", async (CreateApiKeyBody body, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                var created = await sender.Send(new CreateApiKey(body.Name ?? string.Empty, body.Role ?? string.Empty, http.User.Actor()), ct);
                return TypedResults.Created($"/api/keys/{created.Key.Id}", created);
            })
            .WithRequestExample(new CreateApiKeyBody("reporting dashboard", "viewer"))
            .WithName("CreateApiKey")
            .WithSummary("Creates an API key with a role (viewer, analyst, admin). The secret is in this response only.");

        keys.MapDelete("/{id:long}", async Task<Results<Ok<ApiKeyDto>, NotFound>> (long id, HttpContext http, ISender sender, CancellationToken ct) =>
                await sender.Send(new RevokeApiKey(id, http.User.Actor()), ct) is { } key ? TypedResults.Ok(key) : TypedResults.NotFound())
            .WithName("RevokeApiKey")
            .WithSummary("Revokes an API key. It stays listed for the audit trail.");

        return app;
    }
}
