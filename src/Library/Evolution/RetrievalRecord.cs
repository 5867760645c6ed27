using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Attempts;
using OptLib.Library.Insights;
using OptLib.Library.Problems;
using OptLib.Library.Storage;

namespace OptLib.Library.Evolution;

/// <summary>Reading what an attempt retrieved and cited, and turning evidence entries back into problems.</summary>
internal static partial class RetrievalRecord
{
    /// <summary>The ids an attempt retrieved, formulation stage first, each once.</summary>
    public static List<long> RetrievedIds(AttemptRetrieval? retrieved) => retrieved is null ? []
        : [.. retrieved.Formulation.Insights.Concat(retrieved.Program.Insights).Select(r => r.Insight.Id).Distinct()];

    /// <summary>Insight ids cited as [I12] in the text the model wrote.</summary>
    public static HashSet<long> Cited(string? text) =>
        text is null ? [] : [.. CitationPattern().Matches(text).Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>
    /// The problems behind evidence entries: our own entries are problem ids, imported AlphaOPT entries are task ids,
    /// which are the problems' external ids.
    /// </summary>
    public static async Task<Dictionary<string, Problem>> ProblemsAsync(OptLibDbContext db, IEnumerable<string> entries, CancellationToken ct)
    {
        var all = entries.Distinct().ToList();
        var ids = all.Select(e => long.TryParse(e, out var id) ? id : (long?)null).OfType<long>().ToList();
        var byId = await db.Problems.AsNoTracking().Where(p => ids.Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct);
        var external = all.Where(e => !long.TryParse(e, out _)).ToList();
        var byExternal = await db.Problems.AsNoTracking().Where(p => p.ExternalId != null && external.Contains(p.ExternalId)).ToListAsync(ct);
        var found = new Dictionary<string, Problem>();
        foreach (var entry in all)
        {
            var problem = long.TryParse(entry, out var id) ? byId.GetValueOrDefault(id) : byExternal.FirstOrDefault(p => p.ExternalId == entry);
            if (problem is not null)
            {
                found[entry] = problem;
            }
        }

        return found;
    }

    /// <summary>The evidence list of a label.</summary>
    public static List<string> Of(UsageEvidence evidence, string label) => label switch
    {
        Labels.Positive => evidence.Positive,
        Labels.Negative => evidence.Negative,
        Labels.Invalid => evidence.Invalid,
        Labels.Irrelevant => evidence.Irrelevant,
        Labels.Unretrieved => evidence.Unretrieved,
        _ => throw new ArgumentOutOfRangeException(nameof(label), label, "not a usage label"),
    };

    [GeneratedRegex(@"\[I(\d{1,18})\]")]
    private static partial Regex CitationPattern();
}

/// <summary>How an insight took part in an attempt (AlphaOPT's five labels).</summary>
public static class Labels
{
    public const string Positive = "positive";
    public const string Negative = "negative";
    public const string Invalid = "invalid";
    public const string Irrelevant = "irrelevant";
    public const string Unretrieved = "unretrieved";

    /// <summary>The labels a model may give a retrieved insight.</summary>
    public static readonly string[] ForRetrieved = [Positive, Invalid, Negative, Irrelevant];

    public static void Count(UsageCounters usage, string label)
    {
        switch (label)
        {
            case Positive: usage.Positive++; break;
            case Negative: usage.Negative++; break;
            case Invalid: usage.Invalid++; break;
            case Irrelevant: usage.Irrelevant++; break;
            case Unretrieved: usage.Unretrieved++; break;
        }
    }
}
