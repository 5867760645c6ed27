using System.Globalization;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using OptLib.Library.Storage;
using OptLib.Platform.Database;

namespace OptLib.Library.Jobs;

/// <summary>
/// The coordinator's statements on <c>jobs</c> and <c>job_items</c>. Each decision that several workers could race
/// for (claiming an item, counting a completion, cancelling) is ONE statement, so it is atomic on any PostgreSQL and
/// never holds a transaction open across an await (PGlite serves every connection from one session).
/// </summary>
public sealed class JobStore(OptLibDatabase database)
{
    public const int MaxLogLines = 1000;
    private const int InsertBatch = 1000;

    /// <summary>"host:pid": who claimed an item, visible in job_items.worker.</summary>
    public static string WorkerName { get; } = $"{Environment.MachineName}:{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}";

    public sealed record JobHead(long Id, string Kind, JsonElement Parameters, JobState State, int PhaseIndex, string? Phase, int PhaseRemaining);

    public sealed record Claim(long JobId, string Phase, string Key, int Tries);

    public sealed record Completion(JobState JobState, int PhaseIndex, int PhaseRemaining);

    public async Task<JobHead?> HeadAsync(long jobId, CancellationToken ct)
    {
        await using var command = Command("""
            SELECT id, kind, coalesce(parameters, '{}'::jsonb)::text, state, phase_index, phase, phase_remaining
            FROM jobs WHERE id = @job
            """, ("job", jobId));
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }

        using var parameters = JsonDocument.Parse(reader.GetString(2));
        return new JobHead(reader.GetInt64(0), reader.GetString(1), parameters.RootElement.Clone(), ParseState(reader.GetString(3)),
            reader.GetInt32(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetInt32(6));
    }

    /// <summary>Inserts a phase's items; keys already there (a retried plan) are left as they are.</summary>
    public async Task InsertItemsAsync(long jobId, string phase, IReadOnlyList<string> keys, CancellationToken ct)
    {
        foreach (var batch in keys.Distinct(StringComparer.Ordinal).Chunk(InsertBatch))
        {
            await using var command = Command("""
                INSERT INTO job_items (job_id, phase, key, state, tries)
                SELECT @job, @phase, k, 'pending', 0 FROM unnest(@keys) AS k
                ON CONFLICT (job_id, phase, key) DO NOTHING
                """, ("job", jobId), ("phase", phase), ("keys", batch));
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>
    /// Makes <paramref name="phase"/> the job's current phase and counts what is left of it and of the whole job from
    /// the items themselves (so a retried plan counts right). Null when the job is no longer running or has moved on.
    /// </summary>
    public async Task<int?> StartPhaseAsync(long jobId, int index, string phase, CancellationToken ct)
    {
        await using var command = Command("""
            UPDATE jobs SET
                state = 'running',
                started_at = coalesce(started_at, now()),
                phase_index = @index,
                phase = @phase,
                phase_remaining = (SELECT count(*) FROM job_items WHERE job_id = @job AND phase = @phase AND state IN ('pending', 'running')),
                progress_total = (SELECT count(*) FROM job_items WHERE job_id = @job AND state <> 'cancelled'),
                current_step = @step
            WHERE id = @job AND state IN ('queued', 'running') AND (phase_index <= @index OR phase IS NULL)
            RETURNING phase_remaining
            """, ("job", jobId), ("index", index), ("phase", phase), ("step", phase));
        return await command.ExecuteScalarAsync(ct) is int remaining ? remaining : null;
    }

    /// <summary>Items of the phase that have no Hangfire job yet.</summary>
    public async Task<IReadOnlyList<long>> UnqueuedItemsAsync(long jobId, string phase, CancellationToken ct)
    {
        await using var command = Command("""
            SELECT id FROM job_items WHERE job_id = @job AND phase = @phase AND state = 'pending' AND hangfire_job_id IS NULL ORDER BY id
            """, ("job", jobId), ("phase", phase));
        var ids = new List<long>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }

    public async Task SetHangfireJobIdsAsync(IReadOnlyList<long> items, IReadOnlyList<string> hangfireJobIds, CancellationToken ct)
    {
        await using var command = Command("""
            UPDATE job_items SET hangfire_job_id = v.hangfire
            FROM unnest(@items, @hangfire) AS v(id, hangfire)
            WHERE job_items.id = v.id AND job_items.hangfire_job_id IS NULL
            """, ("items", items.ToArray()), ("hangfire", hangfireJobIds.ToArray()));
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task AddJobHangfireIdAsync(long jobId, string hangfireJobId, CancellationToken ct)
    {
        await using var command = Command("UPDATE jobs SET hangfire_job_ids = array_append(hangfire_job_ids, @h) WHERE id = @job",
            ("job", jobId), ("h", hangfireJobId));
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Takes an item for this worker: a pending one, or one left running by the same Hangfire job (its worker died,
    /// or Hangfire retried it). Nothing when another Hangfire job holds it, it is finished, or the job is not running.
    /// </summary>
    public async Task<Claim?> ClaimAsync(long itemId, string hangfireJobId, CancellationToken ct)
    {
        await using var command = Command("""
            UPDATE job_items i SET state = 'running', tries = i.tries + 1, worker = @worker, hangfire_job_id = @hangfire,
                started_at = now(), finished_at = NULL, error = NULL
            WHERE i.id = @item
              AND (i.state = 'pending' OR (i.state = 'running' AND i.hangfire_job_id = @hangfire))
              AND EXISTS (SELECT 1 FROM jobs j WHERE j.id = i.job_id AND j.state = 'running')
            RETURNING i.job_id, i.phase, i.key, i.tries
            """, ("item", itemId), ("hangfire", hangfireJobId), ("worker", WorkerName));
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new Claim(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3)) : null;
    }

    /// <summary>
    /// Records an item's end and counts it in its job, in one statement; the returned count of what is left of the
    /// phase tells exactly one completer that it finished the phase. Null when the item was not this Hangfire job's.
    /// </summary>
    public async Task<Completion?> CompleteAsync(long itemId, string hangfireJobId, JobItemState state, string? resultJson, string? error, CancellationToken ct)
    {
        await using var command = Command("""
            WITH done AS (
                UPDATE job_items SET state = @state, result = @result::jsonb, error = @error, finished_at = now()
                WHERE id = @item AND state = 'running' AND hangfire_job_id = @hangfire
                RETURNING job_id, phase)
            UPDATE jobs j SET
                progress_done = j.progress_done + CASE WHEN @state = 'cancelled' THEN 0 ELSE 1 END,
                phase_remaining = j.phase_remaining - 1
            FROM done WHERE j.id = done.job_id AND j.phase = done.phase
            RETURNING j.state, j.phase_index, j.phase_remaining
            """, ("item", itemId), ("hangfire", hangfireJobId), ("state", Name(state)),
            ("result", (object?)resultJson ?? DBNull.Value), ("error", (object?)error ?? DBNull.Value));
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new Completion(ParseState(reader.GetString(0)), reader.GetInt32(1), reader.GetInt32(2)) : null;
    }

    /// <summary>The item's state and whether its phase is the job's current one with nothing left: a lost hand-over.</summary>
    public async Task<(long JobId, JobItemState State, bool PhaseDone, int PhaseIndex)?> ItemStatusAsync(long itemId, CancellationToken ct)
    {
        await using var command = Command("""
            SELECT i.job_id, i.state, j.state = 'running' AND j.phase = i.phase AND j.phase_remaining = 0, j.phase_index
            FROM job_items i JOIN jobs j ON j.id = i.job_id WHERE i.id = @item
            """, ("item", itemId));
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? (reader.GetInt64(0), Enum.Parse<JobItemState>(reader.GetString(1), true), reader.GetBoolean(2), reader.GetInt32(3))
            : null;
    }

    /// <summary>
    /// Cancels a queued or running job: the job becomes Cancelling and its pending items Cancelled, in one statement.
    /// Returns the Hangfire jobs of those items (to delete), or null when the job was not queued or running.
    /// </summary>
    public async Task<IReadOnlyList<string>?> CancelAsync(long jobId, CancellationToken ct)
    {
        await using var command = Command("""
            WITH j AS (
                UPDATE jobs SET state = 'cancelling', current_step = 'cancelling' WHERE id = @job AND state IN ('queued', 'running') RETURNING id),
            c AS (
                UPDATE job_items SET state = 'cancelled', finished_at = now()
                WHERE job_id IN (SELECT id FROM j) AND state = 'pending' RETURNING hangfire_job_id)
            SELECT (SELECT count(*) FROM j), c.hangfire_job_id FROM (SELECT 1) one LEFT JOIN c ON true
            """, ("job", jobId));
        var hangfire = new List<string>();
        var cancelled = false;
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            cancelled = reader.GetInt64(0) > 0;
            if (!reader.IsDBNull(1))
            {
                hangfire.Add(reader.GetString(1));
            }
        }

        return cancelled ? hangfire : null;
    }

    /// <summary>A retried item of a cancelled job: it will not run again, so it is cancelled too.</summary>
    public async Task AbandonIfCancellingAsync(long itemId, string hangfireJobId, CancellationToken ct)
    {
        await using var command = Command("""
            UPDATE job_items i SET state = 'cancelled', finished_at = now()
            WHERE i.id = @item AND i.state IN ('pending', 'running') AND (i.hangfire_job_id IS NULL OR i.hangfire_job_id = @hangfire)
              AND EXISTS (SELECT 1 FROM jobs j WHERE j.id = i.job_id AND j.state IN ('cancelling', 'cancelled'))
            """, ("item", itemId), ("hangfire", hangfireJobId));
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>A Cancelling job whose items have all stopped becomes Cancelled. Anyone may call it, any number of times.</summary>
    public async Task FinalizeCancelAsync(long jobId, CancellationToken ct)
    {
        await using var command = Command("""
            UPDATE jobs SET state = 'cancelled', finished_at = now(), current_step = 'cancelled'
            WHERE id = @job AND state = 'cancelling'
              AND NOT EXISTS (SELECT 1 FROM job_items WHERE job_id = @job AND state = 'running')
            """, ("job", jobId));
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<JobState?> StateAsync(long jobId, CancellationToken ct)
    {
        await using var command = Command("SELECT state FROM jobs WHERE id = @job", ("job", jobId));
        return await command.ExecuteScalarAsync(ct) is string state ? ParseState(state) : null;
    }

    public async Task<bool> SucceedAsync(long jobId, string metricsJson, string report, IReadOnlyList<JobArtifact> artifacts, CancellationToken ct)
    {
        await using var command = Command("""
            UPDATE jobs SET state = 'succeeded', metrics = @metrics::jsonb, report = @report, artifacts = @artifacts::jsonb,
                finished_at = now(), current_step = 'finished', phase_remaining = 0
            WHERE id = @job AND state = 'running'
            """, ("job", jobId), ("metrics", metricsJson), ("report", report),
            ("artifacts", JsonSerializer.Serialize(artifacts.Select(a => new { a.Name, a.ContentType, a.Content }))));
        return await command.ExecuteNonQueryAsync(ct) > 0;
    }

    public async Task FailAsync(long jobId, string error, CancellationToken ct)
    {
        await using var command = Command("""
            UPDATE jobs SET state = CASE WHEN state = 'cancelling' THEN 'cancelled' ELSE 'failed' END,
                error = @error, finished_at = now(), current_step = 'failed'
            WHERE id = @job AND state IN ('queued', 'running', 'cancelling')
            """, ("job", jobId), ("error", error));
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Appends a log line in place, keeping the last <see cref="MaxLogLines"/>.</summary>
    public async Task AppendLogAsync(long jobId, string level, string message, CancellationToken ct)
    {
        var line = JsonSerializer.Serialize(new[] { new { At = DateTimeOffset.UtcNow, Level = level, Message = message } });
        await using var command = Command("""
            UPDATE jobs SET log = (CASE WHEN jsonb_array_length(coalesce(log, '[]'::jsonb)) >= @max
                                        THEN coalesce(log, '[]'::jsonb) - 0 ELSE coalesce(log, '[]'::jsonb) END) || @line::jsonb
            WHERE id = @job
            """, ("job", jobId), ("line", line), ("max", MaxLogLines));
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task SetStepAsync(long jobId, string step, CancellationToken ct)
    {
        await using var command = Command("UPDATE jobs SET current_step = @step WHERE id = @job", ("job", jobId), ("step", step));
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<IReadOnlyList<JobItemResult>> ResultsAsync(long jobId, string phase, CancellationToken ct)
    {
        await using var command = Command("""
            SELECT key, state, result::text, error FROM job_items
            WHERE job_id = @job AND phase = @phase AND state IN ('succeeded', 'failed') ORDER BY id
            """, ("job", jobId), ("phase", phase));
        var results = new List<JobItemResult>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            JsonElement? result = null;
            if (!reader.IsDBNull(2))
            {
                using var document = JsonDocument.Parse(reader.GetString(2));
                result = document.RootElement.Clone();
            }

            results.Add(new JobItemResult(reader.GetString(0), Enum.Parse<JobItemState>(reader.GetString(1), true), result,
                reader.IsDBNull(3) ? null : reader.GetString(3)));
        }

        return results;
    }

    private NpgsqlCommand Command(string sql, params (string Name, object Value)[] parameters)
    {
        var command = database.DataSource.CreateCommand(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.Add(value switch
            {
                string[] strings => new NpgsqlParameter(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = strings },
                long[] longs => new NpgsqlParameter(name, NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = longs },
                string text => new NpgsqlParameter(name, NpgsqlDbType.Text) { Value = text },
                _ => new NpgsqlParameter(name, value),
            });
        }

        return command;
    }

    private static JobState ParseState(string state) => Enum.Parse<JobState>(state, ignoreCase: true);

    public static string Name(JobItemState state) => state.ToString().ToLowerInvariant();
}
