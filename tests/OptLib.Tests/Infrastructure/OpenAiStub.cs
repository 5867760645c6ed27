using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OptLib.Tests.Infrastructure;

/// <summary>
/// A local OpenAI-compatible chat completions server on 127.0.0.1, to drive Semantic Kernel's real connector. The
/// requested model id picks the behaviour: "ok", "rate-limited" (one 429 with Retry-After, then ok), "broken"
/// (always 500), "slow" (answers after 5 s).
/// </summary>
public sealed class OpenAiStub : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OpenAiStub(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = string.Empty;

    public ConcurrentQueue<(string Path, string? Authorization, string Model, DateTimeOffset At)> Requests { get; } = new();

    public static async Task<OpenAiStub> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var stub = new OpenAiStub(app);
        var rateLimited = 0;
        app.MapPost("/v1/chat/completions", async (HttpContext http) =>
        {
            using var body = await JsonDocument.ParseAsync(http.Request.Body);
            var model = body.RootElement.GetProperty("model").GetString()!;
            stub.Requests.Enqueue((http.Request.Path, http.Request.Headers.Authorization.ToString(), model, DateTimeOffset.UtcNow));
            switch (model)
            {
                case "rate-limited" when Interlocked.Increment(ref rateLimited) == 1:
                    http.Response.Headers.RetryAfter = "1";
                    return Results.StatusCode(429);
                case "broken":
                    return Results.StatusCode(500);
                case "slow":
                    await Task.Delay(TimeSpan.FromSeconds(5), http.RequestAborted);
                    break;
            }

            return Results.Json(new
            {
                id = "chatcmpl-stub",
                @object = "chat.completion",
                created = 1_700_000_000,
                model,
                choices = new[] { new { index = 0, message = new { role = "assistant", content = "{\"answer\": 42}" }, finish_reason = "stop" } },
                usage = new { prompt_tokens = 17, completion_tokens = 5, total_tokens = 22 },
            });
        });
        await app.StartAsync();
        stub.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/v1";
        return stub;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
