// This file is compiled into both OptLib.Solver and the runner (as RunnerProtocol.cs is, the other way round): the
// runner computes these inside the sandbox and they travel back in its report unchanged.
namespace OptLib.Solver.Runs;

/// <summary>
/// What the constraints of a solved linear model are worth: for an LP, its own optimum (<c>basis</c> "lp"); for a
/// MIP, the LP left when every integer variable is fixed at its value in the solution ("fixedIntegers").
/// </summary>
/// <param name="Truncated">The model had more rows or variables than are listed.</param>
public sealed record Sensitivity(string Basis, IReadOnlyList<ConstraintSensitivity> Constraints, IReadOnlyList<VariableSensitivity> Variables, bool Truncated)
{
    public const string Lp = "lp";
    public const string FixedIntegers = "fixedIntegers";
}

/// <param name="Dual">The shadow price: how much the optimal objective changes per unit the constraint's bound is raised.</param>
/// <param name="Slack">How far the row's activity is from its nearest finite bound.</param>
/// <param name="Binding">The row holds with equality at the solution (slack within the feasibility tolerance).</param>
public sealed record ConstraintSensitivity(string Name, double Dual, double Slack, bool Binding);

/// <param name="ReducedCost">How much the objective changes per unit the variable is forced up from its value.</param>
public sealed record VariableSensitivity(string Name, double Value, double ReducedCost);

/// <summary>
/// The solved linear model solved again by a second solver (for a MIP another MIP solver, for an LP another LP
/// method), from the same exported model. A disagreement makes the run unverified, never correct.
/// </summary>
/// <param name="Status">What the second solver said: Optimal, Feasible, Infeasible, Unbounded or NotSolved.</param>
/// <param name="Agrees">Both proved an optimum and the objectives match within the second solver's tolerance.</param>
public sealed record CrossCheck(string Solver, string Status, double? Objective, bool Agrees);

/// <summary>
/// Constraints and bounds of an infeasible model that cannot hold together: every one is needed for the conflict.
/// </summary>
/// <param name="Bounds">Variable bounds in the conflict, written "x &gt;= 0" or "y &lt;= 4".</param>
/// <param name="Complete">Proven irreducible: dropping any one member makes the rest feasible. False when the time
/// ran out first, so some members may not be needed.</param>
/// <param name="Test">"lp" when the LP relaxation is already infeasible, "integer" when only the integer model is.</param>
public sealed record Infeasibility(IReadOnlyList<string> Constraints, IReadOnlyList<string> Bounds, bool Complete, string Test)
{
    public const string LpRelaxation = "lp";
    public const string Integer = "integer";

    /// <summary>How a model is told (self-debug): the conflict in one paragraph.</summary>
    public string Describe()
    {
        var members = Constraints.Select(c => $"constraint '{c}'").Concat(Bounds.Select(b => $"bound {b}")).ToList();
        var which = Test == Integer ? " with the variables' integrality" : string.Empty;
        return $"These cannot hold together{which}: {string.Join(", ", members)}."
            + (Complete ? " Dropping or relaxing any one of them makes the rest feasible." : " (The search for the smallest such set ran out of time; some of these may not be needed.)");
    }
}
