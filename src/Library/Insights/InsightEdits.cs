using Microsoft.EntityFrameworkCore;
using OptLib.Library.Storage;
using OptLib.Library.Taxonomy;
using OptLib.Library.Validation;

namespace OptLib.Library.Insights;

/// <summary>What every change to an existing insight shares: load it, check the expected version, save it as a new version.</summary>
internal static class InsightEdits
{
    public static Task<Insight?> LoadAsync(OptLibDbContext db, long id, CancellationToken ct) =>
        db.Insights.Include(i => i.Taxonomy).SingleOrDefaultAsync(i => i.Id == id, ct);

    /// <summary>
    /// Every change names the version it was made against: a missing one is a 428, a stale one a 409 that tells the
    /// client the current one.
    /// </summary>
    public static void CheckVersion(Insight insight, int? expected)
    {
        if (expected is not { } v)
        {
            throw new PreconditionRequiredException(
                $"Send the version of insight {insight.Id} you are changing (now {insight.Version}), in an If-Match header or as expectedVersion, so a concurrent change is not overwritten.");
        }

        if (v != insight.Version)
        {
            throw Stale(insight.Id, insight.Version, v);
        }
    }

    /// <summary>Bumps the version, records who and why, and saves the change, its version row and the audit entry together.</summary>
    public static async Task<InsightDto> CommitAsync(OptLibDbContext db, Insight insight, TaxonomyTree tree, string actor, string action, string reason, CancellationToken ct)
    {
        var expected = insight.Version;
        insight.Version++;
        insight.UpdatedAt = DateTimeOffset.UtcNow;
        insight.UpdatedBy = actor;
        try
        {
            await InsightHistory.RecordAsync(db, insight, tree, actor, action, reason, ct);
        }
        catch (DbUpdateException ex) when (ex is DbUpdateConcurrencyException || UniqueKeys.Refused(ex, "ix_insight_versions_insight_id_version"))
        {
            // Someone saved between our read and our write: the version we checked is already stale. Which guard
            // fires depends on the order of the batch: the version token on the row, or the unique version number.
            db.ChangeTracker.Clear();
            var current = await db.Insights.AsNoTracking().Where(i => i.Id == insight.Id).Select(i => i.Version).SingleAsync(ct);
            throw Stale(insight.Id, current, expected);
        }

        return InsightDto.From(insight, tree);
    }

    public static string ReasonOr(string? reason, string fallback) => string.IsNullOrWhiteSpace(reason) ? fallback : reason.Trim();

    private static ConflictException Stale(long id, int current, int expected) => new(
        "The insight has changed since you read it.",
        $"Insight {id} is at version {current}, not {expected}. Read it again and re-apply your change.",
        new Dictionary<string, object?> { ["currentVersion"] = current, ["expectedVersion"] = expected });
}
