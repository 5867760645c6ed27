using System.Diagnostics;
using System.Globalization;
using OptLib.Solver.Runs;
using OptLib.Solver.Wire;
using MbModel = Google.OrTools.ModelBuilder.Model;
using MbSolver = Google.OrTools.ModelBuilder.Solver;
using MbStatus = Google.OrTools.ModelBuilder.SolveStatus;
using MbVariable = Google.OrTools.ModelBuilder.Variable;
using MbConstraint = Google.OrTools.ModelBuilder.LinearConstraint;

namespace OptLib.Solver.Runner.Harness;

/// <summary>The wall-clock time the run may still spend, counted from the start of the solve.</summary>
internal readonly record struct Deadline(long EndTimestamp)
{
    public static Deadline After(double seconds) => new(Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency));

    public double RemainingSeconds => Math.Max(0, (EndTimestamp - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency);
}

/// <summary>
/// What a linear model's solution or infeasibility means, worked out inside the sandbox from the model's linear
/// snapshot, so that every kind of linear model (LinearSolver, ModelBuilder, LP and MPS text) is analysed one way:
/// the snapshot is rebuilt as a ModelBuilder model and solved again by GLOP (or by SCIP when only the integer model
/// is infeasible), within what is left of the run's time limit. See docs/decisions/0021-model-analysis.md.
/// </summary>
internal static partial class LinearAnalysis
{
    /// <summary>Rows and variables listed at most; the rest are counted in <see cref="Sensitivity.Truncated"/>.</summary>
    private const int MaxEntries = 2_000;

    private const double Tolerance = 1e-6;

    /// <summary>Duals, slacks and reduced costs of the LP at the solution (a MIP's integers fixed at their values).</summary>
    public static Sensitivity? Sensitivity(LinearSnapshot? model, IReadOnlyList<string> names, double[]? solution, Deadline deadline)
    {
        if (model is null || solution is null || solution.Length != model.Cost.Length || deadline.RemainingSeconds <= 0)
            return null;
        var mip = model.Integer.Any(i => i);
        var (lp, variables, rows) = Build(model, names, integer: false, withObjective: true);
        if (mip)
        {
            for (var j = 0; j < variables.Length; j++)
            {
                if (!model.Integer[j])
                    continue;
                var value = Math.Round(solution[j]);
                variables[j].LowerBound = value;
                variables[j].UpperBound = value;
            }
        }

        var solver = new MbSolver("glop");
        solver.SetTimeLimitInSeconds(deadline.RemainingSeconds);
        if (solver.Solve(lp) != MbStatus.OPTIMAL)
            return null;

        var constraints = new List<ConstraintSensitivity>();
        for (var c = 0; c < rows.Length && constraints.Count < MaxEntries; c++)
        {
            var row = model.Rows[c];
            if (double.IsInfinity(row.Lower) && double.IsInfinity(row.Upper))
                continue; // a free row (an MPS N row) constrains nothing
            var activity = solver.Activity(rows[c]);
            var slack = Math.Min(double.IsInfinity(row.Upper) ? double.PositiveInfinity : row.Upper - activity,
                double.IsInfinity(row.Lower) ? double.PositiveInfinity : activity - row.Lower);
            var scale = Math.Max(1, Math.Max(Magnitude(row.Lower), Magnitude(row.Upper)));
            constraints.Add(new ConstraintSensitivity(RowName(row, c, names), Clean(solver.DualValue(rows[c])), Clean(Math.Max(0, slack)), slack <= Tolerance * scale));
        }

        var reported = variables.Take(MaxEntries)
            .Select((v, j) => new VariableSensitivity(names[j], Clean(solver.Value(v)), Clean(solver.ReducedCost(v))))
            .ToList();
        var truncated = variables.Length > MaxEntries || constraints.Count < model.Rows.Count(r => !(double.IsInfinity(r.Lower) && double.IsInfinity(r.Upper)));
        return new Sensitivity(mip ? Runs.Sensitivity.FixedIntegers : Runs.Sensitivity.Lp, constraints, reported, truncated);
    }

    /// <summary>
    /// The model solved again from its snapshot by a second solver of the same kind: for a MIP the first MIP solver
    /// this build has that is not the one used (HiGHS, SCIP, CBC), for an LP another method (PDLP, GLOP, HiGHS).
    /// Objectives agree within 1e-6 relative, or 1e-4 for PDLP, whose first-order method stops at that gap.
    /// </summary>
    public static CrossCheck? CrossCheck(LinearSnapshot? model, IReadOnlyList<string> names, string primary, double objective, Deadline deadline)
    {
        if (model is null || deadline.RemainingSeconds <= 0)
            return null;
        var mip = model.Integer.Any(i => i);
        string[] candidates = mip ? ["highs", "scip", "cbc"] : ["pdlp", "glop", "highs"];
        var (rebuilt, _, _) = Build(model, names, integer: true, withObjective: true);
        foreach (var name in candidates.Where(c => !primary.Contains(c, StringComparison.OrdinalIgnoreCase)))
        {
            var solver = new MbSolver(name);
            if (!solver.SolverIsSupported())
                continue;
            solver.SetTimeLimitInSeconds(deadline.RemainingSeconds);
            var status = solver.Solve(rebuilt);
            double? value = status is MbStatus.OPTIMAL or MbStatus.FEASIBLE ? solver.ObjectiveValue : null;
            var tolerance = name == "pdlp" ? 1e-4 : Tolerance;
            var agrees = status == MbStatus.OPTIMAL && value is { } v && Math.Abs(v - objective) <= tolerance * Math.Max(1, Math.Max(Math.Abs(v), Math.Abs(objective)));
            var said = status switch
            {
                MbStatus.OPTIMAL => "Optimal",
                MbStatus.FEASIBLE => "Feasible",
                MbStatus.INFEASIBLE => "Infeasible",
                MbStatus.UNBOUNDED => "Unbounded",
                _ => "NotSolved",
            };
            return new CrossCheck(name.ToUpperInvariant(), said, value is { } x ? Clean(x) : null, agrees);
        }

        return null; // no second solver of this kind in this build
    }

    /// <summary>
    /// An irreducible infeasible subset of the rows and finite bounds, by the deletion filter: drop each member in
    /// turn and keep it dropped when the rest is still infeasible. Each test is the LP relaxation when that is
    /// infeasible (GLOP), else the integer model (SCIP). Null when the model cannot be shown infeasible in time.
    /// </summary>
    public static Infeasibility? Conflict(LinearSnapshot? model, IReadOnlyList<string> names, Deadline deadline, int nativeMemoryLimitMb)
    {
        if (model is null || deadline.RemainingSeconds <= 0)
            return null;
        var test = Runs.Infeasibility.LpRelaxation;
        var (candidate, variables, rows) = Build(model, names, integer: false, withObjective: false);
        var solver = new MbSolver("glop");
        var first = Infeasible(solver, candidate, deadline);
        if (first != true && model.Integer.Any(i => i))
        {
            test = Runs.Infeasibility.Integer;
            (candidate, variables, rows) = Build(model, names, integer: true, withObjective: false);
            solver = new MbSolver("scip");
            solver.SetSolverSpecificParameters(string.Create(CultureInfo.InvariantCulture, $"limits/memory = {nativeMemoryLimitMb}\n"));
            first = Infeasible(solver, candidate, deadline);
        }

        if (first != true)
            return null;

        // Members: every row with a finite side, then every finite bound. Rows first, so that a conflict is told in
        // the model's own constraints where it can be.
        var members = new List<Member>();
        for (var c = 0; c < rows.Length; c++)
            if (!(double.IsInfinity(model.Rows[c].Lower) && double.IsInfinity(model.Rows[c].Upper)))
                members.Add(new Member(c, -1, false));
        for (var j = 0; j < variables.Length; j++)
        {
            if (!double.IsInfinity(model.Lower[j]))
                members.Add(new Member(-1, j, false));
            if (!double.IsInfinity(model.Upper[j]))
                members.Add(new Member(-1, j, true));
        }

        var complete = true;
        var kept = new List<Member>();
        foreach (var member in members)
        {
            if (deadline.RemainingSeconds <= 0)
            {
                complete = false;
                kept.Add(member); // untested: still in the infeasible set, maybe not needed
                continue;
            }

            Enable(member, false, model, variables, rows);
            var stillInfeasible = Infeasible(solver, candidate, deadline);
            if (stillInfeasible == true)
                continue; // not needed for the conflict: leave it out
            if (stillInfeasible is null)
                complete = false; // undecided in time: keep it, the set stays infeasible
            Enable(member, true, model, variables, rows);
            kept.Add(member);
        }

        return new Infeasibility(
            kept.Where(m => m.Row >= 0).Select(m => RowName(model.Rows[m.Row], m.Row, names)).ToList(),
            kept.Where(m => m.Row < 0).Select(m => m.Upper
                ? $"{names[m.Variable]} <= {Number(model.Upper[m.Variable])}"
                : $"{names[m.Variable]} >= {Number(model.Lower[m.Variable])}").ToList(),
            complete, test);
    }

    /// <summary>A row (<paramref name="Row"/> ≥ 0) or a variable's lower or upper bound.</summary>
    private sealed record Member(int Row, int Variable, bool Upper);

    private static void Enable(Member member, bool on, LinearSnapshot model, MbVariable[] variables, MbConstraint[] rows)
    {
        if (member.Row >= 0)
        {
            rows[member.Row].LowerBound = on ? model.Rows[member.Row].Lower : double.NegativeInfinity;
            rows[member.Row].UpperBound = on ? model.Rows[member.Row].Upper : double.PositiveInfinity;
        }
        else if (member.Upper)
            variables[member.Variable].UpperBound = on ? model.Upper[member.Variable] : double.PositiveInfinity;
        else
            variables[member.Variable].LowerBound = on ? model.Lower[member.Variable] : double.NegativeInfinity;
    }

    /// <summary>True when proven infeasible, false when a solution was found, null when undecided in time.</summary>
    private static bool? Infeasible(MbSolver solver, MbModel model, Deadline deadline)
    {
        var seconds = deadline.RemainingSeconds;
        if (seconds <= 0)
            return null;
        solver.SetTimeLimitInSeconds(seconds);
        return solver.Solve(model) switch
        {
            MbStatus.INFEASIBLE => true,
            MbStatus.OPTIMAL or MbStatus.FEASIBLE => false,
            _ => null,
        };
    }

    private static (MbModel Model, MbVariable[] Variables, MbConstraint[] Rows) Build(LinearSnapshot snapshot, IReadOnlyList<string> names, bool integer, bool withObjective)
    {
        var model = new MbModel();
        var variables = new MbVariable[snapshot.Cost.Length];
        for (var j = 0; j < variables.Length; j++)
            variables[j] = model.NewVar(snapshot.Lower[j], snapshot.Upper[j], integer && snapshot.Integer[j], names[j]);
        var rows = new MbConstraint[snapshot.Rows.Count];
        for (var c = 0; c < rows.Length; c++)
        {
            var row = snapshot.Rows[c];
            var constraint = model.AddLinearConstraint(Google.OrTools.ModelBuilder.LinearExpr.Constant(0), row.Lower, row.Upper);
            for (var k = 0; k < row.Index.Length; k++)
                constraint.AddTerm(variables[row.Index[k]], row.Coefficient[k]);
            rows[c] = constraint;
        }

        if (withObjective)
        {
            var objective = Google.OrTools.ModelBuilder.LinearExpr.WeightedSum(variables, snapshot.Cost) + snapshot.ObjectiveOffset;
            if (snapshot.Maximize)
                model.Maximize(objective);
            else
                model.Minimize(objective);
        }

        return (model, variables, rows);
    }

    /// <summary>A row's own name, or for an unnamed one its number and what it says ("row 3: x + 2 y <= 14").</summary>
    private static string RowName(LinearRow row, int index, IReadOnlyList<string> names)
    {
        // LinearSolver names a row it was given no name for "auto_c_000000003": that tells a reader nothing.
        if (!string.IsNullOrEmpty(row.Name) && !GeneratedRowName().IsMatch(row.Name))
            return row.Name;
        var terms = new System.Text.StringBuilder();
        for (var k = 0; k < row.Index.Length && terms.Length < 120; k++)
        {
            var coefficient = row.Coefficient[k];
            terms.Append(k == 0 ? (coefficient < 0 ? "-" : string.Empty) : coefficient < 0 ? " - " : " + ");
            if (Math.Abs(coefficient) != 1)
                terms.Append(Number(Math.Abs(coefficient))).Append(' ');
            terms.Append(names[row.Index[k]]);
        }

        var text = terms.Length >= 120 ? terms.ToString(0, 120) + "..." : terms.ToString();
        var relation = row.Lower == row.Upper ? $"{text} = {Number(row.Upper)}"
            : double.IsInfinity(row.Lower) ? $"{text} <= {Number(row.Upper)}"
            : double.IsInfinity(row.Upper) ? $"{text} >= {Number(row.Lower)}"
            : $"{Number(row.Lower)} <= {text} <= {Number(row.Upper)}";
        return $"row {index}: {relation}";
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^auto_c_\d+$")]
    private static partial System.Text.RegularExpressions.Regex GeneratedRowName();

    private static double Magnitude(double bound) => double.IsInfinity(bound) ? 0 : Math.Abs(bound);

    // GLOP's zeros come back as 1e-17 or -0; a reader should see 0.
    private static double Clean(double value) => Math.Abs(value) < 1e-12 ? 0 : value;

    private static string Number(double value) => value.ToString("G15", CultureInfo.InvariantCulture);
}
