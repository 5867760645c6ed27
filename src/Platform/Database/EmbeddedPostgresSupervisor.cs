using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace OptLib.Platform.Database;

/// <summary>
/// Watches the embedded server, and restarts it in place (saying so in the log) when its process has exited, or when
/// it is running but has answered no check for OptLib:Embedded:UnresponsiveSeconds: PGlite's socket server can stop
/// answering for good (seen after a binary COPY lost protocol sync). A server that is merely busy, and answers a check
/// late or not at all for a while, is left alone: a restart would cost every open transaction, and in memory all data.
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
        var unresponsive = TimeSpan.FromSeconds(options.Value.Embedded.UnresponsiveSeconds);
        var answered = DateTime.UtcNow;
        var recovering = false; // restarted, but pgvector, the data source or the schema are not back yet
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var problem = server.ProcessId is null ? "its process has exited" : await ProbeAsync(server, period, stoppingToken);
            if (problem is null)
            {
                answered = DateTime.UtcNow;
                server.UnansweredChecks = 0;
                if (!recovering)
                {
                    continue;
                }
            }

            try
            {
                if (problem is not null)
                {
                    server.UnansweredChecks++;
                    var silent = DateTime.UtcNow - answered;
                    if (server.ProcessId is not null && silent < unresponsive)
                    {
                        logger.LogWarning("The embedded PostgreSQL did not answer a health check ({Problem}), {Failures} in a row; it runs, "
                            + "so it is left alone until it has not answered for {Limit} s", problem, server.UnansweredChecks, unresponsive.TotalSeconds);
                        continue;
                    }

                    await server.RestartAsync(server.ProcessId is null ? problem : $"it has not answered for {silent.TotalSeconds:0} s ({problem})", stoppingToken);
                    recovering = true;
                    server.UnansweredChecks = 0;
                    answered = DateTime.UtcNow;
                }

                await database.ReconnectAsync(stoppingToken);
                if (options.Value.Embedded.InMemory)
                {
                    logger.LogWarning("The in-memory embedded database restarted empty; applying the schema again");
                    await DatabaseStartup.InitializeAsync(scopes, restartedEmpty: true, stoppingToken);
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

    private static async Task<string?> ProbeAsync(EmbeddedPostgres server, TimeSpan period, CancellationToken ct)
    {
        var seconds = (int)Math.Clamp(period.TotalSeconds, 1, 5);
        var probe = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Pooling = false, Timeout = seconds, CommandTimeout = seconds };
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
