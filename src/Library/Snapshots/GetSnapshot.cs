using Mediator;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Storage;

namespace OptLib.Library.Snapshots;

/// <summary>
/// A snapshot's counts, and with <paramref name="Against"/> what changed from that snapshot to this one; null when
/// either does not exist.
/// </summary>
public sealed record GetSnapshot(long Id, long? Against = null) : IRequest<SnapshotDetailDto?>;

public sealed class GetSnapshotHandler(OptLibDbContext db) : IRequestHandler<GetSnapshot, SnapshotDetailDto?>
{
    public async ValueTask<SnapshotDetailDto?> Handle(GetSnapshot request, CancellationToken cancellationToken)
    {
        var snapshot = await db.LibrarySnapshots.AsNoTracking().FirstOrDefaultAsync(s => s.Id == request.Id, cancellationToken);
        var other = request.Against is { } a ? await db.LibrarySnapshots.AsNoTracking().FirstOrDefaultAsync(s => s.Id == a, cancellationToken) : null;
        if (snapshot is null || (request.Against is not null && other is null))
        {
            return null;
        }

        var members = await LibrarySnapshots.MembersAsync(db, snapshot.Id, cancellationToken);
        var byStage = members.SelectMany(m => m.Insight.Taxonomy.Select(t => t.Stage).Distinct(StringComparer.OrdinalIgnoreCase))
            .GroupBy(stage => stage, StringComparer.OrdinalIgnoreCase)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.OrdinalIgnoreCase);
        var diff = other is null ? null : Diff(other, await LibrarySnapshots.MembersAsync(db, other.Id, cancellationToken), members);
        return new SnapshotDetailDto(snapshot.Id, snapshot.Name, snapshot.CreatedAt, snapshot.CreatedBy, snapshot.JobId, members.Count, byStage, diff);
    }

    private static SnapshotDiff Diff(LibrarySnapshot against, List<SnapshotMember> before, List<SnapshotMember> after)
    {
        var old = before.ToDictionary(m => m.InsightId);
        var now = after.ToDictionary(m => m.InsightId);
        var added = after.Where(m => !old.ContainsKey(m.InsightId)).Select(m => new SnapshotChange(m.InsightId, m.Version, null, m.Insight.Condition)).ToList();
        var retired = before.Where(m => !now.ContainsKey(m.InsightId)).Select(m => new SnapshotChange(m.InsightId, null, m.Version, m.Insight.Condition)).ToList();
        var changed = after.Where(m => old.TryGetValue(m.InsightId, out var o) && o.Version != m.Version)
            .Select(m => (Now: m, Then: old[m.InsightId]))
            .Select(x => new SnapshotChange(x.Now.InsightId, x.Now.Version, x.Then.Version, x.Now.Insight.Condition,
                x.Then.Insight.Condition == x.Now.Insight.Condition ? null : x.Then.Insight.Condition))
            .ToList();
        return new SnapshotDiff(against.Id, against.Name, added.Count, retired.Count, changed.Count, after.Count - added.Count - changed.Count,
            added, retired, changed);
    }
}
