using System.ComponentModel.DataAnnotations;

namespace OptLib.Library.Models;

public enum ModelProvider
{
    None,
    OpenAI,
    AzureOpenAI,
}

public enum ModelRole
{
    /// <summary>Routine calls: formulation, programs, labelling, applicability.</summary>
    Base,

    /// <summary>Reflection and diagnosis.</summary>
    Advanced,
}

/// <summary>Settings under "Model". With Provider "none" (the default) the model-backed features answer 503.</summary>
public sealed class ModelOptions
{
    public const string Section = "Model";

    /// <summary>none, openai (any OpenAI-compatible endpoint: OpenAI, vLLM, Ollama's /v1, llama.cpp, LM Studio) or azure-openai.</summary>
    public string Provider { get; set; } = "none";

    /// <summary>The endpoint: https://api.openai.com/v1, http://127.0.0.1:11434/v1, or the Azure resource URL.</summary>
    public string? BaseUrl { get; set; }

    public string? ApiKey { get; set; }

    public RoleSettings Base { get; set; } = new();

    public RoleSettings Advanced { get; set; } = new();

    [Range(1, 3600)]
    public int TimeoutSeconds { get; set; } = 120;

    /// <summary>Retries on 429 and 5xx, with jitter, honouring Retry-After.</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 3;

    /// <summary>Calls in flight at once to the provider.</summary>
    [Range(1, 256)]
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>USD per million tokens, by model id, for the cost estimate of each call.</summary>
    public Dictionary<string, ModelPrice> Prices { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public ModelProvider ParsedProvider => Provider.Replace("-", string.Empty, StringComparison.Ordinal).ToLowerInvariant() switch
    {
        "openai" => ModelProvider.OpenAI,
        "azureopenai" => ModelProvider.AzureOpenAI,
        _ => ModelProvider.None,
    };

    public RoleSettings For(ModelRole role) => role == ModelRole.Advanced && !string.IsNullOrWhiteSpace(Advanced.ModelId) ? Advanced : Base;

    public sealed class RoleSettings
    {
        /// <summary>The model id (or Azure deployment name).</summary>
        public string? ModelId { get; set; }

        [Range(0.0, 2.0)]
        public double Temperature { get; set; } = 0.2;

        [Range(1, 200_000)]
        public int MaxTokens { get; set; } = 4096;
    }

    public sealed class ModelPrice
    {
        public decimal InputPerMillion { get; set; }

        public decimal OutputPerMillion { get; set; }
    }
}
