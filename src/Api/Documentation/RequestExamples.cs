using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace OptLib.Api.Documentation;

/// <summary>
/// A request body for the OpenAPI document, as a client would send it. On its own, without the OpenAPI packages,
/// because the solver's tests host SolverApi.cs alone.
/// </summary>
public static class RequestExamples
{
    public sealed record RequestExample(JsonNode Body);

    public static RouteHandlerBuilder WithRequestExample(this RouteHandlerBuilder builder, object body) =>
        builder.WithMetadata(new RequestExample(JsonSerializer.SerializeToNode(body, JsonSerializerOptions.Web)!));
}
