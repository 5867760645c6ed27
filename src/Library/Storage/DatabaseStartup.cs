using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OptLib.Library.Access;

namespace OptLib.Library.Storage;

/// <summary>
/// The first thing a host starts: the database (embedded or configured), then the schema migrations as an explicit,
/// logged step, then the first admin credentials when there are none.
/// </summary>
internal sealed class DatabaseStartup(
    OptLibDatabase database,
    IServiceScopeFactory scopes,
    IOptions<OptLibOptions> options,
    ILogger<DatabaseStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await database.StartAsync(cancellationToken);

        await PrepareAsync(scopes, options.Value.MigrateOnStart, logger, cancellationToken);
        logger.LogInformation("Database ready in {Ms} ms", clock.ElapsedMilliseconds);
    }

    /// <summary>The schema and the first admin; also re-run after an in-memory embedded server restarted empty.</summary>
    public static async Task PrepareAsync(IServiceScopeFactory scopes, bool migrate, ILogger logger, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        if (migrate)
        {
            await Migrate(scope.ServiceProvider.GetRequiredService<OptLibDbContext>(), logger, ct);
        }

        await scope.ServiceProvider.GetRequiredService<AccessBootstrap>().EnsureAdminAsync(ct);
        await Taxonomy.StarterTaxonomy.SeedAsync(scope.ServiceProvider.GetRequiredService<OptLibDbContext>(), logger, ct);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Applies pending migrations, saying which; shared by start-up and the `migrate` command.</summary>
    public static async Task Migrate(OptLibDbContext db, ILogger logger, CancellationToken ct)
    {
        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
        if (pending.Count == 0)
        {
            logger.LogInformation("Database schema is up to date");
            return;
        }

        logger.LogInformation("Applying {Count} migration(s): {Migrations}", pending.Count, string.Join(", ", pending));
        var clock = Stopwatch.StartNew();
        await db.Database.MigrateAsync(ct);
        logger.LogInformation("Migrations applied in {Ms} ms", clock.ElapsedMilliseconds);
    }
}
