using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Audit;
using OptLib.Library.Storage;
using OptLib.Library.Taxonomy;

namespace OptLib.Library.Insights;

/// <summary>
/// Every change to an insight goes through here: it writes the immutable version row with actor and reason, and an
/// audit entry, in the same save as the change itself. The version row points at its insight by navigation, so a new
/// insight and its first version are one save too; no transaction is needed around them.
/// </summary>
public static class InsightHistory
{
    public static readonly JsonSerializerOptions SnapshotJson = new(JsonSerializerDefaults.Web);

    public static InsightSnapshot Snapshot(Insight i, TaxonomyTree tree) => new(
        i.Status.ToString().ToLowerInvariant(), i.Condition, i.Explanation, i.Example,
        i.Taxonomy.Select(tree.PathDto).OrderBy(p => p.NodeId).ToList(),
        [.. i.SourceProblemIds], [.. i.SourceAttemptIds], i.Origin, i.Usage, i.Evidence);

    /// <summary>
    /// Takes ids for new insights from the table's identity sequence, before the save, so that the audit entry of
    /// their creation can name them in the same save.
    /// </summary>
    public static async Task AssignIdsAsync(OptLibDbContext db, IReadOnlyList<Insight> insights, CancellationToken ct)
    {
        var ids = await db.Database
            .SqlQuery<long>($"SELECT nextval(pg_get_serial_sequence('insights', 'id')) AS \"Value\" FROM generate_series(1, {insights.Count})")
            .ToListAsync(ct);
        for (var i = 0; i < insights.Count; i++)
        {
            insights[i].Id = ids[i];
        }
    }

    /// <summary>Adds the version row for the insight's current state and the audit entry, and saves them with the change.</summary>
    public static async Task RecordAsync(OptLibDbContext db, Insight insight, TaxonomyTree tree, string actor, string action, string reason, CancellationToken ct)
    {
        Track(db, insight, tree, actor, reason);
        await AuditLog.WriteAsync(db, actor, action, "insight", insight.Id.ToString(CultureInfo.InvariantCulture),
            new { insight.Version, Reason = reason }, ct);
    }

    /// <summary>Adds the version row without saving, for bulk writers that audit once.</summary>
    public static void Track(OptLibDbContext db, Insight insight, TaxonomyTree tree, string actor, string reason) =>
        db.InsightVersions.Add(new InsightVersion
        {
            Insight = insight,
            Version = insight.Version,
            Snapshot = JsonSerializer.SerializeToDocument(Snapshot(insight, tree), SnapshotJson),
            Embedding = insight.Embedding,
            EmbeddingModel = insight.EmbeddingModel,
            Actor = actor,
            Reason = reason,
            CreatedAt = DateTimeOffset.UtcNow,
        });
}
