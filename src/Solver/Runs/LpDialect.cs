namespace OptLib.Solver.Runs;

/// <summary>
/// LP text comes in dialects. OptLib reads OR-Tools' own (ModelBuilder's <c>ImportFromLpString</c>): statements ending
/// in ';', an objective <c>max: 3 x + 5 y;</c> or <c>min: ...;</c>, constraints <c>name: expression &lt;= value;</c>,
/// bounds as constraints on one variable, <c>int x, y;</c> for integers. The CPLEX format that CPLEX, Gurobi, HiGHS
/// and SCIP write (sections <c>Maximize / Subject To / Bounds / End</c>) is recognised and refused with a pointer to
/// MPS, which all of those solvers also write and OptLib reads as it is.
/// </summary>
public static class LpDialect
{
    public const string Accepted =
        "OptLib reads OR-Tools' own LP format: statements that end in ';', such as 'max: 3 x + 5 y;', 'c1: x + 2 y <= 14;', " +
        "'x <= 4;' and 'int y;'.";

    /// <summary>Section headers of the CPLEX LP format, as they stand alone on a line.</summary>
    private static readonly HashSet<string> CplexSections = new(StringComparer.OrdinalIgnoreCase)
    {
        "maximize", "maximise", "maximum", "max", "minimize", "minimise", "minimum", "min",
        "subject to", "such that", "st", "s.t.", "st.", "bounds", "bound", "general", "generals", "gen",
        "binary", "binaries", "bin", "semi-continuous", "semis", "semi", "end",
    };

    /// <summary>CPLEX's objective senses, which may share their line with the objective ("Maximize obj: 3 x + 5 y").</summary>
    private static readonly HashSet<string> CplexSenses = new(StringComparer.OrdinalIgnoreCase)
    {
        "maximize", "maximise", "maximum", "minimize", "minimise", "minimum",
    };

    /// <summary>Why this LP text is CPLEX's dialect and what to send instead, or null when it is not.</summary>
    public static string? CplexRefusal(string source)
    {
        var lines = source.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var comment = line.IndexOf('\\', StringComparison.Ordinal); // CPLEX comments start with a backslash
            var text = string.Join(' ', (comment >= 0 ? line[..comment] : line).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
            if (CplexSections.Contains(text) || CplexSenses.Contains(text.Split(' ')[0]) || text.StartsWith("subject to ", StringComparison.OrdinalIgnoreCase))
            {
                return $"Line {i + 1} ('{text}') is a section of the CPLEX LP format (Maximize / Subject To / Bounds / End), which CPLEX, Gurobi, "
                    + $"HiGHS and SCIP write. {Accepted} Send the model as MPS instead (language \"mps\"): each of those solvers writes it, "
                    + "for example Gurobi's model.write(\"model.mps\") or HiGHS's writeModel(\"model.mps\").";
            }
        }

        return null;
    }
}
