using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OptLib.Library;
using OptLib.Library.Models;
using OptLib.Tests.Infrastructure;

namespace OptLib.Tests.Models;

/// <summary>The real Semantic Kernel OpenAI connector, through our resilience pipeline, against a local stub.</summary>
public sealed class SemanticKernelConnectorTests : IAsyncLifetime
{
    private OpenAiStub _stub = null!;

    public async Task InitializeAsync() => _stub = await OpenAiStub.StartAsync();

    public async Task DisposeAsync() => await _stub.DisposeAsync();

    [Fact]
    public async Task ACallReachesTheChatCompletionsPathWithTheKeyAndRecordsTheUsage()
    {
        using var host = Host("ok");
        var reply = await host.Services.GetRequiredService<IChatModel>()
            .CompleteAsync(new ModelCall(ModelRole.Base, "You answer in JSON.", "What is six times seven?", Json: true, Purpose: "test"), CancellationToken.None);

        Assert.Equal("{\"answer\": 42}", reply.Text);
        Assert.Equal((17, 5), (reply.Usage.PromptTokens, reply.Usage.CompletionTokens));
        Assert.Equal("ok", reply.Usage.Model);
        Assert.Equal(17 * 2m / 1_000_000m + 5 * 8m / 1_000_000m, reply.Usage.CostEstimate);
        var request = Assert.Single(_stub.Requests);
        Assert.Equal("/v1/chat/completions", request.Path);
        Assert.Equal("Bearer sk-test-key", request.Authorization);
    }

    [Fact]
    public async Task A429WithRetryAfterIsRetriedAfterTheWaitItAsksFor()
    {
        using var host = Host("rate-limited");
        var reply = await host.Services.GetRequiredService<IChatModel>()
            .CompleteAsync(new ModelCall(ModelRole.Base, "s", "u"), CancellationToken.None);

        Assert.Equal("{\"answer\": 42}", reply.Text);
        var requests = _stub.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.True(requests[1].At - requests[0].At >= TimeSpan.FromMilliseconds(900), $"retried after {(requests[1].At - requests[0].At).TotalMilliseconds} ms, before Retry-After");
    }

    [Fact]
    public async Task AProviderThatKeepsFailingEndsInAClearFailureAfterTheConfiguredRetries()
    {
        using var host = Host("broken", retries: 2);
        var failure = await Assert.ThrowsAsync<ModelCallFailedException>(() => host.Services.GetRequiredService<IChatModel>()
            .CompleteAsync(new ModelCall(ModelRole.Base, "s", "u"), CancellationToken.None));

        Assert.Contains("HTTP 500", failure.Message, StringComparison.Ordinal);
        Assert.Equal(3, _stub.Requests.Count); // the first call and two retries, no more
    }

    [Fact]
    public async Task ASlowResponsePastTheTimeoutFailsInsteadOfHanging()
    {
        using var host = Host("slow", retries: 0, timeoutSeconds: 1);
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<ModelCallFailedException>(() => host.Services.GetRequiredService<IChatModel>()
            .CompleteAsync(new ModelCall(ModelRole.Base, "s", "u"), CancellationToken.None));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}"); // the answer would take 60 s
    }

    [Fact]
    public async Task WithNoProviderTheSeamSaysWhichSettingsToSet()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.AddLibrary(); // the model seam as the hosts compose it; the host is never started, so no database runs
        using var host = builder.Build();
        var model = host.Services.GetRequiredService<IChatModel>();
        Assert.False(model.IsConfigured);
        var error = await Assert.ThrowsAsync<ModelNotConfiguredException>(() => model.CompleteAsync(new ModelCall(ModelRole.Base, "s", "u"), CancellationToken.None));
        Assert.Contains("Model:Provider", error.Message, StringComparison.Ordinal);
    }

    private IHost Host(string model, int retries = 3, int timeoutSeconds = 30)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Model:Provider"] = "openai",
            ["Model:BaseUrl"] = _stub.BaseUrl,
            ["Model:ApiKey"] = "sk-test-key",
            ["Model:Base:ModelId"] = model,
            ["Model:MaxRetries"] = retries.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Model:TimeoutSeconds"] = timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [$"Model:Prices:{model}:InputPerMillion"] = "2",
            [$"Model:Prices:{model}:OutputPerMillion"] = "8",
        });
        builder.AddLibrary(); // the model seam as the hosts compose it; the host is never started, so no database runs
        return builder.Build();
    }
}
