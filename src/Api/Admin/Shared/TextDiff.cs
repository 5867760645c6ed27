using System.Text.RegularExpressions;

namespace OptLib.Api.Admin.Shared;

public enum DiffKind
{
    Same,
    Removed,
    Added,
}

/// <summary>
/// A word-level diff for the side-by-side view of two insight versions: the longest common subsequence of words
/// and of the whitespace between them, so a one-word edit shows as one word struck out and one inserted.
/// </summary>
public static partial class TextDiff
{
    /// <summary>Past this many words a side, the quadratic table is not worth it: the texts show as replaced whole.</summary>
    private const int MaxWords = 3000;

    public static (IReadOnlyList<(DiffKind Kind, string Text)> Left, IReadOnlyList<(DiffKind Kind, string Text)> Right) Compare(string? before, string? after)
    {
        var a = Words(before ?? string.Empty);
        var b = Words(after ?? string.Empty);
        if (a.Length > MaxWords || b.Length > MaxWords)
        {
            return a.SequenceEqual(b)
                ? ([(DiffKind.Same, before ?? string.Empty)], [(DiffKind.Same, after ?? string.Empty)])
                : ([(DiffKind.Removed, before ?? string.Empty)], [(DiffKind.Added, after ?? string.Empty)]);
        }

        // lcs[i, j] = length of the longest common subsequence of a[i..] and b[j..]
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var left = new List<(DiffKind, string)>();
        var right = new List<(DiffKind, string)>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                Append(left, DiffKind.Same, a[x++]);
                Append(right, DiffKind.Same, b[y++]);
            }
            else if (y < b.Length && (x == a.Length || lcs[x, y + 1] >= lcs[x + 1, y]))
            {
                Append(right, DiffKind.Added, b[y++]);
            }
            else
            {
                Append(left, DiffKind.Removed, a[x++]);
            }
        }

        return (left, right);
    }

    /// <summary>Runs of the same kind are merged, so the markup has one element per change, not one per word.</summary>
    private static void Append(List<(DiffKind Kind, string Text)> parts, DiffKind kind, string word)
    {
        if (parts.Count > 0 && parts[^1].Kind == kind)
        {
            parts[^1] = (kind, parts[^1].Text + word);
        }
        else
        {
            parts.Add((kind, word));
        }
    }

    private static string[] Words(string text) => WordPattern().Matches(text).Select(m => m.Value).ToArray();

    [GeneratedRegex(@"\S+|\s+")]
    private static partial Regex WordPattern();
}
