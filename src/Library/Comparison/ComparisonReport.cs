using System.Globalization;
using System.Text;
using OptLib.Library.Evaluation;

namespace OptLib.Library.Comparison;

/// <summary>The comparison's Markdown report: both sides, the paired table, the p-value and the taxonomy breakdown.</summary>
public static class ComparisonReport
{
    public static string Markdown(ComparisonMetrics m, long jobId, string chartName)
    {
        var md = new StringBuilder();
        void Line(FormattableString text) => md.AppendLine(text.ToString(CultureInfo.InvariantCulture));
        var (b, c, pairs) = (m.Baseline, m.Candidate, m.Pairs);

        Line($"# Comparison of {m.Dataset} / {m.Split}");
        md.AppendLine();
        Line($"**Baseline {Percent(b.Accuracy)}** ({b.Correct} of {b.Total}, snapshot {b.Snapshot} \"{Cell(b.Name)}\") against **candidate {Percent(c.Accuracy)}** ({c.Correct} of {c.Total}, snapshot {c.Snapshot} \"{Cell(c.Name)}\").");
        md.AppendLine();
        Line($"{Verdict(m)} Exact McNemar test, two-sided: **p = {m.PValue:0.####}** over {pairs.OnlyBaseline + pairs.OnlyCandidate} problems that only one side solved.");
        md.AppendLine();
        Line($"![accuracy of both sides]({chartName})");
        md.AppendLine();
        md.AppendLine("## Paired outcomes");
        md.AppendLine();
        md.AppendLine("| | candidate right | candidate wrong |").AppendLine("|---|---|---|");
        Line($"| **baseline right** | {pairs.BothRight} | {pairs.OnlyBaseline} |");
        Line($"| **baseline wrong** | {pairs.OnlyCandidate} | {pairs.BothWrong} |");
        md.AppendLine();
        Line($"Problems with a known answer: {b.Total} of {m.Problems}; items that failed to run (counted wrong): {m.FailedItems}. Each problem's two verdicts: `GET /api/jobs/{jobId}/results`.");
        md.AppendLine();
        md.AppendLine("## Each side");
        md.AppendLine();
        md.AppendLine("| measure | baseline | candidate |").AppendLine("|---|---|---|");
        Line($"| snapshot | {b.Snapshot} | {c.Snapshot} |");
        Line($"| insights in the snapshot | {b.Insights} | {c.Insights} |");
        Line($"| accuracy | {Percent(b.Accuracy)} | {Percent(c.Accuracy)} |");
        Line($"| correct | {b.Correct} | {c.Correct} |");
        Line($"| tokens (prompt / completion) | {b.PromptTokens} / {b.CompletionTokens} | {c.PromptTokens} / {c.CompletionTokens} |");
        Line($"| estimated cost (USD) | {b.CostEstimate:0.####} | {c.CostEstimate:0.####} |");
        Line($"| solve time, summed (s) | {b.SolveSeconds:0.###} | {c.SolveSeconds:0.###} |");
        md.AppendLine();
        md.AppendLine("## By taxonomy");
        md.AppendLine();
        md.AppendLine("Each problem is counted under the level-1 label of the best formulation insight the candidate retrieved for it (the baseline's when the candidate retrieved none).");
        md.AppendLine();
        md.AppendLine("| label | problems | baseline | candidate |").AppendLine("|---|---|---|---|");
        foreach (var t in m.ByTaxonomy)
        {
            Line($"| {Cell(t.Label)} | {t.Problems} | {t.BaselineCorrect} ({Percent(t.BaselineAccuracy)}) | {t.CandidateCorrect} ({Percent(t.CandidateAccuracy)}) |");
        }

        return md.ToString();
    }

    private static string Verdict(ComparisonMetrics m) => m.Pairs.OnlyBaseline == m.Pairs.OnlyCandidate
        ? "No difference: as many problems went one way as the other."
        : m.PValue < 0.05
            ? $"The {(m.Pairs.OnlyCandidate > m.Pairs.OnlyBaseline ? "candidate" : "baseline")} is better, and chance alone would rarely show a difference this large."
            : $"The {(m.Pairs.OnlyCandidate > m.Pairs.OnlyBaseline ? "candidate" : "baseline")} solved more, but a difference this small is well within chance.";

    private static string Percent(double ratio) => EvaluationReport.Percent(ratio);

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
