using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.AzureOpenAI;
using Microsoft.SemanticKernel.Connectors.OpenAI;

namespace OptLib.Library.Models;

/// <summary>
/// The real model: Semantic Kernel's OpenAI (any compatible endpoint) or Azure OpenAI connector, over an HttpClient
/// whose resilience pipeline (Microsoft.Extensions.Http.Resilience) times out, retries 429 and 5xx with jitter while
/// honouring Retry-After, and opens a circuit when the provider keeps failing. A semaphore bounds concurrent calls.
/// </summary>
public sealed class SemanticKernelChatModel : IChatModel, IDisposable
{
    public const string HttpClientName = "optlib-model";

    private readonly ModelOptions _options;
    private readonly ILogger<SemanticKernelChatModel> _logger;
    private readonly SemaphoreSlim _gate;
    private readonly Dictionary<ModelRole, IChatCompletionService> _services = [];

    public SemanticKernelChatModel(IOptions<ModelOptions> options, IHttpClientFactory http, ILoggerFactory loggers)
    {
        _options = options.Value;
        _logger = loggers.CreateLogger<SemanticKernelChatModel>();
        _gate = new SemaphoreSlim(_options.MaxConcurrency);
        foreach (var role in Enum.GetValues<ModelRole>())
        {
            var modelId = _options.For(role).ModelId!;
            var client = http.CreateClient(HttpClientName);
            var endpoint = new Uri(_options.BaseUrl!);
#pragma warning disable SKEXP0010 // a custom endpoint is what makes vLLM, Ollama and llama.cpp servers work
            _services[role] = _options.ParsedProvider == ModelProvider.AzureOpenAI
                ? new AzureOpenAIChatCompletionService(modelId, endpoint.ToString(), _options.ApiKey ?? string.Empty, httpClient: client, loggerFactory: loggers)
                : new OpenAIChatCompletionService(modelId, endpoint, _options.ApiKey, httpClient: client, loggerFactory: loggers);
#pragma warning restore SKEXP0010
        }
    }

    public bool IsConfigured => true;

    public async Task<ModelReply> CompleteAsync(ModelCall call, CancellationToken cancellationToken)
    {
        var role = _options.For(call.Role);
        var history = new ChatHistory();
        history.AddSystemMessage(call.System);
        history.AddUserMessage(call.User);
        var settings = new OpenAIPromptExecutionSettings
        {
            Temperature = role.Temperature,
            MaxTokens = role.MaxTokens,
            ResponseFormat = call.Json ? "json_object" : null,
        };

        await _gate.WaitAsync(cancellationToken);
        var clock = Stopwatch.StartNew();
        try
        {
            var reply = await _services[call.Role].GetChatMessageContentAsync(history, settings, kernel: null, cancellationToken);
            var (input, output) = Tokens(reply.Metadata);
            var usage = new ModelUsage(role.ModelId!, call.Purpose, input, output, clock.Elapsed.TotalMilliseconds, "ok", Cost(role.ModelId!, input, output));
            _logger.LogInformation("Model {Model} answered {Purpose} in {Ms:0} ms ({In} tokens in, {Out} out)",
                usage.Model, call.Purpose, usage.LatencyMs, input, output);
            return new ModelReply(reply.Content ?? string.Empty, usage);
        }
        catch (HttpOperationException ex)
        {
            throw new ModelCallFailedException(
                $"The model endpoint failed ({(ex.StatusCode is { } code ? $"HTTP {(int)code}" : "no answer")}) after {clock.Elapsed.TotalSeconds:0.0} s: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (ex is ModelCallFailedException)
            {
                throw;
            }

            throw new ModelCallFailedException($"The model call failed after {clock.Elapsed.TotalSeconds:0.0} s: {ex.Message}", ex);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private decimal Cost(string model, int input, int output) =>
        _options.Prices.TryGetValue(model, out var price)
            ? (input * price.InputPerMillion + output * price.OutputPerMillion) / 1_000_000m
            : 0m;

    private static (int Input, int Output) Tokens(IReadOnlyDictionary<string, object?>? metadata) =>
        metadata?.TryGetValue("Usage", out var usage) == true && usage is OpenAI.Chat.ChatTokenUsage tokens
            ? (tokens.InputTokenCount, tokens.OutputTokenCount)
            : (0, 0);
}
