namespace OptLib.Library.Evaluation;

public sealed record TaxonomyAccuracy(string Label, int Problems, int Correct, double Accuracy);

/// <summary>One evaluation's numbers, stored as the job's metrics (and read back for the history chart).</summary>
public sealed record EvaluationMetrics(
    string Dataset,
    string Split,
    int Problems,
    int WithExpected,
    int Correct,
    double Accuracy,
    int FailedItems,
    IReadOnlyDictionary<string, int> Statuses,
    IReadOnlyList<TaxonomyAccuracy> ByTaxonomy,
    int PromptTokens,
    int CompletionTokens,
    decimal CostEstimate,
    double SolveSeconds,
    double WallSeconds,
    int LibrarySize)
{
    /// <summary>Accuracy is over problems whose answer is known; problems whose item failed count as wrong.</summary>
    public static EvaluationMetrics From(string dataset, string split, IReadOnlyList<EvaluationKind.ProblemOutcome> outcomes, int failedItems,
        int librarySize, double wallSeconds)
    {
        var scored = outcomes.Where(o => o.HasExpected).ToList();
        var withExpected = scored.Count + failedItems;
        var correct = scored.Count(o => o.Correct);
        var byTaxonomy = scored.GroupBy(o => o.Taxonomy, StringComparer.OrdinalIgnoreCase)
            .Select(g => new TaxonomyAccuracy(g.Key, g.Count(), g.Count(o => o.Correct), Ratio(g.Count(o => o.Correct), g.Count())))
            .OrderByDescending(t => t.Problems).ThenBy(t => t.Label, StringComparer.Ordinal)
            .ToList();
        return new EvaluationMetrics(dataset, split, outcomes.Count + failedItems, withExpected, correct, Ratio(correct, withExpected), failedItems,
            outcomes.GroupBy(o => o.Status, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            byTaxonomy, outcomes.Sum(o => o.PromptTokens), outcomes.Sum(o => o.CompletionTokens), outcomes.Sum(o => o.Cost),
            Math.Round(outcomes.Sum(o => o.Milliseconds) / 1000, 3), Math.Round(wallSeconds, 3), librarySize);
    }

    private static double Ratio(int part, int whole) => whole == 0 ? 0 : Math.Round((double)part / whole, 4);
}

/// <summary>One point of the history chart.</summary>
public sealed record EvaluationRun(long JobId, DateTimeOffset At, double Accuracy, int LibrarySize);
