using System.Diagnostics;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OptLib.Library.Attempts;
using OptLib.Library.Models;
using OptLib.Library.Problems;
using OptLib.Library.Prompts;
using OptLib.Library.Storage;
using OptLib.Library.Validation;
using OptLib.Solver.Runs;
using OptLib.Solver.Sandbox;

namespace OptLib.Library.Solving;

/// <summary>
/// "What if demand were 10% higher?": the model edits the formulation and the program of the problem's latest solved
/// attempt for the change, the sandbox runs the edit, and the answer sets the new objective and every changed variable
/// beside the original. The run is kept as a child attempt of the original; it never changes the problem's status or
/// answer, and is never learned from. Null when there is no such problem.
/// </summary>
public sealed record WhatIf(long ProblemId, string Change, string Actor) : IRequest<WhatIfResult?>, IValidatable
{
    public const int MaxChange = 4_000;

    public IEnumerable<(string Field, string Error)> Validate()
    {
        if (string.IsNullOrWhiteSpace(Change))
        {
            yield return (nameof(Change), "Say what changes, for example \"demand is 10% higher\".");
        }
        else if (Change.Length > MaxChange)
        {
            yield return (nameof(Change), $"The change is longer than {MaxChange} characters.");
        }
    }
}

/// <param name="Variables">Every reported variable of either run, the changed ones first, then by name.</param>
public sealed record WhatIfResult(long AttemptId, long ParentAttemptId, string Change, WhatIfSide Original, WhatIfSide Changed,
    IReadOnlyList<WhatIfVariable> Variables, string? Error);

public sealed record WhatIfSide(string Status, double? Objective);

public sealed record WhatIfVariable(string Name, double? Original, double? Changed, bool Differs);

public sealed class WhatIfHandler(OptLibDbContext db, IChatModel model, ISandbox sandbox, PromptLibrary prompts, IOptions<PipelineOptions> options)
    : IRequestHandler<WhatIf, WhatIfResult?>
{
    /// <summary>Values closer than this (relative, or absolute near zero) read as unchanged.</summary>
    private const double Tolerance = 1e-6;

    public async ValueTask<WhatIfResult?> Handle(WhatIf request, CancellationToken cancellationToken)
    {
        if (!model.IsConfigured)
        {
            throw new ModelNotConfiguredException();
        }

        var problem = await db.Problems.AsNoTracking().FirstOrDefaultAsync(p => p.Id == request.ProblemId, cancellationToken);
        if (problem is null)
        {
            return null;
        }

        var original = await db.Attempts.AsNoTracking()
            .Where(a => a.ProblemId == problem.Id && a.ParentAttemptId == null && a.Program != null && a.Formulation != null && a.Objective != null)
            .OrderByDescending(a => a.Id).FirstOrDefaultAsync(cancellationToken)
            ?? throw new ConflictException("The problem has no solved model to change.",
                $"Problem {problem.Id} has no attempt with a formulation, a program and an objective; a what-if edits one.",
                new Dictionary<string, object?> { ["status"] = problem.Status.ToString().ToLowerInvariant() });

        var settings = options.Value;
        var clock = Stopwatch.StartNew();
        var attempt = await AttemptStart.SaveAsync(db, problem.Id, cancellationToken);
        attempt.ParentAttemptId = original.Id;
        attempt.WhatIf = request.Change.Trim();
        var template = prompts[PromptLibrary.WhatIf];
        var call = new ModelCall(ModelRole.Base, "You edit optimization models for a what-if question.", template.Render(new Dictionary<string, string>
        {
            ["change"] = attempt.WhatIf,
            ["formulation"] = original.Formulation!,
            ["program"] = original.Program!,
            ["problem"] = ProblemText.ForModel(problem),
        }), Purpose: "what-if");
        // Recorded as a pipeline run is (PipelineRun.WriteTo): the usage, tokens, cost and timings the same way.
        var usage = new List<ModelUsage>();
        var programs = new List<AttemptProgram>();
        string? formulation = null, program = null, error = null;
        RunResult? result = null;
        AttemptStatus status;
        try
        {
            var reply = await JsonReplies.AskTextAsync(model, call, CodeBlocks.Check, settings.ReplyAttempts, cancellationToken);
            usage.AddRange(reply.Usage);
            program = CodeBlocks.Extract(reply.Value);
            formulation = reply.Value[..Math.Max(0, reply.Value.IndexOf("```", StringComparison.Ordinal))].Trim();
            result = await sandbox.RunAsync(new RunRequest(ProgramLanguage.CSharp, program, settings.SolverTimeLimitSeconds, null), cancellationToken);
            programs.Add(new AttemptProgram(0, program, result.Status, result.Diagnostics));
            status = Pipeline.Verdict(result, expected: null);
        }
        catch (ModelCallFailedException e)
        {
            usage.AddRange(e.Usage);
            (status, error) = (AttemptStatus.ModelFailed, e.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away: the attempt is closed, not left running.
            (status, error) = (AttemptStatus.Cancelled, "cancelled: the request ended before the what-if did");
        }

        new PipelineRun(status, formulation, program, result, null, null, "what-if", programs, usage,
            new Dictionary<string, double> { ["total"] = clock.Elapsed.TotalMilliseconds }, [template.Id], error).WriteTo(attempt);
        attempt.LearningNote = "a what-if of attempt " + original.Id + ": what-ifs are never learned from";
        await db.SaveChangesAsync(CancellationToken.None);
        cancellationToken.ThrowIfCancellationRequested();

        var before = original.SolverResult?.Variables ?? new Dictionary<string, double>();
        var after = result?.Variables ?? new Dictionary<string, double>();
        var variables = before.Keys.Union(after.Keys)
            .Select(name => (Name: name, Original: before.TryGetValue(name, out var o) ? o : (double?)null, Changed: after.TryGetValue(name, out var c) ? c : (double?)null))
            .Select(v => new WhatIfVariable(v.Name, v.Original, v.Changed, !Same(v.Original, v.Changed)))
            .OrderByDescending(v => v.Differs).ThenBy(v => v.Name, StringComparer.Ordinal).ToList();
        return new WhatIfResult(attempt.Id, original.Id, attempt.WhatIf, new WhatIfSide(original.Status.ToString(), original.Objective),
            new WhatIfSide(attempt.Status.ToString(), attempt.Objective), variables, attempt.Error);
    }

    private static bool Same(double? a, double? b) =>
        a is { } x && b is { } y ? Math.Abs(x - y) <= Tolerance * Math.Max(1, Math.Max(Math.Abs(x), Math.Abs(y))) : a is null && b is null;
}
