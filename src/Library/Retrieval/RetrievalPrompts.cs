using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using OptLib.Library.Prompts;
using OptLib.Library.Taxonomy;

namespace OptLib.Library.Retrieval;

/// <summary>
/// Builds the two prompts of the model-backed retrieval stage inside <see cref="RetrievalOptions.PromptTokenBudget"/>,
/// which they share: the labelling prompt shows level-2 labels only (no definitions) in at most half of it, and the
/// applicability prompt shows as many candidates as fit in what the labelling prompt left, at most
/// <see cref="RetrievalOptions.ApplicabilityCandidates"/>, each condition as a digest of at most
/// <see cref="RetrievalOptions.MaxConditionTokens"/> with its exclusions kept (<see cref="ForJudge"/>). Neither grows
/// with the number of insights.
/// </summary>
public sealed partial class RetrievalPrompts(PromptLibrary prompts, RetrievalOptions options)
{
    /// <summary>A level-2 label the model may choose, in the order it should be kept when the list must be cut.</summary>
    public sealed record Label(long NodeId, string Stage, string Level1, string Level2);

    public sealed record Candidate(long Id, string Condition);

    /// <summary>A rendered prompt, its size in o200k tokens, and how many labels or candidates it shows.</summary>
    public sealed record Prompt(string Template, string Text, int Tokens, int Shown);

    /// <summary>The problem, and for the program stage the formulation, each cut so that together they fit the cap.</summary>
    public string ProblemText(string problem, string? formulation)
    {
        if (string.IsNullOrWhiteSpace(formulation))
        {
            return PromptTokens.Cut(problem.Trim(), options.MaxProblemTokens);
        }

        var half = options.MaxProblemTokens / 2;
        return PromptTokens.Cut(problem.Trim(), half) + "\n\nFormulation:\n" + PromptTokens.Cut(formulation.Trim(), half);
    }

    /// <summary>
    /// The labelling prompt with as many of <paramref name="labels"/> as fit half the budget, taken in the given order
    /// and shown grouped by stage and level 1.
    /// </summary>
    public Prompt Labelling(string stage, string problemText, IReadOnlyList<Label> labels)
    {
        var template = prompts[PromptLibrary.TaxonomyLabels];
        string Render(int count) => template.Render(new Dictionary<string, string>
        {
            ["labels"] = LabelList(labels.Take(count)),
            ["stage"] = stage,
            ["problem"] = problemText,
        });

        return Largest(template.Id, labels.Count, Render, options.PromptTokenBudget / 2);
    }

    /// <summary>
    /// The applicability prompt for the first candidates that fit in <paramref name="budget"/> tokens (what the labelling
    /// prompt left of the budget), at most the configured number.
    /// </summary>
    public Prompt Applicability(string stage, string problemText, IReadOnlyList<Candidate> candidates, int budget)
    {
        var template = prompts[PromptLibrary.Applicability];
        var items = candidates.Take(options.ApplicabilityCandidates)
            .Select(c => string.Create(CultureInfo.InvariantCulture, $"[{c.Id}] {ForJudge(c.Condition, options.MaxConditionTokens)}"))
            .ToList();
        string Render(int count) => template.Render(new Dictionary<string, string>
        {
            ["candidates"] = string.Join('\n', items.Take(count)),
            ["stage"] = stage,
            ["problem"] = problemText,
        });

        return Largest(template.Id, items.Count, Render, budget);
    }

    /// <summary>
    /// The key a label is matched by: <see cref="TaxonomyLabels.Normalise"/> with the spacing around slashes ignored,
    /// so "Capacity/Resource Balance" and "capacity / resource balances" meet.
    /// </summary>
    public static string Key(string label) =>
        TaxonomyLabels.Normalise(label.Replace("/", " / ", StringComparison.Ordinal)).Replace(" / ", "/", StringComparison.Ordinal);

    /// <summary>Finds the labels a reply names, as "level 1 / level 2", a full path, or a level-2 label alone.</summary>
    public static HashSet<long> Match(IEnumerable<string> chosen, IEnumerable<Label> shown)
    {
        var byKey = new Dictionary<string, HashSet<long>>(StringComparer.Ordinal);
        foreach (var label in shown)
        {
            foreach (var key in new[] { $"{label.Stage}/{label.Level1}/{label.Level2}", $"{label.Level1}/{label.Level2}", label.Level2 }.Select(Key))
            {
                (byKey.TryGetValue(key, out var ids) ? ids : byKey[key] = []).Add(label.NodeId);
            }
        }

        return chosen.SelectMany(c => byKey.GetValueOrDefault(Key(c)) ?? []).ToHashSet();
    }

    /// <summary>"Stage" lines, each followed by "- level 1: level 2; level 2" lines, in name order.</summary>
    private static string LabelList(IEnumerable<Label> labels)
    {
        var text = new StringBuilder();
        foreach (var stage in labels.GroupBy(l => l.Stage).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            text.Append(stage.Key).Append('\n');
            foreach (var level1 in stage.GroupBy(l => l.Level1).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                text.Append("- ").Append(level1.Key).Append(": ")
                    .AppendJoin("; ", level1.Select(l => l.Level2).Order(StringComparer.Ordinal)).Append('\n');
            }
        }

        return text.ToString().TrimEnd();
    }

    /// <summary>The prompt with the most items (up to <paramref name="count"/>) that stays within <paramref name="budget"/>.</summary>
    private static Prompt Largest(string template, int count, Func<int, string> render, int budget)
    {
        var text = render(count);
        var tokens = PromptTokens.Count(text);
        if (tokens <= budget)
        {
            return new Prompt(template, text, tokens, count);
        }

        // Binary search for the largest count that fits; the empty list always fits (the options validate that).
        var (fits, over) = (0, count);
        while (over - fits > 1)
        {
            var middle = (fits + over) / 2;
            if (PromptTokens.Count(render(middle)) <= budget)
            {
                fits = middle;
            }
            else
            {
                over = middle;
            }
        }

        text = render(fits);
        return new Prompt(template, text, PromptTokens.Count(text), fits);
    }

    /// <summary>
    /// A condition on one line within <paramref name="maxTokens"/>: the condition itself when it fits, otherwise a
    /// digest ("applies when … does not apply when …"). The digest drops the examples ("For example, …") and the
    /// words "This insight", then keeps the exclusions (the sentences that say when it does not apply) apart from the
    /// rest: a judge that never sees "does not apply when the limit is a hard cap" says it applies. Exclusions get at
    /// most two thirds of the cap, and the sentences that say when it applies the rest.
    /// </summary>
    public static string ForJudge(string condition, int maxTokens)
    {
        var text = OneLine(condition);
        if (PromptTokens.Count(text) <= maxTokens)
        {
            return text;
        }

        var digest = SentenceEnd().Split(text).Where(s => !Example().IsMatch(s)).Select(s => Boilerplate().Replace(s, string.Empty)).ToList();
        if (digest.Count == 0)
        {
            digest = [text]; // examples only: better cut than nothing
        }

        var sentences = digest.ToLookup(s => Exclusion().IsMatch(s));
        if (!sentences[true].Any() || !sentences[false].Any())
        {
            return PromptTokens.Cut(string.Join(' ', digest), maxTokens); // nothing to keep apart from the rest
        }

        var kept = PromptTokens.Cut(string.Join(' ', sentences[true]), maxTokens * 2 / 3);
        return PromptTokens.Cut(string.Join(' ', sentences[false]), Math.Max(maxTokens - PromptTokens.Count(kept) - 1, 1)) + " " + kept;
    }

    /// <summary>A sentence that limits where a condition holds: "does not apply when …", "not when …", "unless …", "except …".</summary>
    [GeneratedRegex(@"\b(?:(?:does|do|should|must|is|are)\s*(?:not|n't)\s+(?:apply|use|hold|fit|cover)|not\s+(?:when|if|for)|unless|except|never)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Exclusion();

    /// <summary>A sentence that only illustrates: the judge needs the rule, not AlphaOPT's example of it.</summary>
    [GeneratedRegex(@"^(?:For (?:example|instance)|E\.g\.)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Example();

    [GeneratedRegex(@"^This (?:insight|advice) ", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Boilerplate();

    [GeneratedRegex(@"(?<=[.!?;])\s+")]
    private static partial Regex SentenceEnd();

    private static string OneLine(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
