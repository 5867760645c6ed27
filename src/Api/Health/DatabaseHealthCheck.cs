using Microsoft.Extensions.Diagnostics.HealthChecks;
using OptLib.Library.Storage;
using OptLib.Platform.Database;

namespace OptLib.Api.Health;

/// <summary>Ready means the database answers and has pgvector; the data says which version and which server.</summary>
internal sealed class DatabaseHealthCheck(OptLibDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!database.IsStarted)
        {
            return HealthCheckResult.Unhealthy("The database has not started yet.");
        }

        var data = new Dictionary<string, object>
        {
            ["server"] = database.Embedded is null ? "external" : "embedded",
        };
        if (database.Embedded is { } embedded)
        {
            data["embeddedRestarts"] = embedded.Restarts;
            if (embedded.ResidentMemoryBytes is { } rss)
            {
                data["embeddedMemoryMb"] = rss / (1024 * 1024);
            }
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            var version = await database.VectorVersionAsync(timeout.Token);
            if (version is null)
            {
                return HealthCheckResult.Unhealthy("The pgvector extension is missing.", data: data);
            }

            data["pgvector"] = version;
            return HealthCheckResult.Healthy("The database answers.", data);
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or OperationCanceledException or TimeoutException or IOException)
        {
            return HealthCheckResult.Unhealthy("The database does not answer.", ex, data);
        }
    }
}
