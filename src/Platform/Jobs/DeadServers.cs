using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace OptLib.Platform.Jobs;

/// <summary>
/// Before a process starts its job servers, the servers that an earlier process on this machine left behind give
/// back the work they had fetched, so it runs again at once rather than after the invisibility timeout. Our server
/// names carry the machine and the pid (<see cref="BackgroundJobs.Start"/>); a server is dead when its pid no longer runs,
/// or when its pid is ours but its last heartbeat predates this process (a restarted container gets pid 1 again).
/// </summary>
internal static class DeadServers
{
    private const double StaleFetchSeconds = 5;

    public static async Task ReleaseAsync(NpgsqlDataSource dataSource, ILogger logger, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using (var exists = new NpgsqlCommand($"SELECT to_regclass('{BackgroundJobs.Schema}.server') IS NOT NULL", connection))
        {
            if (await exists.ExecuteScalarAsync(ct) is not true)
            {
                return; // a new database: no server has run on it yet
            }
        }

        var servers = new List<(string Id, DateTime Heartbeat)>();
        await using (var list = new NpgsqlCommand($"SELECT id, lastheartbeat FROM {BackgroundJobs.Schema}.server", connection))
        await using (var reader = await list.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                servers.Add((reader.GetString(0), DateTime.SpecifyKind(reader.GetDateTime(1), DateTimeKind.Utc)));
            }
        }

        var dead = servers.Where(s => IsDeadHere(s.Id, s.Heartbeat)).Select(s => s.Id).ToArray();
        if (dead.Length == 0)
        {
            return;
        }

        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var release = new NpgsqlCommand(
            $"""
            UPDATE {BackgroundJobs.Schema}.jobqueue q SET fetchedat = NULL
            FROM {BackgroundJobs.Schema}.job j JOIN {BackgroundJobs.Schema}.state s ON s.id = j.stateid
            WHERE q.jobid = j.id AND q.fetchedat IS NOT NULL AND j.statename = 'Processing'
              AND s.data::jsonb ->> 'ServerId' = ANY(@dead)
            """, connection, transaction) { Parameters = { new("dead", dead) } };
        var released = await release.ExecuteNonQueryAsync(ct);
        // A job fetched by a worker that died before it could mark the job Processing (a starved thread under load)
        // names no server; it is still Enqueued with its fetch time set. A live worker marks its job within
        // milliseconds, so one fetched over StaleFetchSeconds ago and still Enqueued was a dead worker's.
        await using var unstarted = new NpgsqlCommand(
            $"""
            UPDATE {BackgroundJobs.Schema}.jobqueue q SET fetchedat = NULL
            FROM {BackgroundJobs.Schema}.job j
            WHERE q.jobid = j.id AND q.fetchedat IS NOT NULL AND j.statename = 'Enqueued'
              AND q.fetchedat < now() - make_interval(secs => @stale)
            """, connection, transaction) { Parameters = { new("stale", StaleFetchSeconds) } };
        released += await unstarted.ExecuteNonQueryAsync(ct);
        await using var forget = new NpgsqlCommand($"DELETE FROM {BackgroundJobs.Schema}.server WHERE id = ANY(@dead)", connection, transaction) { Parameters = { new("dead", dead) } };
        await forget.ExecuteNonQueryAsync(ct);
        await transaction.CommitAsync(ct);
        logger.LogWarning("Released {Released} job(s) held by {Count} job server(s) of a process that is no longer running: {Servers}",
            released, dead.Length, string.Join(", ", dead));
    }

    internal static bool IsDeadHere(string serverId, DateTime lastHeartbeatUtc)
    {
        var parts = serverId.Split(':');
        if (parts.Length < 3 || !parts[0].Equals(Environment.MachineName, StringComparison.OrdinalIgnoreCase)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            return false; // another machine's, or not named by us: its own process is the judge
        }

        return pid == Environment.ProcessId ? lastHeartbeatUtc < StartedAtUtc : !Runs(pid);
    }

    private static readonly DateTime StartedAtUtc = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    private static bool Runs(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
