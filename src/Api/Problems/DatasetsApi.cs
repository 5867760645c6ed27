using System.Text.Json;
using Mediator;
using OptLib.Api.Documentation;
using OptLib.Api.Access;
using OptLib.Library.Problems;

namespace OptLib.Api.Problems;

public static class DatasetsApi
{
    public sealed record ImportTasksBody(string? Dataset, string? Split, JsonElement Tasks);

    public static IEndpointRouteBuilder MapDatasetsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/datasets/import", async (ImportTasksBody body, HttpContext http, ISender sender, CancellationToken ct) =>
                TypedResults.Ok(await sender.Send(new ImportTasks(body.Dataset ?? string.Empty, body.Split ?? string.Empty, body.Tasks, http.User.Actor()), ct)))
            .RequireAuthorization(AccessPolicies.Analyst)
            .WithRequestExample(new
            {
                dataset = "nl4opt",
                split = "train",
                tasks = new[] { new { task_id = "nl4opt-17", description = "A farmer has 100 acres for wheat and corn ...; maximise profit.", ground_truth = 4500.0 } },
            })
            .WithTags("Datasets")
            .WithName("ImportTasks")
            .WithSummary("Stores AlphaOPT-format tasks (task_id, description, ground_truth) as problems of a dataset and split; re-importing is idempotent.");
        return app;
    }
}
