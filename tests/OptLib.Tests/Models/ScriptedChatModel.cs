using System.Collections.Concurrent;
using OptLib.Library.Models;

namespace OptLib.Tests.Models;

/// <summary>A model at our own seam that answers from a script, and remembers every call it was given.</summary>
public sealed class ScriptedChatModel(Func<ModelCall, int, string> answer) : IChatModel
{
    private int _calls;

    public ConcurrentQueue<ModelCall> Calls { get; } = new();

    public bool IsConfigured => true;

    public Task<ModelReply> CompleteAsync(ModelCall call, CancellationToken cancellationToken)
    {
        Calls.Enqueue(call);
        var n = Interlocked.Increment(ref _calls);
        var text = answer(call, n);
        return Task.FromResult(new ModelReply(text, new ModelUsage("scripted", call.Purpose, call.User.Length / 4, text.Length / 4, 0, "ok", 0m)));
    }
}
