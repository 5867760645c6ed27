using System.Diagnostics;
using System.Text;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OptLib.Library.Attempts;
using OptLib.Library.Insights;
using OptLib.Library.Learning;
using OptLib.Library.Models;
using OptLib.Library.Problems;
using OptLib.Library.Prompts;
using OptLib.Library.Retrieval;
using OptLib.Library.Storage;
using OptLib.Library.Taxonomy;
using OptLib.Solver;
using OptLib.Solver.Runs;
using OptLib.Solver.Sandbox;

namespace OptLib.Library.Solving;

/// <summary>
/// The pipeline for one stored problem: retrieve for the formulation, formulate, retrieve for the program with the
/// formulation in hand, write the program, run it in the sandbox, self-debug on program failures, and record one
/// attempt holding everything. A failure with a known answer is queued for library learning.
/// </summary>
public sealed record SolveProblem(long ProblemId, SolveOptions? Options = null) : IRequest<long>;

/// <summary>
/// A side run (verification, diagnosis, a replay): extra insights are put in the prompts of the stages they are filed
/// under, excluded ones are left out, and the attempt is neither queued for learning nor allowed to change the
/// problem's status. The purpose is recorded with the retrieved insights.
/// </summary>
public sealed record SolveOptions(string Purpose, IReadOnlyList<long>? ExtraInsightIds = null, IReadOnlyList<long>? ExcludedInsightIds = null);

public sealed class SolveProblemHandler(
    OptLibDbContext db,
    ISender sender,
    IChatModel model,
    ISandbox sandbox,
    PromptLibrary prompts,
    IOptions<PipelineOptions> options,
    IServiceScopeFactory scopes,
    ILogger<SolveProblemHandler> logger) : IRequestHandler<SolveProblem, long>
{
    private static readonly HashSet<RunStatus> ProgramFailures = [RunStatus.CompileError, RunStatus.RuntimeError, RunStatus.Rejected, RunStatus.Timeout];

    public async ValueTask<long> Handle(SolveProblem request, CancellationToken cancellationToken)
    {
        // Claim the problem in one statement: one cancelled while it waited in the queue never starts. A side run
        // (verification, diagnosis) leaves the problem's status alone.
        var claimed = request.Options is not null ? await db.Problems.CountAsync(p => p.Id == request.ProblemId, cancellationToken) : await db.Problems
            .Where(p => p.Id == request.ProblemId && p.Status != ProblemStatus.Cancelled && p.Status != ProblemStatus.Cancelling)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.Status, ProblemStatus.Running).SetProperty(p => p.UpdatedAt, DateTimeOffset.UtcNow), cancellationToken);
        if (claimed == 0)
        {
            if (!await db.Problems.AnyAsync(p => p.Id == request.ProblemId, cancellationToken))
            {
                throw new InvalidOperationException($"Problem {request.ProblemId} does not exist.");
            }

            logger.LogInformation("Problem {Problem} was cancelled before it started", request.ProblemId);
            return 0;
        }

        var problem = await db.Problems.FirstAsync(p => p.Id == request.ProblemId, cancellationToken);
        var settings = options.Value;
        var clock = Stopwatch.StartNew();
        var timings = new Dictionary<string, double>();
        var usage = new List<ModelUsage>();
        var programs = new List<AttemptProgram>();
        var attempt = new Attempt { ProblemId = problem.Id, Status = AttemptStatus.Running, CreatedAt = DateTimeOffset.UtcNow };
        db.Attempts.Add(attempt);
        await db.SaveChangesAsync(cancellationToken);

        // Cancelled by the caller (Hangfire cancels the token when the job is deleted or the server stops) or by a
        // cancel request the watch finds in the database, whichever process made it.
        using var solve = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // A side run is not the problem's solve: a cancel request for the problem leaves it alone; its caller's token stops it.
        var watch = request.Options is null
            ? WatchForCancelAsync(problem.Id, TimeSpan.FromSeconds(settings.CancelCheckSeconds), solve)
            : Task.Delay(Timeout.Infinite, solve.Token);
        var interrupted = false;
        cancellationToken = solve.Token;
        try
        {
            var step = Stopwatch.StartNew();
            var forFormulation = await Adjust(await sender.Send(new RetrieveInsights(problem.Text, "formulation", null, Math.Max(settings.InsightsPerStage, 1)), cancellationToken), request.Options, cancellationToken);
            usage.AddRange(forFormulation.Usage ?? []); // the model-backed retrieval's calls are this attempt's too
            timings["retrieveFormulation"] = step.Elapsed.TotalMilliseconds;

            step.Restart();
            var formulationPrompt = prompts[PromptLibrary.Formulation];
            var tables = ProblemTable.Render(ProblemTable.Read(problem.Tables));
            var formulation = await AskAsync(new ModelCall(ModelRole.Base, "You formulate optimization problems precisely.",
                formulationPrompt.Render(new Dictionary<string, string>
                {
                    ["insights"] = Insights(forFormulation, settings),
                    ["problem"] = problem.Text,
                    ["tables"] = tables,
                }), Purpose: "formulation"), _ => null, usage, cancellationToken);
            attempt.Formulation = formulation;
            timings["formulate"] = step.Elapsed.TotalMilliseconds;

            step.Restart();
            var forProgram = await Adjust(await sender.Send(new RetrieveInsights(problem.Text, "program", formulation, Math.Max(settings.InsightsPerStage, 1)), cancellationToken), request.Options, cancellationToken);
            usage.AddRange(forProgram.Usage ?? []);
            timings["retrieveProgram"] = step.Elapsed.TotalMilliseconds;
            attempt.RetrievedInsights = new AttemptRetrieval(forFormulation, forProgram, request.Options?.Purpose);

            step.Restart();
            var programPrompt = prompts[PromptLibrary.Program];
            var written = await AskAsync(new ModelCall(ModelRole.Base, "You write C# models for Google OR-Tools.",
                programPrompt.Render(new Dictionary<string, string>
                {
                    ["contract"] = ContractPrompt.Text,
                    ["insights"] = Insights(forProgram, settings),
                    ["problem"] = problem.Text,
                    ["formulation"] = formulation,
                    ["tables"] = tables,
                }), Purpose: "program"), CodeBlocks.Check, usage, cancellationToken);
            timings["program"] = step.Elapsed.TotalMilliseconds;

            var source = CodeBlocks.Extract(written);
            var sandboxMs = 0.0;
            RunResult result;
            var round = 0;
            while (true)
            {
                step.Restart();
                result = await sandbox.RunAsync(new RunRequest(ProgramLanguage.CSharp, source, settings.SolverTimeLimitSeconds, problem.ExpectedObjective), cancellationToken);
                sandboxMs += step.Elapsed.TotalMilliseconds;
                programs.Add(new AttemptProgram(round, source, result.Status, result.Diagnostics));
                if (!ProgramFailures.Contains(result.Status) || round >= settings.MaxDebugRounds)
                {
                    break;
                }

                round++;
                var debug = await AskAsync(new ModelCall(ModelRole.Base, "You fix C# OR-Tools programs.",
                    prompts[PromptLibrary.SelfDebug].Render(new Dictionary<string, string>
                    {
                        ["diagnostics"] = string.Join('\n', result.Diagnostics.Select(d => $"line {d.Line}, column {d.Column}: {d.Message}")),
                        ["program"] = source,
                        ["formulation"] = formulation,
                        ["problem"] = problem.Text,
                    }), Purpose: $"self-debug {round}"), CodeBlocks.Check, usage, cancellationToken);
                source = CodeBlocks.Extract(debug);
            }

            timings["sandbox"] = sandboxMs;
            attempt.Program = source;
            attempt.SolverResult = result;
            attempt.Objective = result.Objective;
            attempt.Status = Verdict(result, problem.ExpectedObjective);
            attempt.PromptVersions = [formulationPrompt.Id, programPrompt.Id, prompts[PromptLibrary.SelfDebug].Id];
        }
        catch (ModelCallFailedException ex)
        {
            usage.AddRange(ex.Usage);
            attempt.Status = AttemptStatus.ModelFailed;
            attempt.Error = ex.Message;
        }
        catch (OperationCanceledException) when (solve.IsCancellationRequested)
        {
            attempt.Status = AttemptStatus.Cancelled;
            // A stopping server is not a cancel request: the problem goes back to the queue, and Hangfire re-runs
            // the job when the exception reaches it.
            interrupted = request.Options is not null || (!watch.IsCompletedSuccessfully && !await CancelRequestedAsync(problem.Id));
            attempt.Error = !interrupted ? "cancelled on request"
                : request.Options is null ? "interrupted: the server stopped; the problem is queued again"
                : "interrupted: the side run's caller stopped it";
        }
        finally
        {
            await solve.CancelAsync();
            await watch.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        attempt.Programs = programs;
        attempt.ModelUsage = usage;
        attempt.PromptTokens = usage.Sum(u => u.PromptTokens);
        attempt.CompletionTokens = usage.Sum(u => u.CompletionTokens);
        attempt.CostEstimate = usage.Sum(u => u.CostEstimate);
        timings["total"] = clock.Elapsed.TotalMilliseconds;
        attempt.Timings = timings;
        attempt.CompletedAt = DateTimeOffset.UtcNow;
        // A provider outage teaches nothing about modelling, and held-out problems and side runs (verification,
        // diagnosis, evaluation) are never learned from: only answers the library could have made right are queued.
        (attempt.QueuedForLearning, attempt.LearningNote) = LearningQueue.Decide(problem, attempt.Status, request.Options?.Purpose);
        problem.Status = request.Options is not null ? problem.Status : attempt.Status switch
        {
            AttemptStatus.Cancelled => interrupted ? ProblemStatus.Queued : ProblemStatus.Cancelled,
            AttemptStatus.Correct or AttemptStatus.Solved or AttemptStatus.Infeasible or AttemptStatus.Unbounded => ProblemStatus.Solved,
            _ => ProblemStatus.Failed,
        };
        problem.UpdatedAt = DateTimeOffset.UtcNow;
        await db.SaveChangesAsync(CancellationToken.None);
        logger.LogInformation("Problem {Problem}: attempt {Attempt} ended {Status} in {Ms:0} ms", problem.Id, attempt.Id, attempt.Status, clock.Elapsed.TotalMilliseconds);
        if (interrupted)
        {
            throw new OperationCanceledException("The solve was interrupted; the problem is queued again.");
        }

        return attempt.Id;
    }

    /// <summary>
    /// Looks for a cancel request every interval, on its own short-lived context (the handler's is busy), and cancels
    /// the solve when it finds one. Completes successfully only when it found one.
    /// </summary>
    private async Task WatchForCancelAsync(long problemId, TimeSpan interval, CancellationTokenSource solve)
    {
        while (true)
        {
            await Task.Delay(interval, solve.Token);
            try
            {
                if (await CancelRequestedAsync(problemId))
                {
                    logger.LogInformation("Problem {Problem}: cancel requested; stopping", problemId);
                    await solve.CancelAsync();
                    return;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Problem {Problem}: could not look for a cancel request; trying again", problemId);
            }
        }
    }

    private async Task<bool> CancelRequestedAsync(long problemId)
    {
        await using var scope = scopes.CreateAsyncScope();
        var fresh = scope.ServiceProvider.GetRequiredService<OptLibDbContext>();
        return await fresh.Problems.AnyAsync(p => p.Id == problemId && p.Status == ProblemStatus.Cancelling, CancellationToken.None);
    }

    /// <summary>A side run's retrieval: excluded insights out, extra ones of this stage in, after the retrieved ones.</summary>
    private async Task<RetrievalResult> Adjust(RetrievalResult retrieved, SolveOptions? options, CancellationToken ct)
    {
        if (options is null)
        {
            return retrieved;
        }

        var excluded = (options.ExcludedInsightIds ?? []).Concat(options.ExtraInsightIds ?? []).ToHashSet();
        var kept = retrieved.Insights.Where(r => !excluded.Contains(r.Insight.Id)).ToList();
        var extraIds = options.ExtraInsightIds ?? [];
        if (extraIds.Count > 0)
        {
            var stages = RetrievalStages.Stages(retrieved.Stage)!.Select(TaxonomyLabels.Normalise).ToHashSet();
            var tree = await TaxonomyTree.LoadAsync(db, ct);
            var extra = await db.Insights.AsNoTracking().Include(i => i.Taxonomy).Where(i => extraIds.Contains(i.Id)).OrderBy(i => i.Id).ToListAsync(ct);
            kept.AddRange(extra.Select(i => InsightDto.From(i, tree))
                .Where(dto => dto.Taxonomy.Any(t => stages.Contains(TaxonomyLabels.Normalise(t.Stage))))
                .Select(dto => new RetrievedInsight(dto, 0, 0, null, null, null, null, null, "added by " + options.Purpose)));
        }

        return retrieved with { Insights = kept.Select((r, index) => r with { Rank = index + 1 }).ToList() };
    }

    private static AttemptStatus Verdict(RunResult result, double? expected) => result.Status switch
    {
        RunStatus.Correct => AttemptStatus.Correct,
        RunStatus.WrongAnswer => AttemptStatus.WrongAnswer,
        RunStatus.Infeasible => expected is null ? AttemptStatus.Infeasible : AttemptStatus.WrongAnswer,
        RunStatus.Unbounded => expected is null ? AttemptStatus.Unbounded : AttemptStatus.WrongAnswer,
        RunStatus.Optimal or RunStatus.Feasible => AttemptStatus.Solved,
        _ => AttemptStatus.ProgramFailed,
    };

    private static string Insights(RetrievalResult retrieved, PipelineOptions settings)
    {
        if (retrieved.Insights.Count == 0)
        {
            return "(none)";
        }

        var text = new StringBuilder();
        foreach (var r in retrieved.Insights)
        {
            text.Append("[I").Append(r.Insight.Id).Append("] ").AppendLine(r.Insight.Explanation);
            if (settings.IncludeExamples && !string.IsNullOrWhiteSpace(r.Insight.Example))
            {
                text.Append("    Example: ").AppendLine(r.Insight.Example);
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// One model call whose reply must be usable text: an empty reply, or one that fails the check, is asked again
    /// within <see cref="PipelineOptions.ReplyAttempts"/> and then ends the attempt as ModelFailed. Every answered
    /// call's usage is recorded, the failed ones too.
    /// </summary>
    private async Task<string> AskAsync(ModelCall call, Func<string, string?> check, List<ModelUsage> usage, CancellationToken ct)
    {
        var reply = await JsonReplies.AskTextAsync(model, call, check, options.Value.ReplyAttempts, ct);
        usage.AddRange(reply.Usage);
        return reply.Value;
    }
}
