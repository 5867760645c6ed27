namespace OptLib.Library.Models;

/// <summary>
/// Our seam to a language model. The pipeline, learning and evolution talk to this; tests script it, and the real
/// implementation goes through Semantic Kernel to an OpenAI-compatible or Azure OpenAI endpoint.
/// </summary>
public interface IChatModel
{
    bool IsConfigured { get; }

    Task<ModelReply> CompleteAsync(ModelCall call, CancellationToken cancellationToken);
}

/// <summary>One call: a role, the system and user messages, and whether the reply must be a JSON object.</summary>
public sealed record ModelCall(ModelRole Role, string System, string User, bool Json = false, string Purpose = "");

/// <summary>What a call cost and returned, recorded against the attempt or job that made it.</summary>
public sealed record ModelReply(string Text, ModelUsage Usage);

public sealed record ModelUsage(string Model, string Purpose, int PromptTokens, int CompletionTokens, double LatencyMs, string Outcome, decimal CostEstimate);

/// <summary>No model is configured: the model-backed features answer 503, naming the settings to set.</summary>
public sealed class ModelNotConfiguredException()
    : Exception("No language model is configured. Set Model:Provider (openai or azure-openai), Model:BaseUrl, Model:ApiKey and Model:Base:ModelId.");

/// <summary>The provider failed after the retries, timed out, or kept returning unusable output.</summary>
public sealed class ModelCallFailedException(string message, Exception? inner = null, IReadOnlyList<ModelUsage>? usage = null) : Exception(message, inner)
{
    /// <summary>The calls that were answered before it gave up, so their tokens are still counted.</summary>
    public IReadOnlyList<ModelUsage> Usage { get; } = usage ?? [];
}
