using System.Collections.Concurrent;
using OptLib.Library.Models;

namespace OptLib.Tests.Models;

/// <summary>A model at our own seam that answers from a script, and remembers every call it was given.</summary>
public sealed class ScriptedChatModel(Func<ModelCall, int, string> answer) : IChatModel
{
    private int _calls;

    public ConcurrentQueue<ModelCall> Calls { get; } = new();

    /// <summary>Awaited inside every call before it answers, with the call's token: a slow model, or a gate a test holds.</summary>
    public Func<ModelCall, CancellationToken, Task>? Pause { get; set; }

    public bool IsConfigured => true;

    public async Task<ModelReply> CompleteAsync(ModelCall call, CancellationToken cancellationToken)
    {
        Calls.Enqueue(call);
        if (Pause is { } pause)
        {
            await pause(call, cancellationToken);
        }

        var n = Interlocked.Increment(ref _calls);
        var text = answer(call, n);
        return new ModelReply(text, new ModelUsage("scripted", call.Purpose, call.User.Length / 4, text.Length / 4, 0, "ok", 0m));
    }
}
