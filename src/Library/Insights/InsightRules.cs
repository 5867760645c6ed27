using Microsoft.EntityFrameworkCore;
using OptLib.Library.Storage;
using OptLib.Library.Validation;

namespace OptLib.Library.Insights;

/// <summary>The limits an insight's text must respect; far above what AlphaOPT's longest insight needs.</summary>
public static class InsightRules
{
    public const int MaxCondition = 8_000;
    public const int MaxExplanation = 8_000;
    public const int MaxExample = 20_000;
    public const int MaxReason = 1_000;
    public const int MaxTaxonomyLinks = 20;
    public const int MaxSources = 100;

    public static IEnumerable<(string Field, string Error)> Validate(string condition, string explanation, string example, IReadOnlyCollection<long> taxonomyNodeIds)
    {
        if (string.IsNullOrWhiteSpace(condition))
        {
            yield return ("Condition", "An insight needs a condition that says when it applies.");
        }
        else if (condition.Length > MaxCondition)
        {
            yield return ("Condition", $"The condition is longer than {MaxCondition} characters.");
        }

        if (string.IsNullOrWhiteSpace(explanation))
        {
            yield return ("Explanation", "An insight needs an explanation: the best practice and the usual mistake.");
        }
        else if (explanation.Length > MaxExplanation)
        {
            yield return ("Explanation", $"The explanation is longer than {MaxExplanation} characters.");
        }

        if (example.Length > MaxExample)
        {
            yield return ("Example", $"The example is longer than {MaxExample} characters.");
        }

        if (taxonomyNodeIds.Count == 0)
        {
            yield return ("TaxonomyNodeIds", "An insight is filed under at least one level-2 taxonomy label.");
        }
        else if (taxonomyNodeIds.Count > MaxTaxonomyLinks)
        {
            yield return ("TaxonomyNodeIds", $"An insight is filed under at most {MaxTaxonomyLinks} labels.");
        }
    }

    /// <summary>The problems and attempts an insight names as its provenance: a bounded list of ids.</summary>
    public static IEnumerable<(string Field, string Error)> ValidateSources(IReadOnlyCollection<long> problemIds, IReadOnlyCollection<long> attemptIds)
    {
        foreach (var (field, ids) in new[] { ("SourceProblemIds", problemIds), ("SourceAttemptIds", attemptIds) })
        {
            if (ids.Count > MaxSources)
            {
                yield return (field, $"An insight names at most {MaxSources} sources.");
            }
            else if (ids.Where(id => id <= 0).Take(1).ToList() is [var bad])
            {
                yield return (field, $"{bad} is not an id; ids are positive.");
            }
        }
    }

    /// <summary>The named problems and attempts exist, or a 400 that lists the ones that do not.</summary>
    public static async Task CheckSourcesExistAsync(OptLibDbContext db, IReadOnlyCollection<long> problemIds, IReadOnlyCollection<long> attemptIds, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        async Task CheckAsync(string field, string what, IReadOnlyCollection<long> ids, IQueryable<long> known)
        {
            if (ids.Count > 0 && ids.Except(await known.ToListAsync(ct)).ToList() is { Count: > 0 } missing)
            {
                errors[field] = [$"There is no {what} {string.Join(", ", missing)}."];
            }
        }

        await CheckAsync("SourceProblemIds", "problem", problemIds, db.Problems.Where(p => problemIds.Contains(p.Id)).Select(p => p.Id));
        await CheckAsync("SourceAttemptIds", "attempt", attemptIds, db.Attempts.Where(a => attemptIds.Contains(a.Id)).Select(a => a.Id));
        if (errors.Count > 0)
        {
            throw new ValidationFailedException(errors);
        }
    }

    public static IEnumerable<(string Field, string Error)> ValidateReason(string? reason)
    {
        if (reason is { Length: > MaxReason })
        {
            yield return ("Reason", $"The reason is longer than {MaxReason} characters.");
        }
    }

    /// <summary>The level-2 nodes for the ids, or a 400 naming the ones that are unknown or not level 2.</summary>
    public static List<Taxonomy.TaxonomyNode> ResolveLeaves(Taxonomy.TaxonomyTree tree, IEnumerable<long> ids)
    {
        var nodes = new List<Taxonomy.TaxonomyNode>();
        var errors = new List<string>();
        foreach (var id in ids.Distinct())
        {
            switch (tree.Find(id))
            {
                case null:
                    errors.Add($"There is no taxonomy node {id}.");
                    break;
                case { Depth: not 2 } node:
                    errors.Add($"Node {id} ('{node.Name}') is not a level-2 label; insights are filed under level-2 labels.");
                    break;
                case { } node:
                    nodes.Add(node);
                    break;
            }
        }

        return errors.Count > 0
            ? throw new ValidationFailedException(new Dictionary<string, string[]> { ["TaxonomyNodeIds"] = [.. errors] })
            : nodes;
    }
}
