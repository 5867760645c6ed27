using System.Globalization;
using Google.OrTools.Sat;
using OptLib.Solver.Wire;
using LinearSolver = Google.OrTools.LinearSolver.Solver;
using MbModel = Google.OrTools.ModelBuilder.Model;
using MbSolver = Google.OrTools.ModelBuilder.Solver;
using MbStatus = Google.OrTools.ModelBuilder.SolveStatus;

namespace OptLib.Solver.Runner.Harness;

internal sealed record SolveOutcome(
    string Status,
    string Solver,
    double? Objective,
    double? Bound,
    Dictionary<string, double> Variables,
    LinearSnapshot? Model,
    double[]? Solution,
    List<RunnerDiagnostic> Diagnostics,
    OptLib.Solver.Runs.Sensitivity? Sensitivity = null,
    OptLib.Solver.Runs.Infeasibility? Infeasibility = null,
    OptLib.Solver.Runs.CrossCheck? CrossCheck = null);

/// <summary>The harness side of the contract: it solves whatever the program registered, under our limits.</summary>
internal static class ModelSolving
{
    private const int MaxReportedVariables = 10_000;

    public static SolveOutcome Solve(ModelContext ctx, RunnerJob job)
    {
        if (ctx.LinearSolver is { } linear)
            return SolveLinear(linear, ctx, job, Deadline.After(job.TimeLimitSeconds));
        if (ctx.CpModel is { } cp)
            return SolveCp(cp, ctx, job);
        if (ctx.Model is { } model)
            return SolveModel(model, ctx.ModelBuilderSolver, ctx.ModelReports.Select(r => (r.Name, r.Variable.Index)).ToList(), job, Deadline.After(job.TimeLimitSeconds));
        return Failed(RunnerStatus.RuntimeError, "none", "Build registered no model: call ctx.Use(solver), ctx.Use(cpModel) or ctx.Use(model).");
    }

    public static SolveOutcome SolveText(RunnerJob job)
    {
        var deadline = Deadline.After(job.TimeLimitSeconds);
        var model = new MbModel();
        var parsed = job.Language == "lp" ? model.ImportFromLpString(job.Source) : model.ImportFromMpsString(job.Source);
        if (!parsed || model.VariablesCount() == 0)
        {
            var (line, message) = !parsed && job.Language == "lp" ? LpStoppedAt(job.Source)
                : (1, parsed ? $"the {job.Language.ToUpperInvariant()} text declares no variable" : "the MPS text could not be parsed");
            return new SolveOutcome(RunnerStatus.CompileError, "none", null, null, [], null, null,
                [new RunnerDiagnostic("Compile", line, 1, job.Language, message)]);
        }

        var helper = model.Helper;
        var anyInteger = Enumerable.Range(0, helper.VariablesCount()).Any(helper.VarIsIntegral);
        return SolveModel(model, anyInteger ? "scip" : "glop", [], job, deadline);
    }

    /// <summary>
    /// OR-Tools' LP parser answers only yes or no, so the statement it stops at is found by parsing prefixes: every
    /// prefix of statements before the bad one parses (variables need no declaration), none that includes it does.
    /// </summary>
    private static (int Line, string Message) LpStoppedAt(string source)
    {
        var ends = new List<int>();
        for (var i = source.IndexOf(';', StringComparison.Ordinal); i >= 0; i = source.IndexOf(';', i + 1))
            ends.Add(i + 1);
        if (ends.Count == 0 || !string.IsNullOrWhiteSpace(source[ends[^1]..]))
            ends.Add(source.Length);

        int low = 0, high = ends.Count - 1; // the first statement whose prefix fails is in [low, high]
        while (low < high)
        {
            var mid = (low + high) / 2;
            if (new MbModel().ImportFromLpString(source[..ends[mid]]))
                low = mid + 1;
            else
                high = mid;
        }

        var start = low == 0 ? 0 : ends[low - 1];
        var statement = source[start..ends[low]];
        var offset = start + (statement.Length - statement.TrimStart().Length);
        var line = 1 + source.AsSpan(0, offset).Count('\n');
        var text = string.Join(' ', statement.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return (line, $"the LP text could not be parsed: OR-Tools' LP parser stopped at line {line}, in '{(text.Length > 120 ? text[..120] + "..." : text)}'");
    }

    private static SolveOutcome SolveLinear(LinearSolver solver, ModelContext ctx, RunnerJob job, Deadline deadline)
    {
        var name = solver.SolverVersion();
        solver.SetTimeLimit((long)(job.TimeLimitSeconds * 1000));
        if (name.Contains("SCIP", StringComparison.OrdinalIgnoreCase))
            solver.SetSolverSpecificParametersAsString(string.Create(CultureInfo.InvariantCulture, $"limits/memory = {job.NativeMemoryLimitMb}\n"));
        var result = solver.Solve();
        if (result == LinearSolver.ResultStatus.INFEASIBLE && !solver.IsMip())
        {
            // LP presolve cannot tell infeasible from unbounded; without it the simplex can.
            using var parameters = new Google.OrTools.LinearSolver.MPSolverParameters();
            parameters.SetIntegerParam(Google.OrTools.LinearSolver.MPSolverParameters.IntegerParam.PRESOLVE,
                (int)Google.OrTools.LinearSolver.MPSolverParameters.PresolveValues.PRESOLVE_OFF);
            result = solver.Solve(parameters);
        }
        var status = result switch
        {
            LinearSolver.ResultStatus.OPTIMAL => RunnerStatus.Optimal,
            LinearSolver.ResultStatus.FEASIBLE => RunnerStatus.Feasible,
            LinearSolver.ResultStatus.INFEASIBLE => RunnerStatus.Infeasible,
            LinearSolver.ResultStatus.UNBOUNDED => RunnerStatus.Unbounded,
            LinearSolver.ResultStatus.NOT_SOLVED => RunnerStatus.Timeout,
            _ => RunnerStatus.RuntimeError,
        };
        var all = solver.variables();
        var names = all.Select((v, j) => v.Name() is { Length: > 0 } n ? n : $"x{j}").ToList();
        if (status == RunnerStatus.Infeasible)
            return Failed(status, name, Explain(status, result.ToString())) with
            {
                Infeasibility = LinearAnalysis.Conflict(Snapshot(solver), names, deadline, job.NativeMemoryLimitMb),
            };
        if (status is not (RunnerStatus.Optimal or RunnerStatus.Feasible))
            return Failed(status, name, Explain(status, result.ToString()));

        var solution = all.Select(v => v.SolutionValue()).ToArray();
        var reported = ctx.LinearReports.Count > 0
            ? ctx.LinearReports.Select(r => (r.Name, r.Variable.SolutionValue()))
            : all.Take(MaxReportedVariables).Select(v => (v.Name(), v.SolutionValue()));
        var snapshot = Snapshot(solver);
        return new SolveOutcome(status, name, solver.Objective().Value(), solver.Objective().BestBound(),
            ToDictionary(reported), snapshot, solution, [], LinearAnalysis.Sensitivity(snapshot, names, solution, deadline),
            CrossCheck: job.CrossCheck && status == RunnerStatus.Optimal ? LinearAnalysis.CrossCheck(snapshot, names, name, solver.Objective().Value(), deadline) : null);
    }

    /// <summary>
    /// LinearSolver's C# API exposes neither sparse rows nor integrality, so they come from an MPS export with
    /// obfuscated names: column "V17" is variable 17 even though the exporter moves integer columns first and
    /// drops columns that appear nowhere. Bounds and costs are read from the solver itself.
    /// </summary>
    private static LinearSnapshot? Snapshot(LinearSolver solver)
    {
        var exported = new MbModel();
        if (!exported.ImportFromMpsString(solver.ExportModelAsMpsFormat(false, true)))
            return null;
        var h = exported.Helper;
        var original = new int[h.VariablesCount()];
        for (var k = 0; k < original.Length; k++)
        {
            var columnName = h.VarName(k);
            if (columnName.Length < 2 || columnName[0] != 'V' || !int.TryParse(columnName.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out original[k]))
                return null;
        }

        var variables = solver.variables();
        var n = variables.Count;
        var integer = new bool[n];
        for (var k = 0; k < original.Length; k++)
            integer[original[k]] = h.VarIsIntegral(k);
        var rows = new List<LinearRow>(h.ConstraintsCount());
        for (var c = 0; c < h.ConstraintsCount(); c++)
            rows.Add(new LinearRow(RowName(solver, h.ConstraintName(c)), h.ConstraintLowerBound(c), h.ConstraintUpperBound(c),
                h.ConstraintVarIndices(c).Select(k => original[k]).ToArray(), h.ConstraintCoefficients(c)));
        var objective = solver.Objective();
        return new LinearSnapshot(
            objective.Maximization(), objective.Offset(),
            variables.Select(v => v.Lb()).ToArray(),
            variables.Select(v => v.Ub()).ToArray(),
            integer,
            variables.Select(v => objective.GetCoefficient(v)).ToArray(),
            rows, 0);
    }

    private static string? RowName(LinearSolver solver, string obfuscated) =>
        obfuscated.Length > 1 && int.TryParse(obfuscated.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            && index < solver.NumConstraints()
            ? solver.Constraint(index).Name()
            : obfuscated;

    private static SolveOutcome SolveModel(MbModel model, string solverName, List<(string Name, int Index)> reports, RunnerJob job, Deadline deadline)
    {
        var solver = new MbSolver(solverName);
        if (!solver.SolverIsSupported())
            return Failed(RunnerStatus.RuntimeError, solverName, $"the solver '{solverName}' is not available; use scip, glop, pdlp, cbc, highs or sat");
        solver.SetTimeLimitInSeconds(job.TimeLimitSeconds);
        if (solverName.Equals("scip", StringComparison.OrdinalIgnoreCase))
            solver.SetSolverSpecificParameters(string.Create(CultureInfo.InvariantCulture, $"limits/memory = {job.NativeMemoryLimitMb}\n"));
        var result = solver.Solve(model);
        if (result == MbStatus.INFEASIBLE && solverName.Equals("glop", StringComparison.OrdinalIgnoreCase))
        {
            // As above: GLOP's presolve reports an unbounded LP as infeasible.
            solver.SetSolverSpecificParameters("use_preprocessing:false");
            result = solver.Solve(model);
        }
        var status = result switch
        {
            MbStatus.OPTIMAL => RunnerStatus.Optimal,
            MbStatus.FEASIBLE => RunnerStatus.Feasible,
            MbStatus.INFEASIBLE => RunnerStatus.Infeasible,
            MbStatus.UNBOUNDED => RunnerStatus.Unbounded,
            MbStatus.NOT_SOLVED => RunnerStatus.Timeout,
            _ => RunnerStatus.RuntimeError,
        };
        var helper = model.Helper;
        var names = Enumerable.Range(0, helper.VariablesCount()).Select(i => helper.VarName(i) is { Length: > 0 } n ? n : $"x{i}").ToList();
        if (status == RunnerStatus.Infeasible)
            return Failed(status, solverName, Explain(status, result.ToString())) with
            {
                Infeasibility = LinearAnalysis.Conflict(Snapshot(model), names, deadline, job.NativeMemoryLimitMb),
            };
        if (status is not (RunnerStatus.Optimal or RunnerStatus.Feasible))
            return Failed(status, solverName, Explain(status, result.ToString()));

        var solution = Enumerable.Range(0, helper.VariablesCount()).Select(i => solver.Value(model.VarFromIndex(i))).ToArray();
        var reported = reports.Count > 0
            ? reports.Select(r => (r.Name, solution[r.Index]))
            : Enumerable.Range(0, Math.Min(solution.Length, MaxReportedVariables)).Select(i => (names[i], solution[i]));
        var snapshot = Snapshot(model);
        return new SolveOutcome(status, solverName, solver.ObjectiveValue, solver.BestObjectiveBound,
            ToDictionary(reported), snapshot, solution, [], LinearAnalysis.Sensitivity(snapshot, names, solution, deadline),
            CrossCheck: job.CrossCheck && status == RunnerStatus.Optimal ? LinearAnalysis.CrossCheck(snapshot, names, solverName, solver.ObjectiveValue, deadline) : null);
    }

    private static SolveOutcome SolveCp(CpModel model, ModelContext ctx, RunnerJob job)
    {
        var solver = new CpSolver
        {
            StringParameters = string.Create(CultureInfo.InvariantCulture,
                $"max_time_in_seconds:{job.TimeLimitSeconds} num_workers:{job.CpSatWorkers} max_memory_in_mb:{job.NativeMemoryLimitMb}"),
        };
        var result = solver.Solve(model, null!);
        var status = result switch
        {
            CpSolverStatus.Optimal => RunnerStatus.Optimal,
            CpSolverStatus.Feasible => RunnerStatus.Feasible,
            CpSolverStatus.Infeasible => RunnerStatus.Infeasible,
            CpSolverStatus.Unknown => RunnerStatus.Timeout,
            _ => RunnerStatus.RuntimeError,
        };
        if (status is not (RunnerStatus.Optimal or RunnerStatus.Feasible))
        {
            var why = result == CpSolverStatus.ModelInvalid ? "CP-SAT says the model is invalid: " + model.Validate() : Explain(status, result.ToString());
            return Failed(status, "cp-sat", why);
        }

        var proto = model.Model;
        var solution = solver.Response?.Solution.Select(v => (double)v).ToArray() ?? [];
        var reported = ctx.CpReports.Count > 0
            ? ctx.CpReports.Select(r => (r.Name, (double)solver.Value(r.Variable)))
            : proto.Variables.Select((v, i) => (v.Name, i)).Where(v => v.Name.Length > 0).Take(MaxReportedVariables)
                .Select(v => (v.Name, solution[v.i]));
        var hasObjective = proto.Objective is not null;
        return new SolveOutcome(status, "cp-sat", hasObjective ? solver.ObjectiveValue : 0, hasObjective ? solver.BestObjectiveBound : 0,
            ToDictionary(reported), Snapshot(proto), solution, []);
    }

    private static LinearSnapshot Snapshot(MbModel model)
    {
        var h = model.Helper;
        var n = h.VariablesCount();
        // Indicator (enforced) constraints live in a separate list that this snapshot does not check.
        // ModelBuilderHelper.IsEnforcedConstraint crashes natively in 9.15, so it is not called.
        var rows = new List<LinearRow>();
        for (var c = 0; c < h.ConstraintsCount(); c++)
            rows.Add(new LinearRow(h.ConstraintName(c), h.ConstraintLowerBound(c), h.ConstraintUpperBound(c),
                h.ConstraintVarIndices(c), h.ConstraintCoefficients(c)));
        return new LinearSnapshot(
            h.Maximize(), h.ObjectiveOffset(),
            Enumerable.Range(0, n).Select(h.VarLowerBound).ToArray(),
            Enumerable.Range(0, n).Select(h.VarUpperBound).ToArray(),
            Enumerable.Range(0, n).Select(h.VarIsIntegral).ToArray(),
            Enumerable.Range(0, n).Select(h.VarObjectiveCoefficient).ToArray(),
            rows, 0);
    }

    // CP-SAT stores maximisation as a negated minimisation with a scaling factor; fold it back into plain costs.
    private static LinearSnapshot Snapshot(CpModelProto proto)
    {
        var n = proto.Variables.Count;
        var lower = proto.Variables.Select(v => Bound(v.Domain[0])).ToArray();
        var upper = proto.Variables.Select(v => Bound(v.Domain[^1])).ToArray();
        var cost = new double[n];
        double offset = 0;
        var maximize = false;
        if (proto.Objective is { } objective)
        {
            var scale = objective.ScalingFactor == 0 ? 1 : objective.ScalingFactor;
            maximize = scale < 0;
            for (var k = 0; k < objective.Vars.Count; k++)
            {
                var (index, sign) = Ref(objective.Vars[k]);
                cost[index] += sign * objective.Coeffs[k] * scale;
            }
            offset += objective.Offset * scale;
        }

        var rows = new List<LinearRow>();
        var notLinear = 0;
        foreach (var ct in proto.Constraints)
        {
            if (ct.ConstraintCase != ConstraintProto.ConstraintOneofCase.Linear || ct.EnforcementLiteral.Count > 0)
            {
                notLinear++;
                continue;
            }
            var indices = new int[ct.Linear.Vars.Count];
            var coefficients = new double[indices.Length];
            for (var k = 0; k < indices.Length; k++)
            {
                var (index, sign) = Ref(ct.Linear.Vars[k]);
                indices[k] = index;
                coefficients[k] = sign * ct.Linear.Coeffs[k];
            }
            if (ct.Linear.Domain.Count > 2)
                notLinear++;
            rows.Add(new LinearRow(ct.Name, Bound(ct.Linear.Domain[0]), Bound(ct.Linear.Domain[^1]), indices, coefficients));
        }
        return new LinearSnapshot(maximize, offset, lower, upper, Enumerable.Repeat(true, n).ToArray(), cost, rows, notLinear);
    }

    // In integer (linear) context a negative reference r stands for -x with x = -r - 1.
    private static (int Index, int Sign) Ref(int reference) => reference >= 0 ? (reference, 1) : (-reference - 1, -1);

    private static double Bound(long value) => value switch
    {
        <= long.MinValue / 2 => double.NegativeInfinity,
        >= long.MaxValue / 2 => double.PositiveInfinity,
        _ => value,
    };

    private static Dictionary<string, double> ToDictionary(IEnumerable<(string Name, double Value)> pairs)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, value) in pairs)
            result[name] = value;
        return result;
    }

    private static string Explain(string status, string solverStatus) => status switch
    {
        RunnerStatus.Infeasible => "the solver proved the model infeasible",
        RunnerStatus.Unbounded => "the solver proved the model unbounded",
        RunnerStatus.Timeout => $"the solver found no feasible solution within the time limit ({solverStatus})",
        _ => $"the solver failed with status {solverStatus}",
    };

    private static SolveOutcome Failed(string status, string solver, string message) =>
        new(status, solver, null, null, [], null, null, [new RunnerDiagnostic("Solver", 0, 0, solver, message)]);
}
