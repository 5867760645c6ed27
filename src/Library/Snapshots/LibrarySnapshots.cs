using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Audit;
using OptLib.Library.Insights;
using OptLib.Library.Storage;
using OptLib.Library.Taxonomy;

namespace OptLib.Library.Snapshots;

/// <summary>Taking a snapshot and reading its members: the one place that knows how members are stored.</summary>
public static class LibrarySnapshots
{
    /// <summary>
    /// Records the active insights' ids and versions in one INSERT ... SELECT, so a writer saving at the same moment is
    /// either wholly in or wholly out. With a job id it is idempotent: a retried planning finds the job's snapshot.
    /// </summary>
    public static async Task<LibrarySnapshot> TakeAsync(OptLibDbContext db, string name, string actor, long? jobId, CancellationToken ct)
    {
        if (jobId is { } job && await db.LibrarySnapshots.AsNoTracking().FirstOrDefaultAsync(s => s.JobId == job, ct) is { } taken)
        {
            return taken;
        }

        await RecordMissingVersionsAsync(db, actor, ct);
        var snapshot = new LibrarySnapshot { Name = name.Trim(), CreatedAt = DateTimeOffset.UtcNow, CreatedBy = actor, JobId = jobId };
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            db.LibrarySnapshots.Add(snapshot);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException ex) when (jobId is not null && UniqueKeys.Refused(ex, LibrarySnapshotConfiguration.JobIndex))
            {
                // Another worker planning the same job took it first.
                await transaction.RollbackAsync(ct);
                db.ChangeTracker.Clear();
                return await db.LibrarySnapshots.AsNoTracking().SingleAsync(s => s.JobId == jobId, ct);
            }

            // Only versions with a row: the members' foreign key needs it, and RecordMissingVersionsAsync wrote the gaps.
            snapshot.InsightCount = await db.Database.ExecuteSqlAsync($"""
                INSERT INTO snapshot_insights (snapshot_id, insight_id, version)
                SELECT {snapshot.Id}, i.id, i.version FROM insights i
                WHERE i.status = 'active' AND EXISTS (SELECT 1 FROM insight_versions v WHERE v.insight_id = i.id AND v.version = i.version)
                """, ct);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }

        await AuditLog.WriteAsync(db, actor, "create", "snapshot", snapshot.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            new { snapshot.Name, snapshot.JobId, Insights = snapshot.InsightCount }, ct);
        return snapshot;
    }

    /// <summary>
    /// Every writer records a version row, but insights written before that (or by hand in SQL) may lack one for their
    /// current version; a snapshot names versions by row, so it writes the missing ones first.
    /// </summary>
    private static async Task RecordMissingVersionsAsync(OptLibDbContext db, string actor, CancellationToken ct)
    {
        var missing = await db.Insights.Include(i => i.Taxonomy)
            .Where(i => i.Status == InsightStatus.Active && !db.InsightVersions.Any(v => v.InsightId == i.Id && v.Version == i.Version))
            .ToListAsync(ct);
        if (missing.Count == 0)
        {
            return;
        }

        var tree = await TaxonomyTree.LoadAsync(db, ct);
        foreach (var insight in missing)
        {
            InsightHistory.Track(db, insight, tree, actor, "recorded for a library snapshot: the insight had no row for its current version");
        }

        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // A snapshot taken at the same moment wrote the same rows; theirs serve as well.
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>The members of a snapshot with their version rows, by insight id.</summary>
    public static async Task<List<SnapshotMember>> MembersAsync(OptLibDbContext db, long snapshotId, CancellationToken ct)
    {
        var rows = await (from m in db.SnapshotInsights.AsNoTracking()
                          where m.SnapshotId == snapshotId
                          join v in db.InsightVersions.AsNoTracking() on new { m.InsightId, m.Version } equals new { v.InsightId, v.Version }
                          orderby m.InsightId
                          select new { m.InsightId, m.Version, v.Snapshot, v.Embedding, v.EmbeddingModel, v.CreatedAt, v.Actor })
            .ToListAsync(ct);
        return rows.Select(r => new SnapshotMember(r.InsightId, r.Version, r.Snapshot.Deserialize<InsightSnapshot>(InsightHistory.SnapshotJson)!,
            r.Embedding, r.EmbeddingModel, r.CreatedAt, r.Actor)).ToList();
    }
}
