using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;

namespace OptLib.Library.Models;

internal static class ModelRegistration
{
    /// <summary>The language model seam: Semantic Kernel to the configured provider, or a 503 when there is none.</summary>
    public static IHostApplicationBuilder AddModels(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ModelOptions>()
            .BindConfiguration(ModelOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.ParsedProvider == ModelProvider.None || Uri.TryCreate(o.BaseUrl, UriKind.Absolute, out _),
                "Model:BaseUrl must be an absolute URL when Model:Provider is openai or azure-openai")
            .Validate(o => o.ParsedProvider == ModelProvider.None || !string.IsNullOrWhiteSpace(o.Base.ModelId),
                "Model:Base:ModelId is required when Model:Provider is openai or azure-openai")
            .Validate(o => o.ParsedProvider != ModelProvider.None || o.Provider.Trim().Equals("none", StringComparison.OrdinalIgnoreCase),
                "Model:Provider must be none, openai or azure-openai")
            .ValidateOnStart();

        builder.Services.AddHttpClient(SemanticKernelChatModel.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .AddStandardResilienceHandler()
            .Configure((o, sp) =>
            {
                var model = sp.GetRequiredService<IOptions<ModelOptions>>().Value;
                var timeout = TimeSpan.FromSeconds(model.TimeoutSeconds);
                o.AttemptTimeout.Timeout = timeout;
                o.Retry.MaxRetryAttempts = Math.Max(model.MaxRetries, 1);
                if (model.MaxRetries == 0)
                {
                    o.Retry.ShouldHandle = _ => ValueTask.FromResult(false);
                }

                o.Retry.UseJitter = true; // and Retry-After is honoured by default
                o.Retry.Delay = TimeSpan.FromMilliseconds(500);
                o.CircuitBreaker.SamplingDuration = timeout * 2 + TimeSpan.FromSeconds(1);
                o.TotalRequestTimeout.Timeout = timeout * (model.MaxRetries + 1) + TimeSpan.FromSeconds(30);
            });
        builder.Services.AddSingleton<IChatModel>(sp =>
            sp.GetRequiredService<IOptions<ModelOptions>>().Value.ParsedProvider == ModelProvider.None
                ? new UnconfiguredChatModel()
                : ActivatorUtilities.CreateInstance<SemanticKernelChatModel>(sp));
        return builder;
    }
}
