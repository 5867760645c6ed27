using Microsoft.EntityFrameworkCore;
using OptLib.Library.Insights;
using OptLib.Library.Snapshots;
using OptLib.Library.Storage;
using OptLib.Library.Validation;

namespace OptLib.Library.Retrieval;

/// <summary>
/// Retrieval's candidates as of a snapshot: its members at their versions, with the text and vector of each version
/// row (ADR 0019). A version row without a vector of the configured model (written before versions kept one, or
/// before a re-embed) is embedded again here, in memory. The vectors are compared exactly; a snapshot holds the
/// library of one moment, thousands of insights at most.
/// </summary>
public sealed class SnapshotCandidates
{
    private readonly Dictionary<long, Member> _members;

    private SnapshotCandidates(long id, Dictionary<long, Member> members) => (Id, _members) = (id, members);

    public long Id { get; }

    private sealed record Member(SnapshotMember Row, float[] Unit, HashSet<long> Labels);

    /// <summary>The snapshot's members with comparable vectors; an unknown snapshot is a 400 naming it.</summary>
    public static async Task<SnapshotCandidates> LoadAsync(OptLibDbContext db, IEmbeddingProvider embeddings, long snapshotId, CancellationToken ct)
    {
        if (!await db.LibrarySnapshots.AnyAsync(s => s.Id == snapshotId, ct))
        {
            throw ValidationFailedException.For("snapshot", $"There is no library snapshot {snapshotId}; GET /api/library/snapshots lists them.");
        }

        var members = new Dictionary<long, Member>();
        foreach (var row in await LibrarySnapshots.MembersAsync(db, snapshotId, ct))
        {
            var vector = row.Embedding is { } stored && row.EmbeddingModel == embeddings.ModelId
                ? stored.ToArray()
                : await embeddings.EmbedAsync(row.Insight.Condition + "\n" + row.Insight.Explanation, ct);
            members[row.InsightId] = new Member(row, Unit(vector), row.Insight.Taxonomy.Select(t => t.NodeId).ToHashSet());
        }

        return new SnapshotCandidates(snapshotId, members);
    }

    /// <summary>The <paramref name="count"/> members filed under one of <paramref name="labels"/> nearest the query (cosine), ties by id.</summary>
    public IReadOnlyList<Neighbour> Nearest(ReadOnlySpan<float> query, IReadOnlySet<long> labels, int count)
    {
        var unit = Unit(query.ToArray());
        var scored = new List<Neighbour>();
        foreach (var (id, member) in _members)
        {
            if (member.Unit.Length == unit.Length && member.Labels.Overlaps(labels))
            {
                double dot = 0;
                for (var i = 0; i < unit.Length; i++)
                {
                    dot += unit[i] * member.Unit[i];
                }

                scored.Add(new Neighbour(id, (float)dot));
            }
        }

        return scored.OrderByDescending(n => n.Similarity).ThenBy(n => n.Id).Take(count).ToList();
    }

    /// <summary>
    /// Full-text ranking over the members' text at their versions, computed from the version rows as the insights'
    /// generated column computes it from the current text; members of the stage only.
    /// </summary>
    public async Task<List<(long Id, double Score)>> TextRankingAsync(OptLibDbContext db, string tsquery, IReadOnlyCollection<long> leafIds, int pool, CancellationToken ct)
    {
        var hits = await db.Database.SqlQuery<TextHit>($"""
            SELECT v.insight_id AS "Id", ts_rank(d.document, to_tsquery('english', {tsquery}))::float8 AS "Score"
            FROM snapshot_insights m
            JOIN insight_versions v ON v.insight_id = m.insight_id AND v.version = m.version
            CROSS JOIN LATERAL (SELECT to_tsvector('english', coalesce(v.snapshot->>'condition', '') || ' ' || coalesce(v.snapshot->>'explanation', '')) AS document) d
            WHERE m.snapshot_id = {Id} AND d.document @@ to_tsquery('english', {tsquery})
            """).ToListAsync(ct);
        var leaves = leafIds.ToHashSet();
        return hits.Where(h => _members.TryGetValue(h.Id, out var m) && m.Labels.Overlaps(leaves))
            .OrderByDescending(h => h.Score).ThenBy(h => h.Id).Take(pool).Select(h => (h.Id, h.Score)).ToList();
    }

    /// <summary>How many members each label holds, for a labelling prompt that must choose the fullest labels.</summary>
    public Dictionary<long, int> CountsByLabel() => _members.Values.SelectMany(m => m.Labels).GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>The member as an insight: its text, labels and counters at its version.</summary>
    public InsightDto Dto(long id)
    {
        var (row, s) = (_members[id].Row, _members[id].Row.Insight);
        return new InsightDto(id, s.Status, row.Version, s.Condition, s.Explanation, s.Example,
            s.Taxonomy.OrderBy(p => p.Stage).ThenBy(p => p.Level1).ThenBy(p => p.Level2).ToList(), s.SourceProblemIds, s.SourceAttemptIds,
            s.Origin, s.Usage, s.Evidence, row.EmbeddingModel, row.VersionAt, row.VersionAt, row.Actor, row.Actor);
    }

    private static float[] Unit(float[] vector)
    {
        double norm = 0;
        foreach (var x in vector)
        {
            norm += x * x;
        }

        norm = Math.Sqrt(norm);
        return norm == 0 ? vector : vector.Select(x => (float)(x / norm)).ToArray();
    }

    private sealed record TextHit(long Id, double Score);
}
