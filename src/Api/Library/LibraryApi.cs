using System.Text.Json;
using Mediator;
using OptLib.Api.Documentation;
using OptLib.Api.Access;
using OptLib.Library.Interchange;
using OptLib.Library.Validation;

namespace OptLib.Api.Library;

public static class LibraryApi
{
    public static IEndpointRouteBuilder MapLibraryApi(this IEndpointRouteBuilder app)
    {
        var library = app.MapGroup("/api/library").WithTags("Library");

        library.MapPost("/import", async (HttpContext http, ISender sender, CancellationToken ct) =>
                TypedResults.Ok(await sender.Send(new ImportLibrary(await ReadDocumentAsync(http.Request, ct), http.User.Actor()), ct)))
            .RequireAuthorization(AccessPolicies.Analyst)
            .Accepts<AlphaOptDocument>("application/json", "multipart/form-data")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithRequestExample(new Dictionary<string, object>
            {
                ["library"] = new[]
                {
                    new Dictionary<string, object>
                    {
                        ["insight_id"] = 7,
                        ["taxonomy"] = new Dictionary<string, object> { ["Domain Modeling"] = new Dictionary<string, string[]> { ["Packaging"] = ["Knapsack Constraints"] } },
                        ["condition"] = "When items that each use some of one scalar capacity (weight, volume, budget) are chosen.",
                        ["explanation"] = "One capacity row over the chosen items; binaries when an item is taken whole.",
                        ["example"] = "sum_i w[i] * x[i] <= W; x[i] in {0,1}",
                    },
                },
                ["taxonomy"] = new Dictionary<string, object>
                {
                    ["Domain Modeling"] = new Dictionary<string, object>
                    {
                        ["Packaging"] = new Dictionary<string, object>
                        {
                            ["Knapsack Constraints"] = new { definition = "A single capacity shared by chosen items.", condition = "Items compete for one weight, volume or budget limit." },
                        },
                    },
                },
            })
            .WithName("ImportLibrary")
            .WithSummary("Imports AlphaOPT's library.json and taxonomy JSON: a JSON body {library, taxonomy}, or a form with the files 'library' and 'taxonomy'. Idempotent; reports what it created, updated and skipped, and why.");

        library.MapGet("/export", async (ISender sender, CancellationToken ct) => TypedResults.Ok(await sender.Send(new ExportLibrary(), ct)))
            .WithName("ExportLibrary")
            .WithSummary("The whole library as {library, taxonomy} in AlphaOPT's format, with each insight's status.");

        return app;
    }

    /// <summary>The library and taxonomy from a JSON body or a form with two files (the admin UI posts the same form).</summary>
    internal static async Task<AlphaOptDocument> ReadDocumentAsync(HttpRequest request, CancellationToken ct)
    {
        try
        {
            if (request.HasFormContentType)
            {
                var form = await request.ReadFormAsync(ct);
                var document = new AlphaOptDocument();
                if (form.Files["library"] is { } libraryFile)
                {
                    await using var stream = libraryFile.OpenReadStream();
                    document.Library = await JsonSerializer.DeserializeAsync<List<AlphaOptInsight>>(stream, cancellationToken: ct);
                }

                if (form.Files["taxonomy"] is { } taxonomyFile)
                {
                    await using var stream = taxonomyFile.OpenReadStream();
                    document.Taxonomy = await JsonSerializer.DeserializeAsync<Dictionary<string, Dictionary<string, Dictionary<string, AlphaOptLabel>>>>(stream, cancellationToken: ct);
                }

                return document;
            }

            if (request.HasJsonContentType())
            {
                return await JsonSerializer.DeserializeAsync<AlphaOptDocument>(request.Body, cancellationToken: ct)
                    ?? throw ValidationFailedException.For("body", "The body is JSON null.");
            }
        }
        catch (JsonException e)
        {
            throw ValidationFailedException.For("body", $"The JSON could not be read: {e.Message}");
        }

        throw ValidationFailedException.For("body", "Send application/json {\"library\": [...], \"taxonomy\": {...}} or multipart/form-data with the files 'library' and 'taxonomy'.");
    }
}
