using System.Diagnostics;

namespace OptLib.Tests.Infrastructure;

/// <summary>
/// The one way the tests wait for state they cannot await: read it until it is what the test needs, or fail naming
/// what was awaited and the last value seen. A negative check (something must not happen) reads it for a whole
/// window instead, and fails the moment it changes.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>Waits until <paramref name="condition"/> holds, or fails the test after <paramref name="timeout"/>.</summary>
    public static Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what) =>
        ValueAsync(condition, done => done, timeout, what);

    /// <summary>
    /// Reads until <paramref name="done"/> holds for the value read and returns that value, or fails the test after
    /// <paramref name="timeout"/> with the last value, shown by <paramref name="describe"/> (its ToString otherwise).
    /// </summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout, string what, Func<T, string>? describe = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (clock.Elapsed >= timeout)
            {
                Assert.Fail($"timed out after {timeout.TotalSeconds} s waiting for {what}; last seen: {Describe(value, describe)}");
            }

            await Task.Delay(Interval);
        }
    }

    /// <summary>
    /// A negative check over an explicit window: reads for the whole of <paramref name="window"/> and fails the test the
    /// first time <paramref name="holds"/> does not hold for the value read; returns the last value.
    /// </summary>
    public static async Task<T> ThroughoutAsync<T>(Func<Task<T>> read, Func<T, bool> holds, TimeSpan window, string what, Func<T, string>? describe = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (!holds(value))
            {
                Assert.Fail($"expected {what} for {window.TotalSeconds} s, but after {clock.Elapsed.TotalSeconds:0.0} s saw: {Describe(value, describe)}");
            }

            if (clock.Elapsed >= window)
            {
                return value;
            }

            await Task.Delay(Interval);
        }
    }

    private static string Describe<T>(T value, Func<T, string>? describe) => describe is null ? value?.ToString() ?? "null" : describe(value);
}
