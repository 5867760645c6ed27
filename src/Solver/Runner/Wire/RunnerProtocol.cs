// This file is compiled into both the runner and OptLib.Solver: it is the line protocol between them.
// One JSON object per line. The runner says Ready once warm, reads one RunnerJob from stdin, answers with one
// RunnerReport on its protocol stream, then exits: a runner never sees a second program.
using OptLib.Solver.Runs;

namespace OptLib.Solver.Wire;

internal sealed record RunnerJob(
    string Language,
    string Source,
    double TimeLimitSeconds,
    int OutputLimitChars,
    int NativeMemoryLimitMb,
    int CpSatWorkers,
    bool CrossCheck = false);

internal sealed record RunnerReady(bool Ready, double WarmupMs);

internal sealed record RunnerReport(
    string Status,
    string? Solver,
    double? Objective,
    double? Bound,
    Dictionary<string, double> Variables,
    List<RunnerDiagnostic> Diagnostics,
    string Output,
    bool OutputTruncated,
    double PolicyMs,
    double CompileMs,
    double RunMs,
    LinearSnapshot? Model,
    double[]? Solution,
    Sensitivity? Sensitivity = null,
    Infeasibility? Infeasibility = null,
    CrossCheck? CrossCheck = null);

internal sealed record RunnerDiagnostic(string Kind, int Line, int Column, string? Symbol, string Message);

/// <summary>
/// The linear part of a solved model, exported by the runner so that the host can check the answer without
/// trusting the solver: bounds, integrality, rows and objective coefficients.
/// </summary>
internal sealed record LinearSnapshot(
    bool Maximize,
    double ObjectiveOffset,
    double[] Lower,
    double[] Upper,
    bool[] Integer,
    double[] Cost,
    List<LinearRow> Rows,
    int UncheckedConstraints);

internal sealed record LinearRow(string? Name, double Lower, double Upper, int[] Index, double[] Coefficient);

internal static class RunnerStatus
{
    public const string Optimal = "Optimal";
    public const string Feasible = "Feasible";
    public const string Infeasible = "Infeasible";
    public const string Unbounded = "Unbounded";
    public const string Rejected = "Rejected";
    public const string CompileError = "CompileError";
    public const string RuntimeError = "RuntimeError";
    public const string Timeout = "Timeout";
    public const string MemoryLimit = "MemoryLimit";
    public const string OutputLimit = "OutputLimit";
}
