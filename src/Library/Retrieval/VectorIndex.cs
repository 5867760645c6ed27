using System.Numerics;
using System.Runtime.InteropServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using OptLib.Library.Insights;
using OptLib.Library.Reads;
using OptLib.Library.Storage;

namespace OptLib.Library.Retrieval;

/// <summary>
/// The active insights' vectors of the configured embedding model, held in this process and searched exactly: every
/// vector is compared, so the kNN list is the exact one at any library size (an HNSW graph found 0.39 of it at 100k,
/// ADR 0017). Before a search it is brought up to the library's change stamp (ADR 0016): a moved stamp lists the
/// active insights' row versions (<c>xmin</c>) and reloads only the rows whose version changed, so any write, through
/// this process or not, reaches the next search after the stamp moves. One refresh runs at a time; searches wait for
/// it, so a search never sees a library older than the stamp it was given. See docs/decisions/0018-exact-knn-in-process.md.
/// </summary>
public sealed class VectorIndex(ReadModel readModel, IEmbeddingProvider embeddings, ILogger<VectorIndex> logger)
{
    /// <summary>Rows fetched per query when vectors are (re)loaded.</summary>
    private const int Batch = 2000;

    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private readonly ReaderWriterLockSlim _lock = new();
    private readonly Dictionary<long, int> _slots = [];
    private readonly Stack<int> _free = new();
    private long _stamp = long.MinValue;
    private int _dimensions;
    private int _used; // slots ever handed out: the scan's end
    private long[] _ids = [];      // 0 marks a free slot
    private long[] _versions = []; // the row's xmin when it was loaded
    private long[][] _labels = [];
    private float[] _vectors = []; // unit vectors, slot after slot

    /// <summary>How many vectors the index holds.</summary>
    public int Count
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _slots.Count;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>Brings the index up to the library's change stamp, unless it is there already.</summary>
    public async ValueTask CatchUpAsync(OptLibDbContext db, CancellationToken ct)
    {
        var stamp = (await readModel.CurrentAsync(db, ct)).Library.Stamp;
        if (Volatile.Read(ref _stamp) == stamp)
        {
            return;
        }

        await _refreshing.WaitAsync(ct);
        try
        {
            if (Volatile.Read(ref _stamp) != stamp)
            {
                await RefreshAsync(db, ct);
                Volatile.Write(ref _stamp, stamp); // the stamp was read first, so what was loaded is no older than it
            }
        }
        finally
        {
            _refreshing.Release();
        }
    }

    /// <summary>
    /// The <paramref name="count"/> insights filed under one of <paramref name="labels"/> most similar to
    /// <paramref name="query"/> (cosine), most similar first, ties by id. Call <see cref="CatchUpAsync"/> first.
    /// </summary>
    public IReadOnlyList<Neighbour> Nearest(ReadOnlySpan<float> query, IReadOnlySet<long> labels, int count)
    {
        var unit = Unit(query);
        if (unit is null || count < 1)
        {
            return [];
        }

        var best = new Neighbour[count];
        var held = 0;
        _lock.EnterReadLock();
        try
        {
            if (unit.Length != _dimensions)
            {
                return [];
            }

            var vectors = _vectors.AsSpan();
            for (var slot = 0; slot < _used; slot++)
            {
                if (_ids[slot] == 0 || !Filed(_labels[slot], labels))
                {
                    continue;
                }

                var similarity = Dot(unit, vectors.Slice(slot * _dimensions, _dimensions));
                if (held == count && !Before(similarity, _ids[slot], best[held - 1]))
                {
                    continue;
                }

                // Insert in order into the short list; the worst falls off the end when it is full.
                var at = held < count ? held++ : held - 1;
                while (at > 0 && Before(similarity, _ids[slot], best[at - 1]))
                {
                    best[at] = best[at - 1];
                    at--;
                }

                best[at] = new Neighbour(_ids[slot], similarity);
            }
        }
        finally
        {
            _lock.ExitReadLock();
        }

        return best.AsSpan(0, held).ToArray();
    }

    private async Task RefreshAsync(OptLibDbContext db, CancellationToken ct)
    {
        var started = TimeProvider.System.GetTimestamp();
        var model = embeddings.ModelId;
        var rows = await db.Database
            .SqlQuery<RowVersion>($"SELECT id AS \"Id\", xmin::text::bigint AS \"Version\" FROM insights WHERE status = 'active' AND embedding IS NOT NULL AND embedding_model = {model}")
            .ToListAsync(ct);

        List<long> changed;
        List<long> gone;
        _lock.EnterReadLock();
        try
        {
            changed = rows.Where(r => !_slots.TryGetValue(r.Id, out var slot) || _versions[slot] != r.Version).Select(r => r.Id).ToList();
            var listed = rows.Select(r => r.Id).ToHashSet();
            gone = _slots.Keys.Where(id => !listed.Contains(id)).ToList();
        }
        finally
        {
            _lock.ExitReadLock();
        }

        var versions = rows.ToDictionary(r => r.Id, r => r.Version);
        var loaded = new List<(long Id, float[] Vector, long[] Labels)>(changed.Count);
        foreach (var batch in changed.Chunk(Batch))
        {
            var found = await db.Insights.AsNoTracking()
                .Where(i => batch.Contains(i.Id) && i.Status == InsightStatus.Active && i.Embedding != null && i.EmbeddingModel == model)
                .Select(i => new { i.Id, i.Embedding, Labels = i.Taxonomy.Select(t => t.Id).ToList() })
                .ToListAsync(ct);
            // A zero vector is similar to nothing (pgvector's cosine distance is NaN for it), so it is not held.
            loaded.AddRange(found.Select(f => (f.Id, Vector: Unit(f.Embedding!.ToArray()), Labels: f.Labels.ToArray()))
                .Where(f => f.Vector is not null).Select(f => (f.Id, f.Vector!, f.Labels)));
        }

        // A row listed but not found was retired or re-embedded in between: it leaves now, and the next stamp brings it back.
        gone.AddRange(changed.Except(loaded.Select(l => l.Id)));
        _lock.EnterWriteLock();
        try
        {
            foreach (var id in gone)
            {
                if (_slots.Remove(id, out var slot))
                {
                    _ids[slot] = 0;
                    _labels[slot] = [];
                    _free.Push(slot);
                }
            }

            foreach (var (id, vector, labels) in loaded)
            {
                if (_dimensions != vector.Length)
                {
                    Reset(vector.Length); // the first vector, or the model's size changed: start again at that size
                }

                if (!_slots.TryGetValue(id, out var slot))
                {
                    slot = _free.Count > 0 ? _free.Pop() : Take(loaded.Count);
                    _slots[id] = slot;
                }

                _ids[slot] = id;
                _versions[slot] = versions[id];
                _labels[slot] = labels;
                vector.CopyTo(_vectors.AsSpan(slot * _dimensions, _dimensions));
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }

        logger.LogDebug("Vector index: {Loaded} loaded and {Gone} dropped of {Active} active insights in {Elapsed} ms",
            loaded.Count, gone.Count, rows.Count, (int)TimeProvider.System.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>A new slot at the end, growing the arrays by a quarter (at least what this refresh still loads).</summary>
    private int Take(int loading)
    {
        if (_used == _ids.Length)
        {
            var capacity = Math.Max(_used + Math.Max(loading, 64), _used + _used / 4);
            Array.Resize(ref _ids, capacity);
            Array.Resize(ref _versions, capacity);
            Array.Resize(ref _labels, capacity);
            Array.Resize(ref _vectors, capacity * _dimensions);
        }

        return _used++;
    }

    private void Reset(int dimensions)
    {
        _dimensions = dimensions;
        _slots.Clear();
        _free.Clear();
        _used = 0;
        (_ids, _versions, _labels, _vectors) = ([], [], [], []);
    }

    private static bool Filed(long[] filed, IReadOnlySet<long> labels)
    {
        foreach (var label in filed)
        {
            if (labels.Contains(label))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Before(float similarity, long id, Neighbour other) =>
        similarity > other.Similarity || (similarity == other.Similarity && id < other.Id);

    /// <summary>The unit vector of <paramref name="vector"/>, or null for a zero vector, which is similar to nothing.</summary>
    private static float[]? Unit(ReadOnlySpan<float> vector)
    {
        var norm = MathF.Sqrt(Dot(vector, vector));
        if (norm == 0 || !float.IsFinite(norm))
        {
            return null;
        }

        var unit = new float[vector.Length];
        for (var i = 0; i < vector.Length; i++)
        {
            unit[i] = vector[i] / norm;
        }

        return unit;
    }

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        ref var left = ref MemoryMarshal.GetReference(a);
        ref var right = ref MemoryMarshal.GetReference(b);
        var sum = Vector<float>.Zero;
        var i = 0;
        for (; i <= a.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            sum += Vector.LoadUnsafe(ref left, (nuint)i) * Vector.LoadUnsafe(ref right, (nuint)i);
        }

        var dot = Vector.Sum(sum);
        for (; i < a.Length; i++)
        {
            dot += a[i] * b[i];
        }

        return dot;
    }

    private sealed record RowVersion(long Id, long Version);
}

/// <summary>An insight and its cosine similarity to the query.</summary>
public readonly record struct Neighbour(long Id, float Similarity);
