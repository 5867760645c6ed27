using System.Text.Json.Serialization;

namespace OptLib.Solver.Runs;

[JsonConverter(typeof(JsonStringEnumConverter<RunStatus>))]
public enum RunStatus
{
    // What the solver proved. Feasible means it stopped at the time limit with a solution.
    Optimal,
    Feasible,
    Infeasible,
    Unbounded,

    // What went wrong with the program.
    Rejected,
    CompileError,
    RuntimeError,
    Timeout,
    MemoryLimit,
    OutputLimit,

    // With an expected objective: the verdict.
    Correct,
    WrongAnswer,

    /// <summary>Solved, but a second solver disagreed with the answer (see <see cref="RunResult.CrossCheck"/>): neither correct nor trusted.</summary>
    Unverified,
}

/// <summary>A finding about the program: a policy violation, a compile error or what stopped the run.</summary>
/// <param name="Kind">Policy, Compile, Runtime, Solver, Memory, Output, Timeout or Sandbox.</param>
/// <param name="Line">1-based line in the submitted source, 0 when it does not apply.</param>
/// <param name="Symbol">The offending symbol (for a policy violation) or the compiler's diagnostic id.</param>
public sealed record Diagnostic(string Kind, int Line, int Column, string? Symbol, string Message)
{
    /// <summary>"line L, column C: message", one diagnostic a line: how a model is told what went wrong.</summary>
    public static string Lines(IEnumerable<Diagnostic> diagnostics) =>
        string.Join('\n', diagnostics.Select(d => $"line {d.Line}, column {d.Column}: {d.Message}"));
}

public sealed record RunTimings(double PolicyMs, double CompileMs, double RunMs, double TotalMs);

/// <summary>The host's own check of the reported solution against the model's coefficients.</summary>
/// <param name="Checked">False when there was no solution or no linear model to check.</param>
/// <param name="Feasible">Every bound, integrality and linear row holds within tolerance.</param>
/// <param name="ObjectiveMatches">The recomputed objective equals what the solver reported.</param>
/// <param name="UncheckedConstraints">Constraints that are not linear rows (CP-SAT globals, indicators).</param>
public sealed record Verification(
    bool Checked,
    bool Feasible,
    bool ObjectiveMatches,
    double? RecomputedObjective,
    double MaxViolation,
    int UncheckedConstraints,
    IReadOnlyList<string> Issues)
{
    public static readonly Verification NotChecked = new(false, false, false, null, 0, 0, []);

    public bool Passed => Checked && Feasible && ObjectiveMatches;
}

public sealed record RunResult(
    RunStatus Status,
    RunStatus? SolverStatus,
    double? Objective,
    double? Bound,
    double? ExpectedObjective,
    IReadOnlyDictionary<string, double> Variables,
    string? Solver,
    RunTimings Timings,
    string Isolation,
    bool IsolationDegraded,
    Verification Verification,
    IReadOnlyList<Diagnostic> Diagnostics,
    string Output,
    bool OutputTruncated,
    // Left out when absent (a CP-SAT model, a failed run, an attempt stored before they existed), so that such a
    // result reads and serves exactly as it was stored.
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Sensitivity? Sensitivity = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Infeasibility? Infeasibility = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] CrossCheck? CrossCheck = null)
{
    /// <summary>What a model is told about a run: the diagnostics one a line, then for an infeasible model the
    /// constraints and bounds that cannot hold together.</summary>
    public string DiagnosticLines() =>
        Diagnostic.Lines(Diagnostics) + (Infeasibility is { } conflict ? "\n" + conflict.Describe() : string.Empty);
}
