using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OptLib.Platform.Database;

/// <summary>
/// What a service does once its database answers, before anything else uses it: apply its schema, seed what it needs.
/// Run in registration order at start-up, and again after the in-memory embedded server restarted empty.
/// </summary>
public interface IDatabaseInitializer
{
    /// <param name="restartedEmpty">The in-memory embedded server came back with nothing in it: the schema must be applied.</param>
    Task InitializeAsync(IServiceProvider scope, bool restartedEmpty, CancellationToken cancellationToken);
}

/// <summary>
/// The first thing a host starts: the database (embedded or configured), then the service's initializers (the schema
/// migrations as an explicit, logged step, and the like).
/// </summary>
internal sealed class DatabaseStartup(OptLibDatabase database, IServiceScopeFactory scopes, ILogger<DatabaseStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await database.StartAsync(cancellationToken);
        await InitializeAsync(scopes, restartedEmpty: false, cancellationToken);
        logger.LogInformation("Database ready in {Ms} ms", clock.ElapsedMilliseconds);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public static async Task InitializeAsync(IServiceScopeFactory scopes, bool restartedEmpty, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        foreach (var initializer in scope.ServiceProvider.GetServices<IDatabaseInitializer>())
        {
            await initializer.InitializeAsync(scope.ServiceProvider, restartedEmpty, ct);
        }
    }
}
