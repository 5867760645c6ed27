using System.ComponentModel;
using Mediator;
using Microsoft.AspNetCore.Authorization;
using ModelContextProtocol;
using ModelContextProtocol.Server;
using OptLib.Api.Access;
using OptLib.Api.Admission;
using OptLib.Api.Problems;
using OptLib.Library.Feedback;
using OptLib.Library.Insights;
using OptLib.Library.Problems;
using OptLib.Library.Retrieval;

namespace OptLib.Api.Mcp;

/// <summary>
/// The MCP tools. Each sends the same Mediator request as its REST route, so validation, roles and answers are the
/// REST API's; a refusal becomes a tool error with the text the REST API puts in its ProblemDetails (see
/// <see cref="McpErrors"/>).
/// </summary>
[McpServerToolType]
public sealed class OptLibTools(ISender sender, IHttpContextAccessor http, SolverAdmission admission)
{
    public sealed record SolveOutcome(
        [property: Description("The problem's id, for get_problem.")] long ProblemId,
        [property: Description("queued, solving, solved, failed or cancelled; queued or solving when the wait ended first.")] string Status,
        [property: Description("The latest attempt's verdict: Correct, WrongAnswer, Optimal, Feasible, Infeasible, CompileError, ...")] string? Verdict,
        double? Objective,
        [property: Description("The solver's value of every variable the program reported.")] IReadOnlyDictionary<string, double>? Variables,
        string? Formulation,
        string? Error);

    [McpServerTool(Name = "solve_problem", Destructive = false, Idempotent = false, OpenWorld = false)]
    [Description("Solves an optimization problem written in plain language: retrieves insights, formulates, writes an OR-Tools program, runs and checks it. Needs the analyst role.")]
    [Authorize(Policy = AccessPolicies.Analyst)]
    public async Task<SolveOutcome> SolveProblem(
        [Description("The problem in plain language, with its data.")] string text,
        [Description("The known optimal objective, if any: the answer is then checked against it.")] double? expectedObjective = null,
        [Description("Seconds to wait for the answer (0 to 300, default 60). When the wait ends first, ask get_problem later.")] int? waitSeconds = null,
        CancellationToken cancellationToken = default)
    {
        // A call that waits holds solver work, and is admitted like POST /api/problems?wait=; the MCP route as a
        // whole is not, since most tools only read.
        using var permit = waitSeconds is 0 ? null : await admission.AdmitAsync(http.HttpContext!, cancellationToken);
        var problem = await sender.SubmitAndWaitAsync(new SubmitProblem(text ?? string.Empty, expectedObjective, null, null, null, Actor()),
            waitSeconds ?? 60, cancellationToken);
        var attempt = problem.LatestAttempt;
        return new SolveOutcome(problem.Id, problem.Status, attempt?.Status, attempt?.Objective, attempt?.SolverResult?.Variables,
            attempt?.Formulation, attempt?.Error);
    }

    [McpServerTool(Name = "get_problem", ReadOnly = true, OpenWorld = false)]
    [Description("A problem's status and its latest attempt: verdict, objective, formulation, program and solver result.")]
    public async Task<ProblemDto> GetProblem([Description("The problem's id.")] long id, CancellationToken cancellationToken = default) =>
        await sender.Send(new GetProblem(id), cancellationToken) ?? throw new McpException($"There is no problem {id}.");

    [McpServerTool(Name = "retrieve_insights", ReadOnly = true, OpenWorld = false)]
    [Description("Ranks the library's active insights for a problem and a stage, with every score: what the pipeline shows the model.")]
    public Task<RetrievalResult> RetrieveInsights(
        [Description("The problem in plain language.")] string problem,
        [Description("formulation or program.")] string stage,
        [Description("The formulation so far (helps the program stage).")] string? formulation = null,
        [Description("How many insights (1 to 50, default 8).")] int? k = null,
        CancellationToken cancellationToken = default) =>
        sender.Send(new RetrieveInsights(problem ?? string.Empty, stage ?? string.Empty, formulation, k ?? 8), cancellationToken).AsTask();

    [McpServerTool(Name = "search_insights", ReadOnly = true, OpenWorld = false)]
    [Description("Lists insights a page at a time, filtered by taxonomy labels, status and full text.")]
    public async Task<InsightPage> SearchInsights(
        [Description("Words to find in the condition, explanation or example.")] string? q = null,
        [Description("A stage label, or formulation / program.")] string? stage = null,
        [Description("A level-1 taxonomy label.")] string? level1 = null,
        [Description("A level-2 taxonomy label.")] string? level2 = null,
        [Description("proposed, active or retired.")] string? status = null,
        [Description("The page, from 1.")] int? page = null,
        [Description("Insights per page (1 to 200, default 20).")] int? pageSize = null,
        CancellationToken cancellationToken = default) =>
        (await sender.Send(new ListInsights(stage, level1, level2, status, q, page ?? 1, pageSize ?? 20), cancellationToken)).Value;

    [McpServerTool(Name = "get_insight", ReadOnly = true, OpenWorld = false)]
    [Description("One insight: condition, explanation, example, taxonomy, status, version and usage.")]
    public async Task<InsightDto> GetInsight([Description("The insight's id.")] long id, CancellationToken cancellationToken = default) =>
        (await sender.Send(new GetInsight(id), cancellationToken))?.Value ?? throw new McpException($"There is no insight {id}.");

    [McpServerTool(Name = "submit_feedback", Destructive = false, Idempotent = false, OpenWorld = false)]
    [Description("Says whether a problem's latest answer was right. \"incorrect\" (with the right objective when the problem has none) makes it a failure the library learns from; \"correct\" makes its objective the known answer. Needs the analyst role.")]
    [Authorize(Policy = AccessPolicies.Analyst)]
    public async Task<ProblemDto> SubmitFeedback(
        [Description("The problem's id.")] long id,
        [Description("correct or incorrect.")] string verdict,
        [Description("The right objective; needed with incorrect when the problem has none.")] double? expectedObjective = null,
        [Description("Why, for the analysts (optional).")] string? note = null,
        CancellationToken cancellationToken = default) =>
        await sender.Send(new GiveFeedback(id, verdict, expectedObjective, note, Actor()), cancellationToken) ?? throw new McpException($"There is no problem {id}.");

    private string Actor() => http.HttpContext?.User.Actor() ?? "anonymous";
}
