using OptLib.Library.Models;

namespace OptLib.Tests.Models;

public sealed class JsonRepliesTests
{
    private sealed record Labels(List<string>? Items);

    private static string? NeedsItems(Labels l) => l.Items is { Count: > 0 } ? null : "\"items\" must list at least one label";

    [Fact]
    public async Task GarbageIsSentBackWithWhatWasWrongAndTheNextGoodReplyIsUsed()
    {
        var model = new ScriptedChatModel((_, n) => n switch
        {
            1 => "Sure! Here are the labels: routing",
            2 => "{\"items\": []}",
            _ => "```json\n{\"items\": [\"routing\"]}\n```",
        });

        var result = await JsonReplies.AskAsync<Labels>(model, new ModelCall(ModelRole.Base, "s", "label this", Purpose: "labels"), NeedsItems, 3, CancellationToken.None);

        Assert.Equal(["routing"], result.Value.Items);
        Assert.Equal(3, result.Attempts);
        Assert.Equal(3, result.Usage.Count);
        var calls = model.Calls.ToArray();
        Assert.All(calls, c => Assert.True(c.Json));
        Assert.Contains("not valid JSON", calls[1].User, StringComparison.Ordinal);
        Assert.Contains("must list at least one label", calls[2].User, StringComparison.Ordinal);
        Assert.StartsWith("label this", calls[2].User, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AModelThatNeverAnswersUsefullyEndsInAClearFailureAfterTheBound()
    {
        var model = new ScriptedChatModel((_, _) => "no");
        var failure = await Assert.ThrowsAsync<ModelCallFailedException>(() =>
            JsonReplies.AskAsync<Labels>(model, new ModelCall(ModelRole.Base, "s", "u", Purpose: "labels"), NeedsItems, 2, CancellationToken.None));

        Assert.Equal(2, model.Calls.Count);
        Assert.Contains("labels in 2 attempt(s)", failure.Message, StringComparison.Ordinal);
    }
}
