using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using OptLib.Library.Storage;

namespace OptLib.Library.Jobs;

/// <summary>Hangfire on the service's own database, in its own "hangfire" schema.</summary>
public static class JobEngine
{
    public const string Schema = "hangfire";
    public const string SolveQueue = "solve";
    public const string DefaultQueue = "default";

    public static void AddJobEngine(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<JobEngineOptions>().BindConfiguration(JobEngineOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHangfire((sp, config) =>
        {
            var engine = sp.GetRequiredService<IOptions<JobEngineOptions>>().Value;
            config.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings()
                .UsePostgreSqlStorage(
                    o => o.UseConnectionFactory(new DatabaseConnectionFactory(sp.GetRequiredService<OptLibDatabase>())),
                    new PostgreSqlStorageOptions
                    {
                        SchemaName = Schema,
                        PrepareSchemaIfNecessary = true,
                        // A long work item keeps its lease while it runs, so no second worker ever picks it up.
                        UseSlidingInvisibilityTimeout = true,
                        QueuePollInterval = TimeSpan.FromSeconds(engine.PollIntervalSeconds),
                    });
        });

        // Our own host rather than AddHangfireServer: Hangfire's storage must not be touched before the database
        // (possibly the embedded one) has started, and hosted services are constructed before any of them starts.
        builder.Services.AddHostedService<JobServerHost>();
    }

    private sealed class DatabaseConnectionFactory(OptLibDatabase database) : IConnectionFactory
    {
        public NpgsqlConnection GetOrCreateConnection() => database.DataSource.CreateConnection();
    }

    private sealed class JobServerHost(IServiceProvider services, OptLibDatabase database, IOptions<JobEngineOptions> options) : IHostedService
    {
        private List<BackgroundJobServer> _servers = [];

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            if (!options.Value.InProcess)
            {
                return;
            }

            await database.Started.WaitAsync(cancellationToken);
            var servers = new List<BackgroundJobServer>();
            Start(services, options.Value, servers);
            _servers = servers;
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

    /// <summary>Starts two servers: one for solves (its own concurrency) and one for library jobs.</summary>
    public static void Start(IServiceProvider services, JobEngineOptions options, List<BackgroundJobServer> into)
    {
        var storage = services.GetRequiredService<JobStorage>();
        var activator = services.GetRequiredService<JobActivator>();
        into.Add(new BackgroundJobServer(new BackgroundJobServerOptions
        {
            ServerName = $"{Environment.MachineName}:{Environment.ProcessId}:solve",
            Queues = [SolveQueue],
            WorkerCount = options.SolveConcurrency,
            Activator = activator,
        }, storage));
        into.Add(new BackgroundJobServer(new BackgroundJobServerOptions
        {
            ServerName = $"{Environment.MachineName}:{Environment.ProcessId}:library",
            Queues = [DefaultQueue],
            WorkerCount = options.WorkerCount,
            Activator = activator,
        }, storage));
    }
}
