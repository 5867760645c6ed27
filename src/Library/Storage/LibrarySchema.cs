using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OptLib.Library.Access;
using OptLib.Platform.Database;

namespace OptLib.Library.Storage;

/// <summary>
/// What the library needs once its database answers: the schema migrations as an explicit, logged step, the first
/// admin credentials when there are none, and the starter taxonomy. Also run after the in-memory embedded server
/// restarted empty.
/// </summary>
internal sealed class LibrarySchema(IOptions<OptLibOptions> options, ILogger<LibrarySchema> logger) : IDatabaseInitializer
{
    public async Task InitializeAsync(IServiceProvider scope, bool restartedEmpty, CancellationToken cancellationToken)
    {
        var db = scope.GetRequiredService<OptLibDbContext>();
        if (options.Value.MigrateOnStart || restartedEmpty)
        {
            await Migrate(db, logger, cancellationToken);
        }

        await scope.GetRequiredService<AccessBootstrap>().EnsureAdminAsync(cancellationToken);
        await Taxonomy.StarterTaxonomy.SeedAsync(db, logger, cancellationToken);
    }

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
