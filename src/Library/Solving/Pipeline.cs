using System.Diagnostics;
using System.Text;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OptLib.Library.Attempts;
using OptLib.Library.Insights;
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
/// A side run (verification, diagnosis, an evaluation, a comparison): extra insights are put in the prompts of the
/// stages they are filed under, and excluded ones are left out. With a snapshot, retrieval draws on that snapshot's
/// insight versions instead of the current library. The purpose is recorded with the retrieved insights.
/// </summary>
/// <param name="CrossCheck">Solve each solved linear model again with a second solver (evaluations and comparisons).</param>
public sealed record SideRun(string Purpose, IReadOnlyList<long>? ExtraInsightIds = null, IReadOnlyList<long>? ExcludedInsightIds = null, long? Snapshot = null,
    bool CrossCheck = false);

/// <summary>Everything one pass through the pipeline did, for the attempt that records it.</summary>
public sealed record PipelineRun(
    AttemptStatus Status,
    string? Formulation,
    string? Program,
    RunResult? Result,
    RetrievalResult? ForFormulation,
    RetrievalResult? ForProgram,
    string? Purpose,
    IReadOnlyList<AttemptProgram> Programs,
    IReadOnlyList<ModelUsage> Usage,
    IReadOnlyDictionary<string, double> Timings,
    IReadOnlyList<string>? PromptVersions,
    string? Error,
    ClarificationRequest? Clarification = null,
    AnswerConfidence? Confidence = null)
{
    /// <summary>Its token was cancelled: by a cancel request, a stopping server, or a side run's caller.</summary>
    public bool Cancelled => Status == AttemptStatus.Cancelled;

    /// <summary>Records the run on its attempt, which ends with it; what happens to the problem is the caller's.</summary>
    public void WriteTo(Attempt attempt)
    {
        attempt.Status = Status;
        attempt.Formulation = Formulation;
        attempt.Program = Program;
        attempt.Objective = Result?.Objective;
        attempt.SolverResult = Result;
        attempt.RetrievedInsights = ForFormulation is not null && ForProgram is not null ? new AttemptRetrieval(ForFormulation, ForProgram, Purpose) : null;
        attempt.Programs = [.. Programs];
        attempt.ModelUsage = [.. Usage];
        attempt.Timings = new Dictionary<string, double>(Timings);
        attempt.PromptVersions = PromptVersions is null ? null : [.. PromptVersions];
        attempt.PromptTokens = Usage.Sum(u => u.PromptTokens);
        attempt.CompletionTokens = Usage.Sum(u => u.CompletionTokens);
        attempt.CostEstimate = Usage.Sum(u => u.CostEstimate);
        attempt.Error = Error;
        attempt.Clarification = Clarification;
        attempt.Confidence = Confidence;
        attempt.CompletedAt = DateTimeOffset.UtcNow;
    }
}

/// <summary>
/// The pipeline, with no lifecycle of its own: retrieve for the formulation, formulate, retrieve for the program with
/// the formulation in hand, write the program, run it in the sandbox, and self-debug on program failures. It reads
/// the library and writes nothing; the problem's solve and learning's side runs record what it returns.
/// </summary>
public sealed class Pipeline(
    OptLibDbContext db,
    ISender sender,
    IChatModel model,
    ISandbox sandbox,
    PromptLibrary prompts,
    IOptions<PipelineOptions> options)
{
    private const string ProgramRole = "You write C# models for Google OR-Tools.";

    private static readonly HashSet<RunStatus> ProgramFailures = [RunStatus.CompileError, RunStatus.RuntimeError, RunStatus.Rejected, RunStatus.Timeout];

    /// <summary>
    /// Runs the problem through every step. A model that gives no usable reply ends it ModelFailed, and a cancelled
    /// token ends it Cancelled, each with what was done until then; other failures are thrown.
    /// </summary>
    public async Task<PipelineRun> RunAsync(Problem problem, SideRun? side, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var clock = Stopwatch.StartNew();
        var text = ProblemText.ForModel(problem); // with the answers to any questions asked before
        var timings = new Dictionary<string, double>();
        var usage = new List<ModelUsage>();
        var programs = new List<AttemptProgram>();
        string? formulation = null;
        RetrievalResult? forFormulation = null, forProgram = null;
        try
        {
            var step = Stopwatch.StartNew();
            forFormulation = await Adjust(await sender.Send(new RetrieveInsights(text, "formulation", null, Math.Max(settings.InsightsPerStage, 1), Snapshot: side?.Snapshot), cancellationToken), side, cancellationToken);
            usage.AddRange(forFormulation.Usage ?? []); // the model-backed retrieval's calls are this attempt's too
            timings["retrieveFormulation"] = step.Elapsed.TotalMilliseconds;

            step.Restart();
            var formulationPrompt = prompts[PromptLibrary.Formulation];
            var tables = ProblemTable.Render(ProblemTable.Read(problem.Tables));
            formulation = await AskAsync(new ModelCall(ModelRole.Base, "You formulate optimization problems precisely.",
                formulationPrompt.Render(new Dictionary<string, string>
                {
                    ["insights"] = Insights(forFormulation, settings),
                    ["problem"] = text,
                    ["tables"] = tables,
                }), Purpose: "formulation"), _ => null, usage, cancellationToken);
            timings["formulate"] = step.Elapsed.TotalMilliseconds;
            if (ClarificationRequest.Read(formulation) is { } questions)
            {
                // Missing data or two readings: the model asked instead of guessing, so nothing is programmed or solved.
                formulation = null;
                return Ended(AttemptStatus.NeedsClarification, null, null, null, [formulationPrompt.Id], questions);
            }

            step.Restart();
            forProgram = await Adjust(await sender.Send(new RetrieveInsights(text, "program", formulation, Math.Max(settings.InsightsPerStage, 1), Snapshot: side?.Snapshot), cancellationToken), side, cancellationToken);
            usage.AddRange(forProgram.Usage ?? []);
            timings["retrieveProgram"] = step.Elapsed.TotalMilliseconds;

            step.Restart();
            var programPrompt = prompts[PromptLibrary.Program];
            var programText = programPrompt.Render(new Dictionary<string, string>
            {
                ["contract"] = ContractPrompt.Text,
                ["insights"] = Insights(forProgram, settings),
                ["problem"] = text,
                ["formulation"] = formulation,
                ["tables"] = tables,
            });
            var written = await AskAsync(new ModelCall(ModelRole.Base, ProgramRole, programText, Purpose: "program"), CodeBlocks.Check, usage, cancellationToken);
            timings["program"] = step.Elapsed.TotalMilliseconds;

            var source = CodeBlocks.Extract(written);
            var sandboxMs = 0.0;
            RunResult result;
            var round = 0;
            while (true)
            {
                step.Restart();
                result = await sandbox.RunAsync(new RunRequest(ProgramLanguage.CSharp, source, settings.SolverTimeLimitSeconds, problem.ExpectedObjective,
                    CrossCheck: settings.CrossCheck || side?.CrossCheck == true), cancellationToken);
                sandboxMs += step.Elapsed.TotalMilliseconds;
                programs.Add(new AttemptProgram(round, source, result.Status, result.Diagnostics));
                // An infeasible linear model comes back with the constraints that cannot hold together: almost always
                // a formulation slip the model can fix when it is told which ones.
                var conflict = result.SolverStatus == RunStatus.Infeasible ? result.Infeasibility : null;
                if ((!ProgramFailures.Contains(result.Status) && conflict is null) || round >= settings.MaxDebugRounds)
                {
                    break;
                }

                round++;
                var debug = await AskAsync(new ModelCall(ModelRole.Base, "You fix C# OR-Tools programs.",
                    prompts[PromptLibrary.SelfDebug].Render(new Dictionary<string, string>
                    {
                        ["diagnostics"] = result.DiagnosticLines(),
                        ["program"] = source,
                        ["formulation"] = formulation,
                        ["problem"] = text,
                    }), Purpose: $"self-debug {round}"), CodeBlocks.Check, usage, cancellationToken);
                var revised = CodeBlocks.Extract(debug);
                if (conflict is not null && revised == source)
                {
                    break; // the model says the problem itself has no solution: running the same program again proves nothing new
                }

                source = revised;
            }

            timings["sandbox"] = sandboxMs;
            AnswerConfidence? confidence = null;
            if (settings.Samples > 1 && result.Objective is { } answer && result.SolverStatus is RunStatus.Optimal or RunStatus.Feasible)
            {
                // Independent programs from the same prompt: do they reach the same objective?
                step.Restart();
                var objectives = new List<double?> { answer };
                for (var k = 2; k <= settings.Samples; k++)
                {
                    var sample = await AskAsync(new ModelCall(ModelRole.Base, ProgramRole, programText, Purpose: $"program sample {k}"), CodeBlocks.Check, usage, cancellationToken);
                    var run = await sandbox.RunAsync(new RunRequest(ProgramLanguage.CSharp, CodeBlocks.Extract(sample), settings.SolverTimeLimitSeconds, null), cancellationToken);
                    objectives.Add(run.Status is RunStatus.Optimal or RunStatus.Feasible ? run.Objective : null);
                }

                var agreeing = objectives.Count(o => o is { } x && Math.Abs(x - answer) <= 1e-6 * Math.Max(1, Math.Max(Math.Abs(x), Math.Abs(answer))));
                confidence = new AnswerConfidence(objectives, agreeing, Math.Round((double)agreeing / objectives.Count, 4));
                timings["samples"] = step.Elapsed.TotalMilliseconds;
            }

            return Ended(Verdict(result, problem.ExpectedObjective), source, result, null,
                [formulationPrompt.Id, programPrompt.Id, prompts[PromptLibrary.SelfDebug].Id]) with { Confidence = confidence };
        }
        catch (ModelCallFailedException ex)
        {
            usage.AddRange(ex.Usage);
            return Ended(AttemptStatus.ModelFailed, null, null, ex.Message, null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Ended(AttemptStatus.Cancelled, null, null, null, null);
        }

        PipelineRun Ended(AttemptStatus status, string? program, RunResult? result, string? error, IReadOnlyList<string>? promptVersions, ClarificationRequest? questions = null)
        {
            timings["total"] = clock.Elapsed.TotalMilliseconds;
            return new PipelineRun(status, formulation, program, result, forFormulation, forProgram, side?.Purpose, programs, usage, timings,
                promptVersions, error, questions);
        }
    }

    /// <summary>A side run's retrieval: excluded insights out, extra ones of this stage in, after the retrieved ones.</summary>
    private async Task<RetrievalResult> Adjust(RetrievalResult retrieved, SideRun? side, CancellationToken ct)
    {
        if (side is null)
        {
            return retrieved;
        }

        var excluded = (side.ExcludedInsightIds ?? []).Concat(side.ExtraInsightIds ?? []).ToHashSet();
        var kept = retrieved.Insights.Where(r => !excluded.Contains(r.Insight.Id)).ToList();
        var extraIds = side.ExtraInsightIds ?? [];
        if (extraIds.Count > 0)
        {
            var stages = RetrievalStages.Stages(retrieved.Stage)!.Select(TaxonomyLabels.Normalise).ToHashSet();
            var tree = await TaxonomyTree.LoadAsync(db, ct);
            var extra = await db.Insights.AsNoTracking().Include(i => i.Taxonomy).Where(i => extraIds.Contains(i.Id)).OrderBy(i => i.Id).ToListAsync(ct);
            kept.AddRange(extra.Select(i => InsightDto.From(i, tree))
                .Where(dto => dto.Taxonomy.Any(t => stages.Contains(TaxonomyLabels.Normalise(t.Stage))))
                .Select(dto => new RetrievedInsight(dto, 0, 0, null, null, null, null, null, "added by " + side.Purpose)));
        }

        return retrieved with { Insights = kept.Select((r, index) => r with { Rank = index + 1 }).ToList() };
    }

    /// <summary>The attempt's verdict on what the sandbox said; without a known answer, a solved model is Solved.</summary>
    internal static AttemptStatus Verdict(RunResult result, double? expected) => result.Status switch
    {
        RunStatus.Correct => AttemptStatus.Correct,
        RunStatus.WrongAnswer => AttemptStatus.WrongAnswer,
        RunStatus.Unverified => AttemptStatus.Unverified,
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
