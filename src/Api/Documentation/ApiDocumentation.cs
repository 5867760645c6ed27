using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using OptLib.Api.Access;

namespace OptLib.Api.Documentation;

/// <summary>
/// What the OpenAPI document says beyond what the handlers' types say: the error answers every route can give, and an
/// example body for every route that takes one (<see cref="RequestExamples"/>). Program.cs maps the REST API in one
/// group marked <see cref="WithErrorResponses{TBuilder}"/>, so every route documents 401, 403 when it needs more than
/// a viewer, 400 when it changes something, and 404 when it names an id; errors only some routes give (409, 413, 503)
/// are declared on those routes with <c>ProducesProblem</c>.
/// </summary>
public static class ApiDocumentation
{
    private static readonly string[] Writes = ["POST", "PUT", "PATCH", "DELETE"];

    public static IHostApplicationBuilder AddApiDocumentation(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(options => options.AddOperationTransformer(DescribeAsync));
        return builder;
    }

    public static TBuilder WithErrorResponses<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        // Finally, so the route's own RequireAuthorization and ProducesProblem are already in its metadata.
        builder.Finally(endpoint =>
        {
            var declared = endpoint.Metadata.OfType<IProducesResponseTypeMetadata>().Select(p => p.StatusCode).ToHashSet();
            var write = endpoint.Metadata.OfType<HttpMethodMetadata>().SelectMany(m => m.HttpMethods).Any(m => Writes.Contains(m, StringComparer.OrdinalIgnoreCase));
            var pattern = (endpoint as RouteEndpointBuilder)?.RoutePattern;
            void Add(int status, Type type)
            {
                if (declared.Add(status))
                {
                    endpoint.Metadata.Add(new ProducesResponseTypeMetadata(status, type, ["application/problem+json"]));
                }
            }

            if (write)
            {
                Add(StatusCodes.Status400BadRequest, typeof(HttpValidationProblemDetails));
            }

            Add(StatusCodes.Status401Unauthorized, typeof(ProblemDetails));
            if (endpoint.Metadata.OfType<IAuthorizeData>().Any(a => a.Policy is AccessPolicies.Analyst or AccessPolicies.Admin))
            {
                Add(StatusCodes.Status403Forbidden, typeof(ProblemDetails));
            }

            if (pattern?.GetParameter("id") is not null)
            {
                Add(StatusCodes.Status404NotFound, typeof(ProblemDetails));
            }
        });
        return builder;
    }

    private static Task DescribeAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<RequestExamples.RequestExample>().LastOrDefault() is { } example && operation.RequestBody?.Content is { } content)
        {
            foreach (var (type, media) in content)
            {
                if (type.Contains("json", StringComparison.Ordinal))
                {
                    media.Example = example.Body.DeepClone();
                }
            }
        }

        var role = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).LastOrDefault(p => p is AccessPolicies.Analyst or AccessPolicies.Admin) ?? AccessPolicies.Viewer;
        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (response is OpenApiResponse described && Meaning(status, role) is { } meaning)
            {
                described.Description = meaning;
            }
        }

        return Task.CompletedTask;
    }

    private static string? Meaning(string status, string role) => status switch
    {
        "400" => "The request is not valid: the errors name each field and what is wrong with it.",
        "401" => "No X-Api-Key header (or sign-in cookie), or an unknown or revoked key.",
        "403" => $"The key's role is too low: this route needs {role} or higher.",
        "404" => "There is nothing with this id.",
        "409" => "The change collides with the current state (a stale version, a finished problem or job, an existing label); the detail says which.",
        "413" => "The body or the source is larger than the service accepts.",
        "503" => "A model this route needs is not configured or not reachable; the detail names the settings.",
        _ => null,
    };
}
