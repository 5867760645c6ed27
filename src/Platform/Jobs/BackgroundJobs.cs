using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OptLib.Platform.Database;

namespace OptLib.Platform.Jobs;

/// <summary>Hangfire on the service's own database, in its own "hangfire" schema, with one server per queue.</summary>
public static class BackgroundJobs
{
    public const string Schema = "hangfire";
    public const string SolveQueue = "solve";
    public const string DefaultQueue = "default";

    internal static void AddBackgroundJobs(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<JobEngineOptions>().BindConfiguration(JobEngineOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // The storage is this host's own singleton. Hangfire's default registration hands out the process-wide
        // JobStorage.Current, which a second host in the same process (tests) would silently share.
        // Hangfire's global configuration (its log provider above all) is applied first, as Hangfire does for its own
        // services: a storage built before it would log through whatever host configured Hangfire last, in tests an
        // already disposed one.
        builder.Services.AddSingleton<JobStorage>(sp => ConfiguredFirst(sp, () => new PostgreSqlStorage(
            new DatabaseConnectionFactory(sp.GetRequiredService<OptLibDatabase>()),
            new PostgreSqlStorageOptions
            {
                SchemaName = Schema,
                PrepareSchemaIfNecessary = true,
                // A long work item keeps its lease while it runs, so no second worker ever picks it up.
                UseSlidingInvisibilityTimeout = true,
                QueuePollInterval = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<JobEngineOptions>>().Value.PollIntervalSeconds),
                InvisibilityTimeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<JobEngineOptions>>().Value.InvisibilityTimeoutSeconds),
            })));
        builder.Services.AddHangfire((sp, config) => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            // Hangfire's log provider is process-wide. Serilog's static logger outlives every host, whereas the
            // default (this host's ILoggerFactory) breaks the logging of any other host in the process once this one
            // is disposed, and Hangfire's loops then stop taking jobs (seen with several apps in one test process).
            .UseSerilogLogProvider());

        // Our own host rather than AddHangfireServer: Hangfire's storage must not be touched before the database
        // (possibly the embedded one) has started, and hosted services are constructed before any of them starts.
        builder.Services.AddHostedService<JobServerHost>();
    }

    /// <summary>Starts two servers: one for solves (its own concurrency) and one for library jobs.</summary>
    public static List<BackgroundJobServer> Start(IServiceProvider services, JobEngineOptions options)
    {
        var storage = services.GetRequiredService<JobStorage>();
        var activator = services.GetRequiredService<JobActivator>();
        BackgroundJobServer Server(string queue, int workers) => new(new BackgroundJobServerOptions
        {
            ServerName = $"{Environment.MachineName}:{Environment.ProcessId}:{queue}",
            Queues = [queue],
            WorkerCount = workers,
            Activator = activator,
        }, storage);

        return [Server(SolveQueue, options.SolveConcurrency), Server(DefaultQueue, options.WorkerCount)];
    }

    private static JobStorage ConfiguredFirst(IServiceProvider services, Func<JobStorage> create)
    {
        _ = services.GetRequiredService<IGlobalConfiguration>();
        return create();
    }

    private sealed class DatabaseConnectionFactory(OptLibDatabase database) : IConnectionFactory
    {
        public NpgsqlConnection GetOrCreateConnection() => database.DataSource.CreateConnection();
    }

    private sealed class JobServerHost(IServiceProvider services, OptLibDatabase database, IOptions<JobEngineOptions> options, ILogger<JobServerHost> logger)
        : IHostedService
    {
        private List<BackgroundJobServer> _servers = [];

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            if (!options.Value.InProcess)
            {
                return;
            }

            await database.Started.WaitAsync(cancellationToken);
            await DeadServers.ReleaseAsync(database.DataSource, logger, cancellationToken);
            _servers = Start(services, options.Value);
        }

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            // The host may be stopped more than once (WebApplicationFactory does); only the first stop has servers.
            var servers = Interlocked.Exchange(ref _servers, []);
            foreach (var server in servers)
            {
                server.SendStop();
            }

            // Dispose would wait without limit for a worker stuck in a long job; the host's shutdown timeout bounds it.
            try
            {
                await Task.WhenAll(servers.Select(s => s.WaitForShutdownAsync(cancellationToken)));
                servers.ForEach(s => s.Dispose());
            }
            catch (OperationCanceledException)
            {
                // abandoned: Hangfire re-queues unfinished items for another server once their lease runs out
            }
        }
    }
}
