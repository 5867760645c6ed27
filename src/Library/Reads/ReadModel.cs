using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OptLib.Library.Storage;

namespace OptLib.Library.Reads;

/// <summary>
/// The library's reads (an insight, a page of the list, the taxonomy) and the API keys, served from memory while the
/// database says nothing changed. Every statement that changes their tables bumps a change stamp in its own transaction
/// (<see cref="ChangeStamp"/>). A read checks the stamps when they are over <see cref="ReadModelOptions.CheckMilliseconds"/>
/// old, one query for every waiting read, and drops an area whose stamp moved; a write in this process
/// (<see cref="ReadModelInvalidation"/>) makes the next read check first. The stamps are read before anything is loaded,
/// so what an area holds is never older than its stamp. See docs/decisions/0016-read-model.md.
/// </summary>
public sealed class ReadModel
{
    private readonly long _checkTicks;
    private readonly int _libraryCapacity;
    private readonly int _accessCapacity;
    private readonly SemaphoreSlim _checking = new(1, 1);
    private ReadView _view;
    private long _writes;

    public ReadModel(IOptions<ReadModelOptions> options)
    {
        var settings = options.Value;
        _checkTicks = settings.CheckMilliseconds * Stopwatch.Frequency / 1000;
        _libraryCapacity = settings.Enabled ? settings.MaxInsights : 0;
        _accessCapacity = settings.Enabled ? int.MaxValue : 0; // only live keys are held, so there are never more than the table has
        _view = new ReadView(new ReadArea(long.MinValue, 0), new ReadArea(long.MinValue, 0), checkedAt: 0, writes: -1); // never current: the first read checks
        Invalidation = new ReadModelInvalidation(this);
    }

    /// <summary>The interceptor that tells this read model about every write made through this process's contexts.</summary>
    public ReadModelInvalidation Invalidation { get; }

    /// <summary>What reads may use now: checked against the change stamps within the last CheckMilliseconds and since this process's last write.</summary>
    public async ValueTask<ReadView> CurrentAsync(OptLibDbContext db, CancellationToken ct)
    {
        var view = Volatile.Read(ref _view);
        if (IsCurrent(view))
        {
            return view;
        }

        await _checking.WaitAsync(ct);
        try
        {
            view = Volatile.Read(ref _view);
            if (IsCurrent(view))
            {
                return view; // another read checked while this one waited
            }

            var writes = Volatile.Read(ref _writes);
            var checkedAt = Stopwatch.GetTimestamp();
            var stamps = await db.ChangeStamps.AsNoTracking().ToDictionaryAsync(s => s.Area, s => s.Stamp, ct);
            view = new ReadView(
                Keep(view.Library, stamps.GetValueOrDefault(ChangeStamp.Library), _libraryCapacity),
                Keep(view.Access, stamps.GetValueOrDefault(ChangeStamp.Access), _accessCapacity),
                checkedAt,
                writes);
            Volatile.Write(ref _view, view);
            return view;
        }
        finally
        {
            _checking.Release();
        }
    }

    /// <summary>A write in this process (maybe not yet committed): the next read checks the stamps before it trusts memory.</summary>
    public void Changed() => Interlocked.Increment(ref _writes);

    private bool IsCurrent(ReadView view) =>
        view.Writes == Volatile.Read(ref _writes) && Stopwatch.GetTimestamp() - view.CheckedAt < _checkTicks;

    private static ReadArea Keep(ReadArea area, long stamp, int capacity) => area.Stamp == stamp ? area : new ReadArea(stamp, capacity);
}

/// <summary>The areas as of one check of the change stamps.</summary>
public sealed class ReadView(ReadArea library, ReadArea access, long checkedAt, long writes)
{
    /// <summary>Insights, list pages and the taxonomy.</summary>
    public ReadArea Library { get; } = library;

    /// <summary>Live API keys by hash.</summary>
    public ReadArea Access { get; } = access;

    internal long CheckedAt { get; } = checkedAt;

    internal long Writes { get; } = writes;
}

/// <summary>What has been read from one area since its stamp last moved, by request; dropped whole when it moves.</summary>
public sealed class ReadArea(long stamp, int capacity)
{
    private readonly ConcurrentDictionary<object, object> _entries = new();
    private int _held;

    public long Stamp { get; } = stamp;

    /// <summary>
    /// The value read before for <paramref name="key"/> (a request record, compared by value), or what
    /// <paramref name="load"/> reads now, kept while the area's capacity allows (<paramref name="weight"/>: the insights
    /// it holds). Nothing is kept for null.
    /// </summary>
    public async ValueTask<T?> GetOrLoadAsync<T>(object key, Func<Task<T?>> load, Func<T, int>? weight = null) where T : class
    {
        if (_entries.TryGetValue(key, out var held))
        {
            return (T)held;
        }

        var value = await load();
        if (value is not null)
        {
            var cost = Math.Max(1, weight?.Invoke(value) ?? 1);
            if (Volatile.Read(ref _held) <= capacity - cost && _entries.TryAdd(key, value))
            {
                Interlocked.Add(ref _held, cost);
            }
        }

        return value;
    }
}
