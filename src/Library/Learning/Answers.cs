using System.Globalization;
using System.Text.RegularExpressions;
using OptLib.Library.Problems;
using OptLib.Solver;
using OptLib.Solver.Runs;

namespace OptLib.Library.Learning;

/// <summary>
/// Whether an objective is a problem's answer, under the problem's own tolerances (the service's defaults when it
/// has none), and whether a program's objective came from the solver at all. AlphaOPT's one rule was an absolute
/// 0.1, which is too loose for small objectives and too strict for large ones.
/// </summary>
public static partial class Answers
{
    public static bool Reaches(Problem problem, double? objective, SolverOptions solver) =>
        problem.ExpectedObjective is { } expected && objective is { } got && double.IsFinite(got) &&
        Math.Abs(got - expected) <= Math.Max(problem.ToleranceAbsolute ?? solver.AbsoluteTolerance, (problem.ToleranceRelative ?? solver.RelativeTolerance) * Math.Abs(expected));

    /// <summary>
    /// Why a program that was shown the expected objective cannot be trusted to have computed it, or null. The harness
    /// reads the objective from the solver, but a program can still write the number in: a constraint fixing a
    /// variable to it, or a constant objective. A literal equal to the answer that the problem does not itself state
    /// is taken as that; values of at most 1 in size are everyday coefficients and are not judged this way.
    /// </summary>
    public static string? Untrusted(string source, RunResult result, Problem problem, SolverOptions solver)
    {
        if (result.Objective is null)
        {
            return $"the solver reported no objective (status {result.Status})";
        }

        if (result.Verification is { Checked: true, ObjectiveMatches: false })
        {
            return "the reported objective is not the model's objective at the reported solution";
        }

        if (problem.ExpectedObjective is not { } expected || Math.Abs(expected) <= 1)
        {
            return null;
        }

        var near = (double v) => Math.Abs(v - expected) <= Math.Max(problem.ToleranceAbsolute ?? solver.AbsoluteTolerance, (problem.ToleranceRelative ?? solver.RelativeTolerance) * Math.Abs(expected));
        if (Numbers(problem.Text, GroupedNumber()).Any(near))
        {
            return null; // the problem states the number itself, so a program may use it
        }

        return Numbers(WithoutComments(source), PlainNumber()).FirstOrDefault(near) is var hit && near(hit)
            ? $"the source holds the expected objective {hit.ToString(CultureInfo.InvariantCulture)} as a literal; the objective must come from the solver"
            : null;
    }

    private static IEnumerable<double> Numbers(string text, Regex pattern) => pattern.Matches(text)
        .Select(m => double.TryParse(m.Value.Replace(",", string.Empty, StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN)
        .Where(double.IsFinite);

    private static string WithoutComments(string source) => CommentPattern().Replace(source, " ");

    /// <summary>Prose writes thousands with commas ("1,250").</summary>
    [GeneratedRegex(@"(?<![\w.])\d[\d,]*(?:\.\d+)?(?:[eE][+-]?\d+)?")]
    private static partial Regex GroupedNumber();

    /// <summary>In code a comma separates arguments ("{1,2,5,0}" is not 1250).</summary>
    [GeneratedRegex(@"(?<![\w.])\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")]
    private static partial Regex PlainNumber();

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex CommentPattern();
}
