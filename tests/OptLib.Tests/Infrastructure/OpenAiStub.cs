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
/// (always 500), "slow" (answers after 60 s, far past any timeout a test sets), "invalid-json" (a 200 whose body is
/// not JSON), "hold" (never answers; the request ends only when the client gives up). A "stub:behaviour"
/// marker in the last message overrides the model id, so one service can meet every behaviour; a rate-limited
/// message is refused once per distinct text. The reply's content comes from the optional function given to
/// <see cref="StartAsync"/> (it gets the last message), or is {"answer": 42}.
/// </summary>
public sealed class OpenAiStub : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OpenAiStub(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = string.Empty;

    public ConcurrentQueue<(string Path, string? Authorization, string Model, DateTimeOffset At)> Requests { get; } = new();

    /// <summary>Every request as <see cref="Requests"/> has it, with its last message.</summary>
    public ConcurrentQueue<(string Path, string? Authorization, string Model, string Message, DateTimeOffset At)> Received { get; } = new();

    public static async Task<OpenAiStub> StartAsync(Func<string, string>? content = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var stub = new OpenAiStub(app);
        var rateLimited = new ConcurrentDictionary<string, int>();
        app.MapPost("/v1/chat/completions", async (HttpContext http) =>
        {
            using var body = await JsonDocument.ParseAsync(http.Request.Body);
            var model = body.RootElement.GetProperty("model").GetString()!;
            var message = LastMessage(body.RootElement);
            var at = DateTimeOffset.UtcNow;
            stub.Requests.Enqueue((http.Request.Path, http.Request.Headers.Authorization.ToString(), model, at));
            stub.Received.Enqueue((http.Request.Path, http.Request.Headers.Authorization.ToString(), model, message, at));
            var marker = message.IndexOf("stub:", StringComparison.Ordinal);
            var behaviour = marker < 0 ? model : new string(message[(marker + 5)..].TakeWhile(c => char.IsLetter(c) || c == '-').ToArray());
            switch (behaviour)
            {
                case "rate-limited" when rateLimited.AddOrUpdate(message, 1, (_, n) => n + 1) == 1:
                    http.Response.Headers.RetryAfter = "1";
                    return Results.StatusCode(429);
                case "broken":
                    return Results.StatusCode(500);
                case "slow":
                    await Task.Delay(TimeSpan.FromSeconds(60), http.RequestAborted);
                    break;
                case "hold":
                    await Task.Delay(Timeout.Infinite, http.RequestAborted);
                    break;
                case "invalid-json":
                    return Results.Text("{\"id\": \"chatcmpl-stub\", \"choices\": [{\"message\": ", "application/json");
            }

            return Results.Json(new
            {
                id = "chatcmpl-stub",
                @object = "chat.completion",
                created = 1_700_000_000,
                model,
                choices = new[] { new { index = 0, message = new { role = "assistant", content = content?.Invoke(message) ?? "{\"answer\": 42}" }, finish_reason = "stop" } },
                usage = new { prompt_tokens = 17, completion_tokens = 5, total_tokens = 22 },
            });
        });
        await app.StartAsync();
        stub.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/v1";
        return stub;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    /// <summary>The last message's text, whether the client sent it as a string or as content parts.</summary>
    private static string LastMessage(JsonElement request)
    {
        var content = request.GetProperty("messages").EnumerateArray().Last().GetProperty("content");
        return content.ValueKind == JsonValueKind.String
            ? content.GetString()!
            : string.Concat(content.EnumerateArray().Select(p => p.TryGetProperty("text", out var t) ? t.GetString() : null));
    }
}
