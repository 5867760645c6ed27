using System.Text;
using OptLib.Library.Storage;

namespace OptLib.Library.Retrieval;

/// <summary>
/// The offline default embedding (docs/decisions/0005-lexical-embedding.md): hashed word and word-bigram features
/// with sublinear term frequency, L2-normalised. Deterministic, needs no model and no network, and the same text
/// gives the same vector on every machine and in every version of .NET (FNV-1a, not string.GetHashCode).
/// </summary>
public sealed class LexicalEmbedding : IEmbeddingProvider
{
    private const double BigramWeight = 0.5;

    /// <summary>Words that say nothing about a problem's structure; they would only add collisions.</summary>
    private static readonly HashSet<string> StopWords =
    [
        "a", "an", "and", "are", "as", "at", "be", "been", "by", "can", "each", "for", "from", "has", "have", "how", "if",
        "in", "into", "is", "it", "its", "may", "must", "of", "on", "or", "our", "should", "so", "such", "than", "that",
        "the", "their", "them", "then", "there", "these", "they", "this", "to", "was", "we", "were", "what", "when",
        "which", "while", "will", "with", "would", "you", "your", "insight", "insights", "applies", "apply", "problem", "problems", "does", "not", "do", "more", "generally",
    ];

    public string ModelId => $"optlib-lexical-v1/{Dimensions}";

    public int Dimensions => StorageLimits.EmbeddingDimensions;

    public ValueTask<float[]> EmbedAsync(string text, CancellationToken ct) => ValueTask.FromResult(Embed(text));

    public float[] Embed(string text)
    {
        var words = Words(text);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < words.Count; i++)
        {
            Count(counts, words[i]);
            if (i > 0)
            {
                Count(counts, words[i - 1] + " " + words[i]);
            }
        }

        var vector = new double[Dimensions];
        foreach (var (feature, tf) in counts)
        {
            var hash = Fnv1a(feature);
            var index = (int)(hash % (ulong)Dimensions);
            var sign = (hash >> 63) == 0 ? 1.0 : -1.0; // signed hashing: collisions cancel out on average instead of piling up
            var weight = (1 + Math.Log(tf)) * (feature.Contains(' ', StringComparison.Ordinal) ? BigramWeight : 1.0);
            vector[index] += sign * weight;
        }

        var norm = Math.Sqrt(vector.Sum(v => v * v));
        return norm == 0 ? new float[Dimensions] : vector.Select(v => (float)(v / norm)).ToArray();
    }

    /// <summary>Lower-case words of letters and digits, stop words dropped, stemmed.</summary>
    public static List<string> Words(string text) => Tokens(text).Select(Stem).ToList();

    /// <summary>Lower-case words of letters and digits with stop words dropped, as written (full-text search stems them itself).</summary>
    public static List<string> Tokens(string text)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        foreach (var c in text.Append(' '))
        {
            if (char.IsLetterOrDigit(c))
            {
                current.Append(char.ToLowerInvariant(c));
                continue;
            }

            if (current.Length > 1 && !StopWords.Contains(current.ToString()))
            {
                words.Add(current.ToString());
            }

            current.Clear();
        }

        return words;
    }

    /// <summary>
    /// A light suffix stripper, so "visited", "visits" and "visiting" meet, and "route" meets "routing". It is not
    /// Porter's stemmer; it only has to map the same word's forms to one feature, not produce real words.
    /// </summary>
    public static string Stem(string word)
    {
        if (word.Length <= 3 || word.All(char.IsDigit))
        {
            return word;
        }

        if (word.EndsWith("ies", StringComparison.Ordinal) && word.Length > 4)
        {
            word = word[..^3] + "y";
        }
        else if (word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal) && !word.EndsWith("is", StringComparison.Ordinal) && !word.EndsWith("us", StringComparison.Ordinal))
        {
            word = word[..^1];
        }

        if (word.EndsWith("ing", StringComparison.Ordinal) && word.Length > 5)
        {
            word = word[..^3];
        }
        else if (word.EndsWith("ed", StringComparison.Ordinal) && word.Length > 4)
        {
            word = word[..^2];
        }

        return word.Length > 3 && word.EndsWith('e') ? word[..^1] : word;
    }

    private static void Count(Dictionary<string, int> counts, string feature) =>
        counts[feature] = counts.GetValueOrDefault(feature) + 1;

    private static ulong Fnv1a(string feature)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(feature))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash;
    }
}
