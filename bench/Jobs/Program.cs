using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using Mediator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using OptLib.Jobs.Bench;
using OptLib.Library;
using OptLib.Library.Jobs;
using OptLib.Library.Storage;
using OptLib.Platform.Database;
using OptLib.Platform.Jobs;

// What a job costs on the job engine (Hangfire under our jobs and job_items), and what a lease-based claim loop over
// job_items would change, on the embedded database. See README.md; the figures are in REPORT.md.
// Usage: dotnet run -c Release --project bench/Jobs [-- jobs [items]]   (defaults 30 one-item jobs, a 200-item job)
// OPTLIB_BENCH_POSTGRES=<connection string> adds the claim race on a real PostgreSQL server.
var jobCount = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 30;
var itemCount = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
const int Warmup = 3;
const int Workers = 2;

var builder = Host.CreateApplicationBuilder([]);
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["OptLib:DataDirectory"] = Directory.CreateTempSubdirectory("optlib-jobs-bench-").FullName,
    ["OptLib:Embedded:InMemory"] = "true",
    ["OptLib:Embedded:MaxConnections"] = "40", // this process and a worker process
    ["Worker:InProcess"] = "false", // the bench starts and stops the servers itself, then runs a worker process
    ["Worker:Schedules"] = "false",
    ["Worker:WorkerCount"] = Workers.ToString(CultureInfo.InvariantCulture),
    ["Worker:PollIntervalSeconds"] = "1",
    ["Serilog:MinimumLevel:Default"] = "Warning",
});
builder.AddLibrary();
using var host = builder.Build();
var started = Stopwatch.StartNew();
await host.StartAsync();
var database = host.Services.GetRequiredService<OptLibDatabase>();
var options = host.Services.GetRequiredService<IOptions<JobEngineOptions>>().Value;
Console.WriteLine($"OptLib jobs bench, {DateTime.UtcNow:u}: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, " +
    $".NET {Environment.Version}, load average {Machine.Load()}; host started in {started.Elapsed.TotalSeconds:0.0} s");
Console.WriteLine($"Hangfire: queue poll {options.PollIntervalSeconds} s, {Workers} workers on 'default', {options.SolveConcurrency} on 'solve'");

using var statements = new StatementCounter();
var servers = BackgroundJobs.Start(host.Services, options);

// Warm-up: JIT, EF's model, Hangfire's first fetches.
for (var i = 0; i < Warmup; i++)
{
    await RunOneItemJobAsync();
}

Console.WriteLine();
Console.WriteLine("## Idle: what the job servers cost with nothing to do");
statements.Reset();
await Task.Delay(TimeSpan.FromSeconds(10));
var idle = statements.Snapshot();
var idleRate = idle.Hangfire / 10.0;
Console.WriteLine($"{idle.Hangfire / 10.0:0.0} Hangfire statements/s, {idle.Ours / 10.0:0.0} of ours/s over 10 s with two servers ({Workers + options.SolveConcurrency} workers) polling");

Console.WriteLine();
Console.WriteLine($"## {jobCount} one-item jobs (selftest, sleepMs 0), one at a time, servers in this process");
var hangfireBefore = await HangfireRowsAsync();
var lastHangfireJob = hangfireBefore.MaxJobId;
statements.Reset();
var clock = Stopwatch.StartNew();
var inProcess = new List<Latency>();
for (var i = 0; i < jobCount; i++)
{
    inProcess.Add(await RunOneItemJobAsync());
}

var window = clock.Elapsed.TotalSeconds;
var counted = statements.Snapshot();
var hangfireAfter = await HangfireRowsAsync();
ReportLatency(inProcess);
var hangfirePerJob = (counted.Hangfire - idleRate * window) / jobCount;
Console.WriteLine();
Console.WriteLine($"Per job: {(double)(hangfireAfter.Jobs - hangfireBefore.Jobs) / jobCount:0.0} Hangfire jobs, " +
    $"{(double)(hangfireAfter.States - hangfireBefore.States) / jobCount:0.0} Hangfire state rows, " +
    $"{(double)(hangfireAfter.Parameters - hangfireBefore.Parameters) / jobCount:0.0} job parameter rows; " +
    $"SQL statements: {(double)counted.Ours / jobCount:0.0} of ours (JobStore, EF, the log) and {hangfirePerJob:0.0} of Hangfire's " +
    $"({counted.Hangfire} in {window:0.0} s, less the idle {idleRate:0.0}/s)");
await ReportHopsAsync(lastHangfireJob);
Console.WriteLine();
Console.WriteLine("Hangfire statements in that window, by kind (idle polling included):");
foreach (var (text, count) in counted.HangfireByKind.OrderByDescending(k => k.Value).Take(12))
{
    Console.WriteLine($"- {count / (double)jobCount:0.0} per job: `{text}`");
}

Console.WriteLine();
Console.WriteLine($"## One job of {itemCount} items (selftest, sleepMs 0), {Workers} workers in this process");
statements.Reset();
clock.Restart();
var many = await RunJobAsync(itemCount);
var manyWall = clock.Elapsed.TotalSeconds;
var manyCounted = statements.Snapshot();
Console.WriteLine($"{itemCount} items in {many.TotalMilliseconds / 1000:0.00} s (created → succeeded): **{itemCount / (many.TotalMilliseconds / 1000):0.0} items/s**; " +
    $"per item {(double)manyCounted.Ours / itemCount:0.0} statements of ours and {(manyCounted.Hangfire - idleRate * manyWall) / itemCount:0.0} of Hangfire's");

foreach (var server in servers)
{
    server.SendStop();
}

foreach (var server in servers)
{
    server.Dispose();
}

Console.WriteLine();
Console.WriteLine($"## The same {jobCount} one-item jobs, servers in an optlib-worker process (the API process enqueues)");
using (var worker = WorkerProcess.Start(database.ConnectionString, Workers))
{
    await RunOneItemJobAsync(TimeSpan.FromSeconds(120)); // waits for the worker to start
    var crossProcess = new List<Latency>();
    for (var i = 0; i < jobCount; i++)
    {
        crossProcess.Add(await RunOneItemJobAsync());
    }

    ReportLatency(crossProcess);
    Console.WriteLine($"p50 against the in-process p50: **{Stats.P(crossProcess.Select(l => l.TotalMilliseconds).ToList(), 50) / Stats.P(inProcess.Select(l => l.TotalMilliseconds).ToList(), 50):0.0}×**");
}

Console.WriteLine();
Console.WriteLine($"## Claims without Hangfire: {itemCount} items, {Workers} loops, claim + complete, on this database");
var claims = new ClaimBench(database.DataSource, host.Services.GetRequiredService<JobStore>(), Workers);
await claims.PrepareAsync(itemCount, finishedRows: 20_000);
var byId = await claims.RunByIdAsync();
var lease = await claims.RunLeaseAsync();
var renew = await claims.TimeRenewalAsync();
Console.WriteLine();
Console.WriteLine("| statements per item | items/s | claim p50 ms | claim p95 ms | complete p50 ms | complete p95 ms |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|");
foreach (var (name, run) in new[] { ("today's JobStore.ClaimAsync by id + CompleteAsync", byId), ("lease claim (FOR UPDATE SKIP LOCKED) + complete", lease) })
{
    Console.WriteLine($"| {name} | {run.ItemsPerSecond:0.0} | {Stats.P(run.Claim, 50):0.00} | {Stats.P(run.Claim, 95):0.00} | {Stats.P(run.Complete, 50):0.00} | {Stats.P(run.Complete, 95):0.00} |");
}

Console.WriteLine($"Lease claim over Hangfire's whole engine: {lease.ItemsPerSecond / (itemCount / (many.TotalMilliseconds / 1000)):0.0}× the items/s; " +
    $"an empty lease claim (nothing pending) {Stats.P(lease.EmptyClaim, 50):0.00} ms p50; renewing a worker's leases {Stats.P(renew, 50):0.00} ms p50");
Console.WriteLine($"Every item claimed once: by id {byId.ClaimedOnce}, lease {lease.ClaimedOnce}");

if (Environment.GetEnvironmentVariable("OPTLIB_BENCH_POSTGRES") is { Length: > 0 } postgres)
{
    Console.WriteLine();
    Console.WriteLine("## The lease claim on a real PostgreSQL server: 8 loops racing for 2000 items, then expired leases");
    await using var real = NpgsqlDataSource.Create(postgres);
    await ClaimRace.RunAsync(real, loops: 8, items: 2000);
}

Console.WriteLine();
Console.WriteLine($"load average at the end {Machine.Load()}");
await host.StopAsync();
return;

async Task<Latency> RunOneItemJobAsync(TimeSpan? timeout = null) => await RunJobAsync(1, timeout);

// Creates a selftest job through the handler POST /api/jobs calls and waits until it has succeeded; the latency is
// read from the job's own timestamps (created by the handler, finished by the database).
async Task<Latency> RunJobAsync(int items, TimeSpan? timeout = null)
{
    using var parameters = JsonDocument.Parse($"{{\"items\": {items}, \"sleepMs\": 0}}");
    JobDto job;
    await using (var scope = host.Services.CreateAsyncScope())
    {
        job = await scope.ServiceProvider.GetRequiredService<ISender>().Send(new CreateJob(SelfTestKind.KindName, parameters.RootElement.Clone(), "bench"));
    }

    var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
    while (true)
    {
        await using var command = database.DataSource.CreateCommand($"""
            {StatementCounter.Marker}
            SELECT j.state, (extract(epoch FROM j.finished_at - j.created_at) * 1000)::float8,
                   (extract(epoch FROM min(i.started_at) - j.created_at) * 1000)::float8,
                   (extract(epoch FROM max(i.finished_at) - min(i.started_at)) * 1000)::float8,
                   (extract(epoch FROM j.finished_at - max(i.finished_at)) * 1000)::float8
            FROM jobs j LEFT JOIN job_items i ON i.job_id = j.id WHERE j.id = @id GROUP BY j.id
            """);
        command.Parameters.AddWithValue("id", job.Id);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        var state = reader.GetString(0);
        if (state == "succeeded")
        {
            return new Latency(reader.GetDouble(1), reader.GetDouble(2), reader.GetDouble(3), reader.GetDouble(4));
        }

        if (state is "failed" or "cancelled" || DateTime.UtcNow > deadline)
        {
            throw new InvalidOperationException($"job {job.Id} is {state}");
        }

        await Task.Delay(20);
    }
}

void ReportLatency(List<Latency> runs)
{
    Console.WriteLine();
    Console.WriteLine("| created → | p50 ms | p95 ms | max ms |");
    Console.WriteLine("|---|---:|---:|---:|");
    foreach (var (name, pick) in new (string, Func<Latency, double>)[]
    {
        ("its item started (Plan queued, planned, item queued)", l => l.ToItem),
        ("the item ran (sleepMs 0, a log line)", l => l.Item),
        ("then succeeded (next Plan queued, no phase left, Finish queued, finished)", l => l.ToEnd),
        ("**succeeded** (total)", l => l.TotalMilliseconds),
    })
    {
        var values = runs.Select(pick).ToList();
        Console.WriteLine($"| {name} | {Stats.P(values, 50):0} | {Stats.P(values, 95):0} | {values.Max():0} |");
    }
}

// Hangfire's own timestamps for the jobs it ran: how long each waited in its queue and how long it took to run.
async Task ReportHopsAsync(long afterJobId)
{
    await using var command = database.DataSource.CreateCommand($"""
        {StatementCounter.Marker}
        SELECT j.invocationdata::jsonb ->> 'Method',
               (extract(epoch FROM p.at - e.at) * 1000)::float8, (extract(epoch FROM s.at - p.at) * 1000)::float8
        FROM {BackgroundJobs.Schema}.job j,
             LATERAL (SELECT min(createdat) AS at FROM {BackgroundJobs.Schema}.state WHERE jobid = j.id AND name = 'Enqueued') e,
             LATERAL (SELECT min(createdat) AS at FROM {BackgroundJobs.Schema}.state WHERE jobid = j.id AND name = 'Processing') p,
             LATERAL (SELECT min(createdat) AS at FROM {BackgroundJobs.Schema}.state WHERE jobid = j.id AND name = 'Succeeded') s
        WHERE j.id > @after AND s.at IS NOT NULL
        """);
    command.Parameters.AddWithValue("after", afterJobId);
    var hops = new List<(string Method, double Wait, double Run)>();
    await using (var reader = await command.ExecuteReaderAsync())
    {
        while (await reader.ReadAsync())
        {
            hops.Add((reader.GetString(0), reader.GetDouble(1), reader.GetDouble(2)));
        }
    }

    Console.WriteLine();
    Console.WriteLine("| Hangfire job | count | queued → processing p50 ms | p95 ms | processing → succeeded p50 ms | p95 ms |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|");
    foreach (var method in new[] { "Plan", "RunItem", "Finish" })
    {
        var wait = hops.Where(h => h.Method == method).Select(h => h.Wait).ToList();
        var run = hops.Where(h => h.Method == method).Select(h => h.Run).ToList();
        if (wait.Count > 0)
        {
            Console.WriteLine($"| JobRunner.{method} | {wait.Count} | {Stats.P(wait, 50):0} | {Stats.P(wait, 95):0} | {Stats.P(run, 50):0} | {Stats.P(run, 95):0} |");
        }
    }
}

async Task<HangfireRows> HangfireRowsAsync()
{
    await using var command = database.DataSource.CreateCommand($"""
        {StatementCounter.Marker}
        SELECT (SELECT count(*) FROM {BackgroundJobs.Schema}.job), (SELECT count(*) FROM {BackgroundJobs.Schema}.state),
               (SELECT count(*) FROM {BackgroundJobs.Schema}.jobparameter), (SELECT coalesce(max(id), 0) FROM {BackgroundJobs.Schema}.job)
        """);
    await using var reader = await command.ExecuteReaderAsync();
    await reader.ReadAsync();
    return new HangfireRows(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
}

namespace OptLib.Jobs.Bench
{
    internal sealed record Latency(double TotalMilliseconds, double ToItem, double Item, double ToEnd);

    internal sealed record HangfireRows(long Jobs, long States, long Parameters, long MaxJobId);

    /// <summary>Counts the SQL statements Npgsql sends in this process, Hangfire's (its schema's tables) apart from ours.</summary>
    internal sealed class StatementCounter : IDisposable
    {
        /// <summary>The bench's own queries carry it and are not counted.</summary>
        public const string Marker = "/* bench */";

        private readonly ActivityListener _listener;
        private int _hangfire;
        private int _ours;
        private ConcurrentDictionary<string, int> _byKind = new(StringComparer.Ordinal);

        public StatementCounter()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == "Npgsql",
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = Count,
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public void Reset()
        {
            Interlocked.Exchange(ref _hangfire, 0);
            Interlocked.Exchange(ref _ours, 0);
            _byKind = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        }

        public (int Hangfire, int Ours, IReadOnlyDictionary<string, int> HangfireByKind) Snapshot() => (_hangfire, _ours, new Dictionary<string, int>(_byKind));

        private void Count(Activity activity)
        {
            if ((activity.GetTagItem("db.query.text") ?? activity.GetTagItem("db.statement")) is not string text || text.Contains(Marker, StringComparison.Ordinal))
            {
                return; // a physical open, or the bench's own query
            }

            // Hangfire's statements name tables of its schema; ours may name a column hangfire_job_id, never the schema.
            var kind = string.Join(' ', text.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries)).Replace("\"", string.Empty, StringComparison.Ordinal);
            if (kind.Contains(BackgroundJobs.Schema + ".", StringComparison.OrdinalIgnoreCase))
            {
                Interlocked.Increment(ref _hangfire);
                _byKind.AddOrUpdate(kind.Length > 90 ? kind[..90] + "…" : kind, 1, (_, n) => n + 1);
            }
            else
            {
                Interlocked.Increment(ref _ours);
            }
        }

        public void Dispose() => _listener.Dispose();
    }

    /// <summary>
    /// The statements a claim loop would run, timed against today's, on the same database and the same items: today a
    /// Hangfire job carries an item id and JobStore claims that item; a claim loop would take any claimable item with
    /// one UPDATE over a FOR UPDATE SKIP LOCKED sub-select and hold it under a lease it renews.
    /// </summary>
    internal sealed class ClaimBench(NpgsqlDataSource dataSource, JobStore store, int loops)
    {
        public const string Table = "bench_lease_items";

        private const string LeaseClaim = $"""
            UPDATE {Table} i SET state = 'running', tries = i.tries + 1, worker = @worker, lease_until = now() + make_interval(secs => 300),
                started_at = now(), finished_at = NULL, error = NULL
            WHERE i.id = (
                SELECT c.id FROM {Table} c
                WHERE (c.state = 'pending' OR (c.state = 'running' AND c.lease_until < now()))
                  AND EXISTS (SELECT 1 FROM jobs j WHERE j.id = c.job_id AND j.state = 'running')
                ORDER BY c.id LIMIT 1
                FOR UPDATE OF c SKIP LOCKED)
            RETURNING i.id, i.job_id, i.phase, i.key, i.tries
            """;

        private const string LeaseComplete = $"""
            WITH done AS (
                UPDATE {Table} SET state = 'succeeded', result = @result::jsonb, finished_at = now(), lease_until = NULL
                WHERE id = @item AND state = 'running' AND worker = @worker
                RETURNING job_id, phase)
            UPDATE jobs j SET progress_done = j.progress_done + 1, phase_remaining = j.phase_remaining - 1
            FROM done WHERE j.id = done.job_id AND j.phase = done.phase
            RETURNING j.state, j.phase_index, j.phase_remaining
            """;

        private long _byIdJob;
        private long _leaseJob;
        private int _items;

        public sealed record Run(double ItemsPerSecond, List<double> Claim, List<double> Complete, List<double> EmptyClaim, bool ClaimedOnce);

        /// <summary>Two running jobs of <paramref name="items"/> items each, one in job_items and one in a copy with a lease column, beside old finished rows.</summary>
        public async Task PrepareAsync(int items, int finishedRows)
        {
            _items = items;
            _byIdJob = await RunningJobAsync(items);
            _leaseJob = await RunningJobAsync(items);
            var old = await RunningJobAsync(0);
            await ExecuteAsync($"""
                CREATE TABLE {Table} (LIKE job_items INCLUDING DEFAULTS INCLUDING IDENTITY);
                ALTER TABLE {Table} ADD COLUMN lease_until timestamptz;
                CREATE INDEX ON {Table} (id) WHERE state IN ('pending', 'running');
                INSERT INTO {Table} (job_id, phase, key, state, tries, finished_at)
                SELECT {old}, 'p', k::text, 'succeeded', 1, now() FROM generate_series(1, {finishedRows}) k;
                INSERT INTO {Table} (job_id, phase, key, state, tries) SELECT {_leaseJob}, 'p', k::text, 'pending', 0 FROM generate_series(1, {items}) k;
                INSERT INTO job_items (job_id, phase, key, state, tries, finished_at)
                SELECT {old}, 'p', k::text, 'succeeded', 1, now() FROM generate_series(1, {finishedRows}) k;
                ANALYZE {Table}; ANALYZE job_items;
                """);
            await store.InsertItemsAsync(_byIdJob, "p", Enumerable.Range(1, items).Select(k => k.ToString(CultureInfo.InvariantCulture)).ToList(), CancellationToken.None);
        }

        /// <summary>Today's statements, without Hangfire: each loop takes the next item id and claims and completes it.</summary>
        public async Task<Run> RunByIdAsync()
        {
            var ids = new ConcurrentQueue<long>();
            await using (var command = dataSource.CreateCommand($"{StatementCounter.Marker} SELECT id FROM job_items WHERE job_id = {_byIdJob} ORDER BY id"))
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    ids.Enqueue(reader.GetInt64(0));
                }
            }

            var claim = new ConcurrentBag<double>();
            var complete = new ConcurrentBag<double>();
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, loops).Select(loop => Task.Run(async () =>
            {
                while (ids.TryDequeue(out var id))
                {
                    var hangfireJobId = $"bench-{id}";
                    var step = Stopwatch.StartNew();
                    _ = await store.ClaimAsync(id, hangfireJobId, CancellationToken.None) ?? throw new InvalidOperationException($"item {id} was not claimed");
                    claim.Add(step.Elapsed.TotalMilliseconds);
                    step.Restart();
                    await store.CompleteAsync(id, hangfireJobId, JobItemState.Succeeded, "{}", null, CancellationToken.None);
                    complete.Add(step.Elapsed.TotalMilliseconds);
                }
            })));
            var wall = clock.Elapsed.TotalSeconds;
            return new Run(_items / wall, [.. claim], [.. complete], [], await ClaimedOnceAsync("job_items", _byIdJob));
        }

        /// <summary>The claim loop: each loop claims whatever is claimable until nothing is, and completes it.</summary>
        public async Task<Run> RunLeaseAsync()
        {
            var claim = new ConcurrentBag<double>();
            var complete = new ConcurrentBag<double>();
            var empty = new ConcurrentBag<double>();
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, loops).Select(loop => Task.Run(async () =>
            {
                var worker = $"bench:{loop}";
                while (true)
                {
                    var step = Stopwatch.StartNew();
                    var item = await ClaimAsync(worker);
                    if (item is null)
                    {
                        empty.Add(step.Elapsed.TotalMilliseconds);
                        return;
                    }

                    claim.Add(step.Elapsed.TotalMilliseconds);
                    step.Restart();
                    await using var command = dataSource.CreateCommand(LeaseComplete);
                    command.Parameters.AddWithValue("item", item.Value);
                    command.Parameters.AddWithValue("worker", worker);
                    command.Parameters.AddWithValue("result", "{}");
                    await using (var reader = await command.ExecuteReaderAsync())
                    {
                        if (!await reader.ReadAsync())
                        {
                            throw new InvalidOperationException($"item {item} was not completed");
                        }
                    }

                    complete.Add(step.Elapsed.TotalMilliseconds);
                }
            })));
            var wall = clock.Elapsed.TotalSeconds;
            return new Run(_items / wall, [.. claim], [.. complete], [.. empty], await ClaimedOnceAsync(Table, _leaseJob));
        }

        /// <summary>A worker renewing the leases of the items it holds (two), as its heartbeat would.</summary>
        public async Task<List<double>> TimeRenewalAsync()
        {
            await ExecuteAsync($"UPDATE {Table} SET state = 'running', worker = 'bench:renew', lease_until = now() WHERE job_id = {_leaseJob} AND key IN ('1', '2')");
            var times = new List<double>();
            for (var i = 0; i < 50; i++)
            {
                var step = Stopwatch.StartNew();
                await ExecuteAsync($"UPDATE {Table} SET lease_until = now() + make_interval(secs => 300) WHERE worker = 'bench:renew' AND state = 'running'");
                times.Add(step.Elapsed.TotalMilliseconds);
            }

            return times;
        }

        private async Task<long?> ClaimAsync(string worker)
        {
            await using var command = dataSource.CreateCommand(LeaseClaim);
            command.Parameters.AddWithValue("worker", worker);
            await using var reader = await command.ExecuteReaderAsync();
            return await reader.ReadAsync() ? reader.GetInt64(0) : null;
        }

        private async Task<bool> ClaimedOnceAsync(string table, long jobId)
        {
            await using var command = dataSource.CreateCommand($"""
                {StatementCounter.Marker}
                SELECT count(*) FILTER (WHERE state = 'succeeded' AND tries = 1) = count(*) AND count(*) = {_items},
                       (SELECT progress_done FROM jobs WHERE id = {jobId}) = {_items}
                FROM {table} WHERE job_id = {jobId}
                """);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            return reader.GetBoolean(0) && reader.GetBoolean(1);
        }

        private async Task<long> RunningJobAsync(int items)
        {
            await using var command = dataSource.CreateCommand("""
                INSERT INTO jobs (kind, parameters, state, progress_done, progress_total, current_step, phase_index, phase, phase_remaining,
                                  hangfire_job_ids, created_by, created_at, started_at)
                VALUES ('selftest', '{}'::jsonb, 'running', 0, @items, 'p', 0, 'p', @items, '{}', 'bench', now(), now())
                RETURNING id
                """);
            command.Parameters.AddWithValue("items", items);
            return (long)(await command.ExecuteScalarAsync())!;
        }

        private async Task ExecuteAsync(string sql)
        {
            await using var command = dataSource.CreateCommand(StatementCounter.Marker + "\n" + sql);
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <summary>
    /// PGlite serves one session, so it cannot show two claimers racing. On a real server: many loops, each on its
    /// own connection, claim and complete until nothing is left, and no item may be claimed twice; then loops that
    /// "die" holding items under a 1 s lease, and the survivors take those items once the lease has run out.
    /// </summary>
    internal static class ClaimRace
    {
        public static async Task RunAsync(NpgsqlDataSource dataSource, int loops, int items)
        {
            await Execute(dataSource, $"""
                DROP TABLE IF EXISTS bench_race;
                CREATE TABLE bench_race (id bigint PRIMARY KEY, state text NOT NULL, worker text, lease_until timestamptz, claims int NOT NULL DEFAULT 0);
                CREATE INDEX ON bench_race (id) WHERE state IN ('pending', 'running');
                INSERT INTO bench_race (id, state) SELECT k, 'pending' FROM generate_series(1, {items}) k;
                """);
            var clock = Stopwatch.StartNew();
            var claimed = await Loops(dataSource, loops, lease: 300, complete: true, limit: int.MaxValue);
            var wall = clock.Elapsed.TotalSeconds;
            var (twice, left) = await Audit(dataSource, maxClaims: 1);
            Console.WriteLine($"{claimed} claims by {loops} loops in {wall:0.00} s ({claimed / wall:0} items/s): {twice} items claimed more than once, {left} claimed but not succeeded");

            // Loops that die: each claims 5 items under a 1 s lease and never completes them.
            await Execute(dataSource, "UPDATE bench_race SET state = 'pending', worker = NULL, lease_until = NULL, claims = 0");
            var held = await Loops(dataSource, loops, lease: 1, complete: false, limit: 5);
            var early = await Loops(dataSource, loops, lease: 300, complete: true, limit: int.MaxValue, onlyRunning: true);
            await Task.Delay(1500);
            var retaken = await Loops(dataSource, loops, lease: 300, complete: true, limit: int.MaxValue, onlyRunning: true);
            (twice, left) = await Audit(dataSource, maxClaims: 2);
            Console.WriteLine($"{held} items held by dead loops: {early} taken again before their lease ran out, {retaken} after it; " +
                $"{twice} items claimed more than twice, {left} claimed but not succeeded");
        }

        private static async Task<int> Loops(NpgsqlDataSource dataSource, int loops, int lease, bool complete, int limit, bool onlyRunning = false)
        {
            var counts = await Task.WhenAll(Enumerable.Range(0, loops).Select(loop => Task.Run(async () =>
            {
                await using var connection = await dataSource.OpenConnectionAsync();
                var worker = $"race:{loop}:{Guid.NewGuid():N}";
                var claimed = 0;
                while (claimed < limit)
                {
                    await using var claim = new NpgsqlCommand($"""
                        UPDATE bench_race r SET state = 'running', worker = @worker, lease_until = now() + make_interval(secs => {lease}), claims = r.claims + 1
                        WHERE r.id = (
                            SELECT c.id FROM bench_race c
                            WHERE ({(onlyRunning ? "false" : "c.state = 'pending'")} OR (c.state = 'running' AND c.lease_until < now()))
                            ORDER BY c.id LIMIT 1 FOR UPDATE SKIP LOCKED)
                        RETURNING r.id
                        """, connection);
                    claim.Parameters.AddWithValue("worker", worker);
                    if (await claim.ExecuteScalarAsync() is not long id)
                    {
                        break;
                    }

                    claimed++;
                    if (complete)
                    {
                        await using var done = new NpgsqlCommand("UPDATE bench_race SET state = 'succeeded', lease_until = NULL WHERE id = @id AND worker = @worker AND state = 'running'", connection);
                        done.Parameters.AddWithValue("id", id);
                        done.Parameters.AddWithValue("worker", worker);
                        if (await done.ExecuteNonQueryAsync() != 1)
                        {
                            throw new InvalidOperationException($"item {id} was taken from {worker}");
                        }
                    }
                }

                return claimed;
            })));
            return counts.Sum();
        }

        private static async Task<(long TooMany, long Left)> Audit(NpgsqlDataSource dataSource, int maxClaims)
        {
            await using var command = dataSource.CreateCommand($"""
                SELECT count(*) FILTER (WHERE claims > {maxClaims}), count(*) FILTER (WHERE state <> 'succeeded' AND claims > 0)
                FROM bench_race
                """);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            return (reader.GetInt64(0), reader.GetInt64(1));
        }

        private static async Task Execute(NpgsqlDataSource dataSource, string sql)
        {
            await using var command = dataSource.CreateCommand(sql);
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <summary>`optlib-worker run` against the bench's database, as an operator scales out.</summary>
    internal sealed class WorkerProcess : IDisposable
    {
        private readonly Process _process;

        private WorkerProcess(Process process) => _process = process;

        public static WorkerProcess Start(string connectionString, int workers)
        {
            var assembly = typeof(WorkerProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "OptLib.WorkerAssembly").Value!;
            var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } dotnet ? dotnet : "dotnet")
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.ArgumentList.Add(assembly);
            start.ArgumentList.Add("run");
            start.Environment["ConnectionStrings__OptLib"] = connectionString + ";Maximum Pool Size=6";
            start.Environment["OptLib__DataDirectory"] = Directory.CreateTempSubdirectory("optlib-jobs-bench-worker-").FullName;
            start.Environment["Serilog__MinimumLevel__Default"] = "Warning";
            start.Environment["Worker__PollIntervalSeconds"] = "1";
            start.Environment["Worker__WorkerCount"] = workers.ToString(CultureInfo.InvariantCulture);
            start.Environment["Worker__Schedules"] = "false";
            var process = Process.Start(start)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is { Length: > 0 } line)
                {
                    Console.Error.WriteLine($"worker: {line}");
                }
            };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return new WorkerProcess(process);
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }

            _process.Dispose();
        }
    }

    internal static class Stats
    {
        public static double P(IReadOnlyCollection<double> values, int percentile)
        {
            var sorted = values.Order().ToList();
            return sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
        }
    }

    internal static class Machine
    {
        public static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
    }
}
