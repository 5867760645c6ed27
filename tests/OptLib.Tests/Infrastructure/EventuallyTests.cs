using Xunit.Sdk;

namespace OptLib.Tests.Infrastructure;

/// <summary>The waits of every other test rest on these: a wait that could not fail would pass anything.</summary>
public sealed class EventuallyTests
{
    [Fact]
    public async Task AWaitReturnsTheFirstValueThatSatisfiesIt()
    {
        var reads = 0;

        var value = await Eventually.ValueAsync(() => Task.FromResult(++reads), n => n >= 3, TimeSpan.FromSeconds(10), "the third read");

        Assert.Equal(3, value);
        Assert.Equal(3, reads);
    }

    [Fact]
    public async Task AWaitThatTimesOutFailsNamingWhatItAwaitedAndTheLastValue()
    {
        var failure = await Assert.ThrowsAsync<FailException>(() =>
            Eventually.ValueAsync(() => Task.FromResult("still queued"), s => s == "done", TimeSpan.FromMilliseconds(300), "the job to end"));

        Assert.Equal("timed out after 0.3 s waiting for the job to end; last seen: still queued", failure.Message);
    }

    [Fact]
    public async Task AWindowReadsForItsWholeLengthAndFailsTheFirstTimeTheStateChanges()
    {
        var reads = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var last = await Eventually.ThroughoutAsync(() => Task.FromResult(++reads), _ => true, TimeSpan.FromMilliseconds(300), "anything");
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(300), $"returned after {clock.Elapsed} of a 300 ms window");
        Assert.True(last >= 2, $"read {last} times in the window");

        var changes = 0;
        var failure = await Assert.ThrowsAsync<FailException>(() =>
            Eventually.ThroughoutAsync(() => Task.FromResult(++changes), n => n < 2, TimeSpan.FromSeconds(10), "the count to stay below 2", n => $"count {n}"));
        Assert.StartsWith("expected the count to stay below 2 for 10 s, but after ", failure.Message, StringComparison.Ordinal);
        Assert.EndsWith(" saw: count 2", failure.Message, StringComparison.Ordinal);
        Assert.Equal(2, changes);
    }
}
