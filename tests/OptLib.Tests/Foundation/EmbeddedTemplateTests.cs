using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using OptLib.Platform.Database;

namespace OptLib.Tests.Foundation;

/// <summary>
/// An in-memory embedded database can start from a snapshot of a freshly initialised one (OptLib:Embedded:
/// TemplateDirectory), which the test suite uses to skip initdb for each of its dozens of servers. The snapshot is
/// taken before anything is written, so a start from it is as empty as a fresh one, and pgvector still loads.
/// </summary>
public sealed class EmbeddedTemplateTests
{
    [Fact]
    public async Task AStartFromTheSnapshotIsAFreshDatabaseWithPgvector()
    {
        var templates = Directory.CreateTempSubdirectory("optlib-templates-").FullName;
        try
        {
            var options = new EmbeddedPostgresOptions { DataDirectory = templates, InMemory = true, TemplateDirectory = templates };
            await using (var first = await EmbeddedPostgres.StartAsync(options, NullLogger.Instance, CancellationToken.None))
            {
                // The first start finds no snapshot and writes one, whole (never a .partial left behind).
                var written = Assert.Single(Directory.GetFiles(templates, "pglite-*.tar"));
                Assert.True(new FileInfo(written).Length > 1_000_000, "the snapshot holds a whole initialised database");
                Assert.Empty(Directory.GetFiles(templates, "*.partial"));
                await ExecuteAsync(first, "CREATE TABLE written_after_the_snapshot (id int)");
            }

            var snapshot = Directory.GetFiles(templates, "pglite-*.tar").Single();
            var unchanged = File.GetLastWriteTimeUtc(snapshot);
            await using var second = await EmbeddedPostgres.StartAsync(options, NullLogger.Instance, CancellationToken.None);
            Assert.Equal(unchanged, File.GetLastWriteTimeUtc(snapshot)); // read, not written again
            Assert.Null(await ExecuteAsync(second, "SELECT to_regclass('written_after_the_snapshot')::text"));
            await ExecuteAsync(second, "CREATE EXTENSION IF NOT EXISTS vector");
            Assert.Equal(5.0, Convert.ToDouble(await ExecuteAsync(second, "SELECT '[3,4]'::vector <-> '[0,0]'::vector"), System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            Directory.Delete(templates, recursive: true);
        }
    }

    [Fact]
    public async Task ADamagedSnapshotIsPassedOverAndTheServerStartsFresh()
    {
        var templates = Directory.CreateTempSubdirectory("optlib-templates-").FullName;
        try
        {
            var options = new EmbeddedPostgresOptions { DataDirectory = templates, InMemory = true, TemplateDirectory = templates };
            await using (await EmbeddedPostgres.StartAsync(options, NullLogger.Instance, CancellationToken.None))
            {
            }

            var snapshot = Directory.GetFiles(templates, "pglite-*.tar").Single();
            await File.WriteAllTextAsync(snapshot, "not a tar file");
            await using var server = await EmbeddedPostgres.StartAsync(options, NullLogger.Instance, CancellationToken.None);
            Assert.Equal(42, await ExecuteAsync(server, "SELECT 41 + 1"));
            Assert.True(new FileInfo(snapshot).Length > 1_000_000, "the damaged snapshot is replaced by a good one");
        }
        finally
        {
            Directory.Delete(templates, recursive: true);
        }
    }

    private static async Task<object?> ExecuteAsync(EmbeddedPostgres server, string sql)
    {
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is DBNull ? null : value;
    }
}
