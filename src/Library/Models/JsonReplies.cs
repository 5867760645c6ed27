using System.Text.Json;

namespace OptLib.Library.Models;

/// <summary>
/// Asks for a JSON object and insists, a bounded number of times: a reply that is not JSON, does not fit the type, or
/// fails the caller's check is sent back with what was wrong. After the last attempt it is a clear failure, never a
/// crash and never an endless loop.
/// </summary>
public static class JsonReplies
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { AllowTrailingCommas = true };

    public sealed record Result<T>(T Value, IReadOnlyList<ModelUsage> Usage, int Attempts);

    /// <param name="check">Returns what is wrong with a parsed reply, or null when it is usable.</param>
    public static Task<Result<T>> AskAsync<T>(IChatModel model, ModelCall call, Func<T, string?> check, int maxAttempts, CancellationToken ct)
        where T : class =>
        AskCoreAsync<T>(model, call with { Json = true }, text => (Problem(text, check, out var value), value), "the JSON object asked for", "no usable JSON", maxAttempts, ct);

    /// <summary>
    /// Asks for text and insists the same way: an empty or whitespace reply, or one that fails the check (say, one
    /// without the code block the template asks for), is a model failure, retried and then thrown, never taken as
    /// a formulation or a program.
    /// </summary>
    /// <param name="check">Returns what is wrong with the reply's text, or null when it is usable.</param>
    public static Task<Result<string>> AskTextAsync(IChatModel model, ModelCall call, Func<string, string?> check, int maxAttempts, CancellationToken ct) =>
        AskCoreAsync<string>(model, call, text => (string.IsNullOrWhiteSpace(text) ? "it is empty" : check(text), text), "what was asked for", "no usable reply", maxAttempts, ct);

    private static async Task<Result<T>> AskCoreAsync<T>(IChatModel model, ModelCall call, Func<string, (string? Problem, T? Value)> read,
        string wanted, string failure, int maxAttempts, CancellationToken ct)
        where T : class
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        var usage = new List<ModelUsage>();
        var user = call.User;
        string problem = "no attempt was made";
        for (var attempt = 1; attempt <= maxAttempts; attempt++)
        {
            var reply = await model.CompleteAsync(call with { User = user }, ct);
            usage.Add(reply.Usage);
            var (wrong, value) = read(reply.Text ?? string.Empty);
            if (wrong is null && value is not null)
            {
                return new Result<T>(value, usage, attempt);
            }

            problem = wrong ?? "it is empty";
            user = $"{call.User}\n\nYour previous reply could not be used: {problem}\nReply again with only {wanted}.";
        }

        throw new ModelCallFailedException($"The model gave {failure} for {call.Purpose} in {maxAttempts} attempt(s); the last problem: {problem}", usage: usage);
    }

    private static string? Problem<T>(string text, Func<T, string?> check, out T? value)
        where T : class
    {
        value = null;
        try
        {
            value = JsonSerializer.Deserialize<T>(StripFence(text), Options);
        }
        catch (JsonException ex)
        {
            return $"it is not valid JSON ({ex.Message})";
        }

        return value is null ? "it is empty" : check(value);
    }

    /// <summary>Models often wrap JSON in a ```json fence even in JSON mode.</summary>
    private static string StripFence(string text)
    {
        var trimmed = text.Trim();
        if (!trimmed.StartsWith("```", StringComparison.Ordinal))
        {
            return trimmed;
        }

        var firstLine = trimmed.IndexOf('\n', StringComparison.Ordinal);
        var end = trimmed.LastIndexOf("```", StringComparison.Ordinal);
        return firstLine > 0 && end > firstLine ? trimmed[(firstLine + 1)..end].Trim() : trimmed;
    }
}
