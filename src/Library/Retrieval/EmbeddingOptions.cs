using System.ComponentModel.DataAnnotations;
using OptLib.Library.Storage;

namespace OptLib.Library.Retrieval;

/// <summary>Settings under "Embeddings": which provider embeds insights and problems.</summary>
public sealed class EmbeddingOptions : IValidatableObject
{
    public const string Section = "Embeddings";

    public const string Lexical = "lexical";
    public const string MiniLm = "minilm";
    public const string OpenAi = "openai";

    /// <summary>
    /// <c>minilm</c> (a sentence model shipped in a package, offline; the default, for its recall:
    /// docs/decisions/0015-local-sentence-embeddings.md), <c>lexical</c> (hashed words, offline) or <c>openai</c>
    /// (any OpenAI-compatible /embeddings endpoint).
    /// </summary>
    public string Provider { get; set; } = MiniLm;

    /// <summary>For openai: the API root, e.g. https://api.openai.com/v1.</summary>
    public string? BaseUrl { get; set; }

    public string? Model { get; set; }

    public string? ApiKey { get; set; }

    /// <summary>Must equal the width of the insights' embedding column.</summary>
    public int Dimensions { get; set; } = StorageLimits.EmbeddingDimensions;

    [Range(1, 600)]
    public int TimeoutSeconds { get; set; } = 30;

    public bool IsOpenAi => Is(OpenAi);

    public bool IsMiniLm => Is(MiniLm);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsOpenAi && !IsMiniLm && !Is(Lexical))
        {
            yield return new ValidationResult($"{Section}:Provider must be '{Lexical}', '{MiniLm}' or '{OpenAi}', not '{Provider}'.", [nameof(Provider)]);
        }

        if (IsOpenAi && !Uri.TryCreate(BaseUrl, UriKind.Absolute, out _))
        {
            yield return new ValidationResult($"{Section}:BaseUrl must be an absolute URL when {Section}:Provider is openai.", [nameof(BaseUrl)]);
        }

        if (IsOpenAi && string.IsNullOrWhiteSpace(Model))
        {
            yield return new ValidationResult($"{Section}:Model must name the embedding model when {Section}:Provider is openai.", [nameof(Model)]);
        }

        if (Dimensions != StorageLimits.EmbeddingDimensions)
        {
            yield return new ValidationResult($"{Section}:Dimensions must be {StorageLimits.EmbeddingDimensions}, the width of the insights' embedding column.", [nameof(Dimensions)]);
        }
    }

    private bool Is(string provider) => string.Equals(Provider, provider, StringComparison.OrdinalIgnoreCase);
}
