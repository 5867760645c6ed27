namespace OptLib.Library.Retrieval;

/// <summary>
/// Turns text into a vector for the insights' embedding column. Each provider names its model, and every row
/// records the model that embedded it, so a change of provider or width can be detected and re-embedded.
/// </summary>
public interface IEmbeddingProvider
{
    /// <summary>Stored in insights.embedding_model, e.g. "optlib-lexical-v1/384".</summary>
    string ModelId { get; }

    int Dimensions { get; }

    ValueTask<float[]> EmbedAsync(string text, CancellationToken ct);
}
