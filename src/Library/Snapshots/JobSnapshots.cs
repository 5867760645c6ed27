using Microsoft.EntityFrameworkCore;
using OptLib.Library.Jobs;
using OptLib.Library.Storage;

namespace OptLib.Library.Snapshots;

/// <summary>The snapshot a job takes of the library before it changes it (or, for a comparison, of "current").</summary>
public static class JobSnapshots
{
    /// <summary>
    /// Takes the job's snapshot once, in the job creator's name, and logs it; planning retried returns the same one.
    /// </summary>
    public static async Task<LibrarySnapshot> TakeAsync(JobContext job, OptLibDbContext db, string name, CancellationToken ct)
    {
        var existing = await db.LibrarySnapshots.AsNoTracking().FirstOrDefaultAsync(s => s.JobId == job.JobId, ct);
        if (existing is not null)
        {
            return existing;
        }

        var actor = await db.Jobs.Where(j => j.Id == job.JobId).Select(j => j.CreatedBy).SingleAsync(ct);
        var snapshot = await LibrarySnapshots.TakeAsync(db, name, actor, job.JobId, ct);
        await job.LogAsync($"Library snapshot {snapshot.Id} \"{snapshot.Name}\" holds {snapshot.InsightCount} active insight versions.", cancellationToken: ct);
        return snapshot;
    }

    public static string Before(JobContext job) => $"before {job.Kind} job {job.JobId}";
}
