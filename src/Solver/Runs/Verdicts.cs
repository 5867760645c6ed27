using OptLib.Solver.Sandbox;
using OptLib.Solver.Checking;
using OptLib.Solver.Wire;

namespace OptLib.Solver.Runs;

/// <summary>Turns what a runner said (or how it died) into the result a caller sees, with the host's own check.</summary>
internal static class Verdicts
{
    public static RunResult Conclude(RunRequest request, RunnerOutcome outcome, SolverOptions options, ISandboxInfo sandbox, double totalMs)
    {
        if (outcome.Report is not { } report)
            return Failure(request, options, sandbox, outcome.FailureStatus ?? RunnerStatus.RuntimeError,
                outcome.FailureStatus == RunnerStatus.Timeout ? "Timeout" : "Runtime", outcome.FailureMessage ?? "the runner died", totalMs);

        var solverStatus = Enum.Parse<RunStatus>(report.Status);
        var solved = solverStatus is RunStatus.Optimal or RunStatus.Feasible;
        var verification = solved
            ? AnswerCheck.Check(report.Model, report.Solution, report.Objective, options.FeasibilityTolerance)
            : Verification.NotChecked;

        var status = solverStatus;
        if (request.ExpectedObjective is { } expected && solverStatus is RunStatus.Optimal or RunStatus.Feasible or RunStatus.Infeasible or RunStatus.Unbounded)
        {
            var right = solved
                && report.Objective is { } objective
                && AnswerCheck.SameObjective(objective, expected, request.Tolerance, options.RelativeTolerance, options.AbsoluteTolerance)
                && (!verification.Checked || verification.Passed);
            status = right ? RunStatus.Correct : RunStatus.WrongAnswer;
        }

        // A second solver that disagrees leaves the answer unverified: never Correct, whatever the first one said.
        if (report.CrossCheck is { Agrees: false } && status is RunStatus.Correct or RunStatus.Optimal or RunStatus.Feasible)
        {
            status = RunStatus.Unverified;
        }

        return new RunResult(
            status,
            IsSolverOutcome(solverStatus) ? solverStatus : null,
            report.Objective,
            report.Bound,
            request.ExpectedObjective,
            report.Variables,
            report.Solver,
            new RunTimings(report.PolicyMs, report.CompileMs, report.RunMs, totalMs),
            sandbox.Isolation,
            sandbox.Degraded,
            verification,
            report.Diagnostics.Select(d => new Diagnostic(d.Kind, d.Line, d.Column, d.Symbol, d.Message)).ToList(),
            report.Output,
            report.OutputTruncated,
            report.Sensitivity,
            report.Infeasibility,
            report.CrossCheck);
    }

    public static RunResult Failure(RunRequest request, SolverOptions options, ISandboxInfo sandbox, string status, string kind, string message, double totalMs) =>
        new(Enum.Parse<RunStatus>(status), null, null, null, request.ExpectedObjective,
            new Dictionary<string, double>(), null, new RunTimings(0, 0, 0, totalMs),
            sandbox.Isolation, sandbox.Degraded, Verification.NotChecked,
            [new Diagnostic(kind, 0, 0, null, message)], "", false);

    private static bool IsSolverOutcome(RunStatus status) =>
        status is RunStatus.Optimal or RunStatus.Feasible or RunStatus.Infeasible or RunStatus.Unbounded;
}
