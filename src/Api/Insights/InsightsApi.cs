using System.Globalization;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;
using OptLib.Api.Documentation;
using OptLib.Api.Access;
using OptLib.Api.Web;
using OptLib.Library.Insights;
using OptLib.Library.Validation;

namespace OptLib.Api.Insights;

public static class InsightsApi
{
    public sealed record InsightBody(
        string? Condition,
        string? Explanation,
        string? Example,
        List<long>? TaxonomyNodeIds,
        string? Status,
        List<long>? SourceProblemIds,
        List<long>? SourceAttemptIds,
        int? ExpectedVersion,
        string? Reason);

    public sealed record ChangeBody(int? ExpectedVersion, string? Reason);

    public static IEndpointRouteBuilder MapInsightsApi(this IEndpointRouteBuilder app)
    {
        var insights = app.MapGroup("/api/insights").WithTags("Insights");

        insights.MapGet("/", async Task<Results<Ok<InsightPage>, StatusCodeHttpResult>> (string? stage, string? level1, string? level2, string? status, string? q, int? page, int? pageSize,
                HttpContext http, ISender sender, CancellationToken ct) =>
                await sender.Send(new ListInsights(stage, level1, level2, status, q, page ?? 1, pageSize ?? 20), ct) is var read && ConditionalGet.ClientHasCurrent(http, read.ETag)
                    ? ConditionalGet.NotModified()
                    : TypedResults.Ok(read.Value))
            .Produces(StatusCodes.Status304NotModified)
            .ProducesValidationProblem()
            .WithName("ListInsights")
            .WithSummary("Lists insights a page at a time. Filters: stage (a stage label, or formulation/program), level1, level2, status, q (full text). If-None-Match with the ETag is 304 while the page is unchanged.");

        insights.MapGet("/{id:long}", async Task<Results<Ok<InsightDto>, StatusCodeHttpResult, NotFound>> (long id, HttpContext http, ISender sender, CancellationToken ct) =>
                await sender.Send(new GetInsight(id), ct) is not { } read ? TypedResults.NotFound()
                : ConditionalGet.ClientHasCurrent(http, read.ETag) ? ConditionalGet.NotModified()
                : TypedResults.Ok(read.Value))
            .Produces(StatusCodes.Status304NotModified)
            .WithName("GetInsight")
            .WithSummary("One insight. Its ETag is its version and a digest (\"3.5f1c...\"): If-Match on the next change compares the version, If-None-Match is 304 while nothing shown changed.");

        var edits = insights.MapGroup("/").RequireAuthorization(AccessPolicies.Analyst);

        edits.MapPost("/", async (InsightBody body, HttpContext http, ISender sender, CancellationToken ct) =>
            {
                var dto = await sender.Send(new CreateInsight(body.Condition ?? string.Empty, body.Explanation ?? string.Empty, body.Example ?? string.Empty,
                    body.TaxonomyNodeIds ?? [], body.Status, body.SourceProblemIds ?? [], body.SourceAttemptIds ?? [], body.Reason, http.User.Actor()), ct);
                http.Response.Headers.ETag = ETag(dto.Version);
                return TypedResults.Created($"/api/insights/{dto.Id}", dto);
            })
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithRequestExample(new InsightBody("When a cost applies only if an activity happens at all.", "Add a binary per activity and link it to the amount with a big-M row.",
                "y[i] in {0,1}; x[i] <= M * y[i]", [42], "active", [], [], null, "from a failed knapsack problem"))
            .WithName("CreateInsight")
            .WithSummary("Adds an insight (proposed unless status is active), filed under one or more level-2 taxonomy nodes.");

        edits.MapPut("/{id:long}", async Task<Results<Ok<InsightDto>, NotFound>> (long id, InsightBody body, HttpContext http, ISender sender, CancellationToken ct) =>
                await sender.Send(new ReviseInsight(id, ExpectedVersion(http, body.ExpectedVersion), body.Condition ?? string.Empty, body.Explanation ?? string.Empty,
                    body.Example ?? string.Empty, body.TaxonomyNodeIds ?? [], body.Reason, http.User.Actor()), ct) is { } dto
                    ? WithETag(http, dto)
                    : TypedResults.NotFound())
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithRequestExample(new InsightBody("When a cost applies only if an activity happens at all.", "Add a binary per activity and link it to the amount with a big-M row.",
                "y[i] in {0,1}; x[i] <= M * y[i]", [42], "active", [], [], 3, "clearer condition"))
            .ProducesProblem(StatusCodes.Status428PreconditionRequired)
            .WithName("ReviseInsight")
            .WithSummary("Revises an insight as a new version. Needs the expected version (If-Match or expectedVersion): missing is 428, stale is 409 with the current version.");

        edits.MapDelete("/{id:long}", async Task<Results<Ok<InsightDto>, NotFound>> (long id, string? reason, int? expectedVersion, HttpContext http, ISender sender, CancellationToken ct) =>
                await sender.Send(new RetireInsight(id, ExpectedVersion(http, expectedVersion), reason, http.User.Actor()), ct) is { } dto
                    ? WithETag(http, dto)
                    : TypedResults.NotFound())
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired)
            .WithName("RetireInsight")
            .WithSummary("Retires an insight: it leaves retrieval but is never erased, and keeps its history. Needs the expected version (If-Match or ?expectedVersion=); missing is 428, stale is 409.");

        insights.MapGet("/{id:long}/versions", async Task<Results<Ok<IReadOnlyList<InsightVersionDto>>, NotFound>> (long id, ISender sender, CancellationToken ct) =>
                await sender.Send(new ListInsightVersions(id), ct) is { } versions ? TypedResults.Ok(versions) : TypedResults.NotFound())
            .WithName("ListInsightVersions")
            .WithSummary("Every version of an insight, oldest first, with actor, reason and the full snapshot.");

        edits.MapPost("/{id:long}/versions/{version:int}/restore", async Task<Results<Ok<InsightDto>, NotFound>> (long id, int version, ChangeBody? body, HttpContext http, ISender sender, CancellationToken ct) =>
                await sender.Send(new RestoreInsightVersion(id, version, ExpectedVersion(http, body?.ExpectedVersion), body?.Reason, http.User.Actor()), ct) is { } dto
                    ? WithETag(http, dto)
                    : TypedResults.NotFound())
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithRequestExample(new ChangeBody(4, "version 2 was clearer"))
            .ProducesProblem(StatusCodes.Status428PreconditionRequired)
            .WithName("RestoreInsightVersion")
            .WithSummary("Restores the text and labels of an earlier version as a new version. Needs the expected version (If-Match or expectedVersion): missing is 428, stale is 409.");

        edits.MapPost("/{id:long}/approve", async Task<Results<Ok<InsightDto>, NotFound>> (long id, ChangeBody? body, HttpContext http, ISender sender, CancellationToken ct) =>
                await sender.Send(new ApproveInsight(id, ExpectedVersion(http, body?.ExpectedVersion), body?.Reason, http.User.Actor()), ct) is { } dto
                    ? WithETag(http, dto)
                    : TypedResults.NotFound())
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithRequestExample(new ChangeBody(1, "checked against three problems"))
            .ProducesProblem(StatusCodes.Status428PreconditionRequired)
            .WithName("ApproveInsight")
            .WithSummary("Moves a proposed insight to active (409 if it is not proposed). Needs the expected version (If-Match or expectedVersion): missing is 428, stale is 409.");

        return app;
    }

    private static Ok<InsightDto> WithETag(HttpContext http, InsightDto dto)
    {
        http.Response.Headers.ETag = ETag(dto.Version);
        return TypedResults.Ok(dto);
    }

    private static string ETag(int version) => $"\"{version.ToString(CultureInfo.InvariantCulture)}\"";

    /// <summary>
    /// If-Match wins over the body field; "*" means any version. It takes a change's ETag ("3") or a read's ("3.5f1c..."),
    /// whose digest it ignores: counters and label names change without a new version, and an edit must not fail for them.
    /// </summary>
    private static int? ExpectedVersion(HttpContext http, int? fromBody)
    {
        var header = http.Request.Headers.IfMatch.ToString().Trim();
        if (header.Length == 0 || header == "*")
        {
            return fromBody;
        }

        var tag = (header.StartsWith("W/", StringComparison.Ordinal) ? header[2..] : header).Trim('"');
        var digestAt = tag.IndexOf('.', StringComparison.Ordinal);
        return int.TryParse(digestAt < 0 ? tag : tag[..digestAt], NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? version
            : throw ValidationFailedException.For("If-Match", "If-Match holds the insight's version, as its ETag gives it (for example \"3\").");
    }
}
