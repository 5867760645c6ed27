using OptLib.Solver.Runs;
using OptLib.Solver.Wire;

namespace OptLib.Solver.Checking;

/// <summary>
/// Checks a reported solution against the model's own coefficients, in the host, without trusting the solver
/// or the program: bounds, integrality, every linear row, and the objective recomputed from the costs.
/// </summary>
internal static class AnswerCheck
{
    private const int MaxIssues = 10;
    private const double IntegralityTolerance = 1e-5;

    public static Verification Check(LinearSnapshot? model, double[]? solution, double? reportedObjective, double tolerance)
    {
        if (model is null || solution is null || solution.Length != model.Cost.Length)
            return Verification.NotChecked;

        var issues = new List<string>();
        double worst = 0;
        void Note(double violation, double scale, string issue)
        {
            // An infinite bound is never violated; a NaN activity always is.
            if (double.IsNegativeInfinity(violation) || (double.IsFinite(violation) && violation / (1 + scale) <= tolerance))
                return;
            worst = Math.Max(worst, violation);
            if (issues.Count < MaxIssues)
                issues.Add(issue);
        }

        for (var j = 0; j < solution.Length; j++)
        {
            var x = solution[j];
            if (!double.IsFinite(x))
            {
                worst = double.PositiveInfinity;
                issues.Add($"variable {j} has no finite value");
                continue;
            }
            Note(model.Lower[j] - x, Finite(model.Lower[j]), $"variable {j} = {x} is below its lower bound {model.Lower[j]}");
            Note(x - model.Upper[j], Finite(model.Upper[j]), $"variable {j} = {x} is above its upper bound {model.Upper[j]}");
            if (model.Integer[j] && Math.Abs(x - Math.Round(x)) > IntegralityTolerance)
            {
                worst = Math.Max(worst, Math.Abs(x - Math.Round(x)));
                if (issues.Count < MaxIssues)
                    issues.Add($"variable {j} = {x} should be integer");
            }
        }

        for (var r = 0; r < model.Rows.Count; r++)
        {
            var row = model.Rows[r];
            double activity = 0, magnitude = 0;
            for (var k = 0; k < row.Index.Length; k++)
            {
                var term = row.Coefficient[k] * solution[row.Index[k]];
                activity += term;
                magnitude += Math.Abs(term);
            }
            var name = string.IsNullOrEmpty(row.Name) ? $"row {r}" : $"row {r} ({row.Name})";
            Note(row.Lower - activity, magnitude, $"{name}: activity {activity} is below {row.Lower}");
            Note(activity - row.Upper, magnitude, $"{name}: activity {activity} is above {row.Upper}");
        }

        double recomputed = model.ObjectiveOffset, objectiveMagnitude = Math.Abs(model.ObjectiveOffset);
        for (var j = 0; j < solution.Length; j++)
        {
            recomputed += model.Cost[j] * solution[j];
            objectiveMagnitude += Math.Abs(model.Cost[j] * solution[j]);
        }
        var objectiveMatches = reportedObjective is { } reported
            && Math.Abs(recomputed - reported) <= tolerance * (1 + objectiveMagnitude);
        if (!objectiveMatches && issues.Count < MaxIssues)
            issues.Add($"the solver reported objective {reportedObjective?.ToString() ?? "none"} but the solution's objective is {recomputed}");

        return new Verification(true, worst == 0, objectiveMatches, recomputed, worst, model.UncheckedConstraints, issues);
    }

    private static double Finite(double bound) => double.IsFinite(bound) ? Math.Abs(bound) : 0;

    /// <summary>Is <paramref name="got"/> the expected objective under <paramref name="rule"/>?</summary>
    public static bool SameObjective(double got, double expected, ToleranceRule rule, double relative, double absolute) => rule switch
    {
        ToleranceRule.AlphaOpt => Math.Abs(got - expected) <= 0.1,
        _ => Math.Abs(got - expected) <= Math.Max(absolute, relative * Math.Abs(expected)),
    };
}
