using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace OptLib.Library.Retrieval;

/// <summary>Embeddings from an OpenAI-compatible <c>POST {BaseUrl}/embeddings</c> endpoint.</summary>
public sealed class OpenAiEmbedding(HttpClient http, IOptions<EmbeddingOptions> options) : IEmbeddingProvider
{
    private readonly EmbeddingOptions settings = options.Value;

    public string ModelId => $"openai:{settings.Model}/{settings.Dimensions}";

    public int Dimensions => settings.Dimensions;

    public async ValueTask<float[]> EmbedAsync(string text, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, settings.BaseUrl!.TrimEnd('/') + "/embeddings")
        {
            Content = JsonContent.Create(new EmbeddingRequest(settings.Model!, text, settings.Dimensions)),
        };
        if (!string.IsNullOrEmpty(settings.ApiKey))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.ApiKey);
        }

        try
        {
            using var response = await http.SendAsync(request, ct);
            if (!response.IsSuccessStatusCode)
            {
                throw new EmbeddingUnavailableException($"The embedding endpoint answered {(int)response.StatusCode} for model {settings.Model}.");
            }

            var body = await response.Content.ReadFromJsonAsync<EmbeddingResponse>(ct);
            var vector = body?.Data?.FirstOrDefault()?.Embedding;
            return vector?.Length == Dimensions
                ? vector
                : throw new EmbeddingUnavailableException($"The embedding endpoint returned {vector?.Length ?? 0} dimensions, not {Dimensions} (Embeddings:Dimensions).");
        }
        catch (HttpRequestException e)
        {
            throw new EmbeddingUnavailableException($"The embedding endpoint {settings.BaseUrl} could not be reached: {e.Message}");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new EmbeddingUnavailableException($"The embedding endpoint {settings.BaseUrl} did not answer within {settings.TimeoutSeconds} s.");
        }
    }

    private sealed record EmbeddingRequest(
        [property: JsonPropertyName("model")] string Model,
        [property: JsonPropertyName("input")] string Input,
        [property: JsonPropertyName("dimensions")] int Dimensions);

    private sealed record EmbeddingResponse([property: JsonPropertyName("data")] List<EmbeddingItem>? Data);

    private sealed record EmbeddingItem([property: JsonPropertyName("embedding")] float[]? Embedding);
}

/// <summary>The configured embedding model cannot embed right now: a 503 that names the setting, not a 500.</summary>
public sealed class EmbeddingUnavailableException(string message) : Exception(message);
