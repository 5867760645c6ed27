using System.Text;

namespace OptLib.Library.Taxonomy;

/// <summary>
/// The one normaliser for taxonomy labels. AlphaOPT matched labels exactly and lost 34 of its 139 insights to
/// differences of case and plural; here "Knapsack Constraints ", "knapsack constraint" and "KNAPSACK  CONSTRAINTS"
/// are the same label everywhere: import, the API, filters and the unique path key.
/// </summary>
public static class TaxonomyLabels
{
    /// <summary>Separates the levels of a path key; labels such as "Capacity/Resource Balance" contain slashes.</summary>
    public const char Separator = '|';

    public static string Normalise(string label)
    {
        var words = label.Trim().ToLowerInvariant().Replace(Separator, '/')
            .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var key = new StringBuilder(label.Length);
        foreach (var word in words)
        {
            if (key.Length > 0)
            {
                key.Append(' ');
            }

            key.Append(Singular(word));
        }

        return key.ToString();
    }

    /// <summary>The unique key of a node: its normalised labels from the stage down, joined by <see cref="Separator"/>.</summary>
    public static string PathKey(params IEnumerable<string> labels) => string.Join(Separator, labels.Select(Normalise));

    /// <summary>Display names, trimmed, with inner runs of white space collapsed.</summary>
    public static string Tidy(string label) => string.Join(' ', label.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private static string Singular(string word)
    {
        // English plurals are irregular; this covers the forms labels use ("constraints", "categories", "boxes")
        // and leaves words that only look plural ("analysis", "class", "status") alone.
        if (word.Length <= 3 || !word.EndsWith('s') || word.EndsWith("ss", StringComparison.Ordinal) ||
            word.EndsWith("is", StringComparison.Ordinal) || word.EndsWith("us", StringComparison.Ordinal))
        {
            return word;
        }

        if (word.EndsWith("ies", StringComparison.Ordinal) && word.Length > 4)
        {
            return word[..^3] + "y";
        }

        if (word.EndsWith("xes", StringComparison.Ordinal) || word.EndsWith("ches", StringComparison.Ordinal) ||
            word.EndsWith("shes", StringComparison.Ordinal) || word.EndsWith("sses", StringComparison.Ordinal))
        {
            return word[..^2];
        }

        return word[..^1];
    }
}
