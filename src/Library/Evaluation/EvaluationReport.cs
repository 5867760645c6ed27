using System.Globalization;
using System.Text;

namespace OptLib.Library.Evaluation;

/// <summary>The evaluation's Markdown report: headline numbers, the taxonomy breakdown and the history.</summary>
public static class EvaluationReport
{
    public static string Markdown(EvaluationMetrics m, IReadOnlyList<EvaluationRun> history, string chartName)
    {
        var md = new StringBuilder();
        void Line(FormattableString text) => md.AppendLine(text.ToString(CultureInfo.InvariantCulture));

        Line($"# Evaluation of {m.Dataset} / {m.Split}");
        md.AppendLine();
        Line($"**Accuracy {Percent(m.Accuracy)}**: {m.Correct} of {m.WithExpected} problems with a known answer solved correctly ({m.Problems} problems evaluated).");
        md.AppendLine();
        md.AppendLine("| measure | value |").AppendLine("|---|---|");
        Line($"| problems | {m.Problems} |");
        Line($"| with a known answer | {m.WithExpected} |");
        Line($"| correct | {m.Correct} |");
        Line($"| items that failed to run | {m.FailedItems} |");
        Line($"| outcomes | {string.Join(", ", m.Statuses.Select(s => $"{s.Key} {s.Value}"))} |");
        Line($"| tokens (prompt / completion) | {m.PromptTokens} / {m.CompletionTokens} |");
        Line($"| estimated cost (USD) | {m.CostEstimate:0.####} |");
        Line($"| solve time, summed (s) | {m.SolveSeconds:0.###} |");
        Line($"| wall time (s) | {m.WallSeconds:0.###} |");
        Line($"| active insights in the library | {m.LibrarySize} |");
        md.AppendLine();
        md.AppendLine("## By taxonomy");
        md.AppendLine();
        md.AppendLine("Each problem is counted under the level-1 label of the best formulation insight retrieved for it.");
        md.AppendLine();
        md.AppendLine("| label | problems | correct | accuracy |").AppendLine("|---|---|---|---|");
        foreach (var t in m.ByTaxonomy)
        {
            Line($"| {Cell(t.Label)} | {t.Problems} | {t.Correct} | {Percent(t.Accuracy)} |");
        }

        md.AppendLine();
        md.AppendLine("## Over evaluation runs");
        md.AppendLine();
        Line($"![accuracy and library size]({chartName})");
        md.AppendLine();
        md.AppendLine("| job | finished | accuracy | active insights |").AppendLine("|---|---|---|---|");
        foreach (var run in history)
        {
            Line($"| {run.JobId} | {run.At:yyyy-MM-dd HH:mm} | {Percent(run.Accuracy)} | {run.LibrarySize} |");
        }

        return md.ToString();
    }

    public static string Percent(double ratio) => (ratio * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
