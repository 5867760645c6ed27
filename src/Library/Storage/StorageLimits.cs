namespace OptLib.Library.Storage;

public static class StorageLimits
{
    /// <summary>
    /// The width of the insights' embedding column. Providers that produce another width are re-embedded into a
    /// column of their width by the re-embed job.
    /// </summary>
    public const int EmbeddingDimensions = 384;
}
