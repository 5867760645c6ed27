using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
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
        // AddHangfire brings what the dashboard needs. What belongs to one host is registered after it, so ours win
        // over its defaults, which are process-wide: JobStorage.Current, and JobActivator.Current, which each host's
        // Hangfire configuration overwrote with its own. With two hosts in one process (tests), a host that resolved
        // its activator after the other had configured Hangfire ran its jobs in the other host's container, against
        // the other database, and its own jobs stayed queued. Its configuration is replaced by ours, which writes
        // nothing of a host into Hangfire's statics.
        builder.Services.AddHangfire(_ => { });
        builder.Services.Replace(ServiceDescriptor.Singleton<IGlobalConfiguration>(_ => ProcessWide.Value));
        builder.Services.AddSingleton<JobStorage>(sp => Storage(sp.GetRequiredService<OptLibDatabase>(), sp.GetRequiredService<IOptions<JobEngineOptions>>().Value));
        builder.Services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        builder.Services.AddSingleton<IBackgroundJobClient>(sp => new BackgroundJobClient(sp.GetRequiredService<JobStorage>()));
        builder.Services.AddSingleton<IRecurringJobManager>(sp => new RecurringJobManager(sp.GetRequiredService<JobStorage>()));

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

    /// <summary>
    /// Hangfire's settings that only exist process-wide, the same for every host, applied once before the first
    /// storage is built. Its log provider is Serilog's static logger, which outlives every host; Hangfire's default
    /// (the ILoggerFactory of the host that configured it last) stopped its loops in the other hosts once that host
    /// was disposed.
    /// </summary>
    private static readonly Lazy<IGlobalConfiguration> ProcessWide = new(() => GlobalConfiguration.Configuration
        .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
        .UseSimpleAssemblyNameTypeSerializer()
        .UseRecommendedSerializerSettings()
        .UseSerilogLogProvider());

    private static PostgreSqlStorage Storage(OptLibDatabase database, JobEngineOptions options)
    {
        _ = ProcessWide.Value;
        return new PostgreSqlStorage(new DatabaseConnectionFactory(database), new PostgreSqlStorageOptions
        {
            SchemaName = Schema,
            PrepareSchemaIfNecessary = true,
            // A long work item keeps its lease while it runs, so no second worker ever picks it up.
            UseSlidingInvisibilityTimeout = true,
            QueuePollInterval = TimeSpan.FromSeconds(options.PollIntervalSeconds),
            InvisibilityTimeout = TimeSpan.FromSeconds(options.InvisibilityTimeoutSeconds),
        });
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
