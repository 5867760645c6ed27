using Mediator;

namespace OptLib.Solver.Runs;

/// <summary>
/// The HTTP body of <c>POST /api/solver/runs</c> and the Mediator request behind it. Loose types on purpose:
/// <see cref="Validate"/> turns a bad field into a message naming it, rather than a serializer error.
/// </summary>
public sealed record RunProgram(
    string? Language,
    string? Source,
    double? TimeLimitSeconds = null,
    double? ExpectedObjective = null,
    string? Tolerance = null,
    bool CrossCheck = false) : IRequest<RunResult>
{
    /// <summary>True when the source is larger than <see cref="SolverOptions.MaxSourceBytes"/> (413, not 400).</summary>
    public bool IsOversized(SolverOptions options) =>
        Source is { } s && System.Text.Encoding.UTF8.GetByteCount(s) > options.MaxSourceBytes;

    public Dictionary<string, string[]> Validate(SolverOptions options)
    {
        var errors = new Dictionary<string, string[]>();
        if (ParseLanguage(Language) is null)
            errors["language"] = ["language must be \"csharp\", \"lp\" or \"mps\""];
        if (string.IsNullOrWhiteSpace(Source))
            errors["source"] = ["source is required"];
        else if (ParseLanguage(Language) == ProgramLanguage.Lp && LpDialect.CplexRefusal(Source) is { } cplex)
            errors["source"] = [cplex];
        if (TimeLimitSeconds is { } t && (!double.IsFinite(t) || t <= 0 || t > options.MaxTimeLimitSeconds))
            errors["timeLimitSeconds"] = [$"timeLimitSeconds must be greater than 0 and at most {options.MaxTimeLimitSeconds}"];
        if (ExpectedObjective is { } e && !double.IsFinite(e))
            errors["expectedObjective"] = ["expectedObjective must be a finite number"];
        if (ParseTolerance(Tolerance) is null)
            errors["tolerance"] = ["tolerance must be \"default\" or \"alphaopt\""];
        return errors;
    }

    /// <summary>
    /// LP or MPS text the solver could not read is bad input (a 400 naming the line), not a program that failed; null
    /// for any other result.
    /// </summary>
    public Dictionary<string, string[]>? UnreadableText(RunResult result)
    {
        var language = ParseLanguage(Language);
        if (result.Status != RunStatus.CompileError || language is not (ProgramLanguage.Lp or ProgramLanguage.Mps))
            return null;
        var hint = language == ProgramLanguage.Lp ? $". {LpDialect.Accepted} Send a model in another LP dialect as MPS (language \"mps\")." : ".";
        return new Dictionary<string, string[]> { ["source"] = [.. result.Diagnostics.Select(d => d.Message + hint)] };
    }

    /// <summary>The typed request; call only after <see cref="Validate"/> found nothing.</summary>
    public RunRequest ToRunRequest() => new(
        ParseLanguage(Language) ?? throw new InvalidOperationException("validate first"),
        Source ?? "",
        TimeLimitSeconds,
        ExpectedObjective,
        ParseTolerance(Tolerance) ?? ToleranceRule.Default,
        CrossCheck);

    private static ProgramLanguage? ParseLanguage(string? language) => language?.ToLowerInvariant() switch
    {
        "csharp" or "c#" => ProgramLanguage.CSharp,
        "lp" => ProgramLanguage.Lp,
        "mps" => ProgramLanguage.Mps,
        _ => null,
    };

    private static ToleranceRule? ParseTolerance(string? tolerance) => tolerance?.ToLowerInvariant() switch
    {
        null or "" or "default" => ToleranceRule.Default,
        "alphaopt" => ToleranceRule.AlphaOpt,
        _ => null,
    };
}
