using OptLib.Library.Evaluation;

namespace OptLib.Library.Comparison;

/// <summary>One library version's side of a comparison.</summary>
/// <param name="Total">Problems with a known answer; an item that failed to run counts as wrong.</param>
public sealed record ComparisonSide(long Snapshot, string Name, int Insights, double Accuracy, int Correct, int Total,
    int PromptTokens, int CompletionTokens, decimal CostEstimate, double SolveSeconds);

/// <summary>The problems with a known answer, by which side solved them.</summary>
public sealed record ComparisonPairs(int BothRight, int OnlyBaseline, int OnlyCandidate, int BothWrong);

public sealed record LabelComparison(string Label, int Problems, int BaselineCorrect, int CandidateCorrect, double BaselineAccuracy, double CandidateAccuracy);

/// <summary>A comparison's numbers, stored as the job's metrics.</summary>
/// <param name="PValue">Exact McNemar, two-sided, over the discordant pairs: 1 when no problem changed sides.</param>
public sealed record ComparisonMetrics(
    string Dataset,
    string Split,
    int Problems,
    int FailedItems,
    ComparisonSide Baseline,
    ComparisonSide Candidate,
    ComparisonPairs Pairs,
    double PValue,
    IReadOnlyList<LabelComparison> ByTaxonomy,
    double WallSeconds)
{
    /// <summary>One problem's two outcomes; a side whose item failed is null (wrong).</summary>
    public sealed record Pair(long ProblemId, bool HasExpected, EvaluationKind.ProblemOutcome? Baseline, EvaluationKind.ProblemOutcome? Candidate)
    {
        public bool BaselineRight => Baseline?.Correct == true;

        public bool CandidateRight => Candidate?.Correct == true;

        /// <summary>The kind of problem it was taken for: the candidate's best formulation insight's label, else the baseline's.</summary>
        public string Label => new[] { Candidate?.Taxonomy, Baseline?.Taxonomy }
            .FirstOrDefault(l => !string.IsNullOrEmpty(l) && l != EvaluationKind.NoInsight) ?? EvaluationKind.NoInsight;

        public string Kind => (BaselineRight, CandidateRight) switch
        {
            (true, true) => "bothRight",
            (true, false) => "onlyBaseline",
            (false, true) => "onlyCandidate",
            _ => "bothWrong",
        };
    }

    public static ComparisonMetrics From(string dataset, string split, IReadOnlyList<Pair> pairs, int failedItems,
        (long Id, string Name, int Insights) baseline, (long Id, string Name, int Insights) candidate, double wallSeconds)
    {
        var scored = pairs.Where(p => p.HasExpected).ToList();
        var counts = new ComparisonPairs(
            scored.Count(p => p.BaselineRight && p.CandidateRight), scored.Count(p => p.BaselineRight && !p.CandidateRight),
            scored.Count(p => !p.BaselineRight && p.CandidateRight), scored.Count(p => !p.BaselineRight && !p.CandidateRight));
        ComparisonSide Side((long Id, string Name, int Insights) snapshot, Func<Pair, EvaluationKind.ProblemOutcome?> side, Func<Pair, bool> right)
        {
            var outcomes = pairs.Select(side).OfType<EvaluationKind.ProblemOutcome>().ToList();
            var correct = scored.Count(right);
            return new ComparisonSide(snapshot.Id, snapshot.Name, snapshot.Insights, Ratio(correct, scored.Count), correct, scored.Count,
                outcomes.Sum(o => o.PromptTokens), outcomes.Sum(o => o.CompletionTokens), outcomes.Sum(o => o.Cost),
                Math.Round(outcomes.Sum(o => o.Milliseconds) / 1000, 3));
        }

        var byTaxonomy = scored.GroupBy(p => p.Label, StringComparer.OrdinalIgnoreCase)
            .Select(g => new LabelComparison(g.Key, g.Count(), g.Count(p => p.BaselineRight), g.Count(p => p.CandidateRight),
                Ratio(g.Count(p => p.BaselineRight), g.Count()), Ratio(g.Count(p => p.CandidateRight), g.Count())))
            .OrderByDescending(t => t.Problems).ThenBy(t => t.Label, StringComparer.Ordinal)
            .ToList();
        return new ComparisonMetrics(dataset, split, pairs.Count, failedItems, Side(baseline, p => p.Baseline, p => p.BaselineRight),
            Side(candidate, p => p.Candidate, p => p.CandidateRight), counts, Math.Round(McNemar.ExactTwoSided(counts.OnlyBaseline, counts.OnlyCandidate), 6),
            byTaxonomy, Math.Round(wallSeconds, 3));
    }

    private static double Ratio(int part, int whole) => whole == 0 ? 0 : Math.Round((double)part / whole, 4);
}
