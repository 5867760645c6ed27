using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OptLib.Library.Storage;

namespace OptLib.Library.Embedded;

/// <summary>
/// Watches the embedded server. PGlite's socket server can stop answering (seen after a binary COPY lost protocol
/// sync); when it has died or fails two checks in a row, this restarts it in place and says so in the log.
/// </summary>
internal sealed class EmbeddedPostgresSupervisor(
    OptLibDatabase database,
    IServiceScopeFactory scopes,
    IOptions<OptLibOptions> options,
    ILogger<EmbeddedPostgresSupervisor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await database.Started.WaitAsync(stoppingToken);
        }
        catch (Exception) when (!stoppingToken.IsCancellationRequested)
        {
            return; // start-up failed and reported it; nothing to supervise
        }

        if (database.Embedded is not { } server)
        {
            return;
        }

        var period = TimeSpan.FromSeconds(options.Value.Embedded.HealthCheckSeconds);
        using var timer = new PeriodicTimer(period);
        var failures = 0;
        var recovering = false; // restarted, but pgvector, the data source or the schema are not back yet
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var problem = server.ProcessId is null ? "its process has exited" : await ProbeAsync(server, stoppingToken);
            if (problem is null && !recovering)
            {
                failures = 0;
                continue;
            }

            try
            {
                if (problem is not null)
                {
                    failures++;
                    logger.LogWarning("The embedded PostgreSQL failed a health check ({Problem}), {Failures} in a row", problem, failures);
                    if (server.ProcessId is not null && failures < 2)
                    {
                        continue;
                    }

                    await server.RestartAsync(problem, stoppingToken);
                    recovering = true;
                    failures = 0;
                }

                await database.ReconnectAsync(stoppingToken);
                if (options.Value.Embedded.InMemory)
                {
                    logger.LogWarning("The in-memory embedded database restarted empty; applying the schema again");
                    await DatabaseStartup.PrepareAsync(scopes, migrate: true, logger, stoppingToken);
                }

                recovering = false;
                logger.LogWarning("The embedded PostgreSQL is serving again");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Recovering the embedded PostgreSQL failed; trying again in {Period}", period);
            }
        }
    }

    private static async Task<string?> ProbeAsync(EmbeddedPostgres server, CancellationToken ct)
    {
        var probe = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Pooling = false, Timeout = 5, CommandTimeout = 5 };
        try
        {
            await using var connection = new NpgsqlConnection(probe.ConnectionString);
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(ct);
            return null;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or IOException)
        {
            return ex.Message;
        }
    }
}
