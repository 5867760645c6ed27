using Microsoft.ML.Tokenizers;

namespace OptLib.Library.Retrieval;

/// <summary>
/// Counts and cuts text in o200k tokens (the GPT-4o family's encoding, Microsoft.ML.Tokenizers): the unit in which
/// the retrieval prompts are bounded. Other models count a little differently; the bound is about size, not billing.
/// </summary>
public static class PromptTokens
{
    private static readonly Lazy<Tokenizer> O200k = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));

    public const string Encoding = "o200k_base";

    public static int Count(string text) => O200k.Value.CountTokens(text);

    /// <summary>The text if it fits in <paramref name="maxTokens"/>, otherwise as many first tokens as fit with an ellipsis.</summary>
    public static string Cut(string text, int maxTokens)
    {
        if (Count(text) <= maxTokens)
        {
            return text;
        }

        var end = O200k.Value.GetIndexByTokenCount(text, Math.Max(maxTokens - 1, 1), out var normalized, out _);
        return (normalized ?? text)[..end].TrimEnd() + " …";
    }
}
