using Microsoft.EntityFrameworkCore;
using Npgsql;
using OptLib.Library.Insights;
using OptLib.Library.Retrieval;
using OptLib.Tests.Infrastructure;
using Pgvector;

namespace OptLib.Tests.Foundation;

public sealed class SchemaTests(OptLibApp app) : IClassFixture<OptLibApp>
{
    [Fact]
    public async Task MigrationsApplyFromAnEmptyDatabase()
    {
        var applied = await app.WithDbAsync(async db => (await db.Database.GetAppliedMigrationsAsync()).ToList());
        var pending = await app.WithDbAsync(async db => (await db.Database.GetPendingMigrationsAsync()).ToList());
        var known = await app.WithDbAsync(db => Task.FromResult(db.Database.GetMigrations().ToList()));

        Assert.NotEmpty(known);
        Assert.Equal(known, applied);
        Assert.Empty(pending);
        foreach (var table in new[] { "taxonomy_nodes", "insights", "insight_versions", "insight_taxonomy", "problems", "attempts", "jobs", "api_keys", "users", "audit_log" })
        {
            Assert.True(await TableExistsAsync(table), $"table {table} is missing");
        }
    }

    [Fact]
    public async Task PgvectorIsInstalledAndAVectorRoundTrips()
    {
        Assert.False(string.IsNullOrEmpty(await app.Database.VectorVersionAsync(CancellationToken.None)));

        var values = Enumerable.Range(0, 384).Select(i => (float)Math.Sin(i)).ToArray();
        var id = await app.WithDbAsync(async db =>
        {
            var insight = NewInsight("round trip", "checks vectors");
            insight.Embedding = new Vector(values);
            db.Insights.Add(insight);
            await db.SaveChangesAsync();
            return insight.Id;
        });

        var stored = await app.WithDbAsync(db => db.Insights.AsNoTracking().SingleAsync(i => i.Id == id));
        Assert.Equal(values, stored.Embedding!.ToArray());
    }

    [Fact]
    public async Task NearestNeighbourQueriesUseTheHnswIndex()
    {
        await using var connection = await app.Database.DataSource.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        // With a handful of rows the planner rightly prefers a scan; forbidding it shows whether the index can serve
        // ORDER BY embedding <=> @q at all, which is what a large library relies on.
        await using (var off = new NpgsqlCommand("SET LOCAL enable_seqscan = off", connection, tx))
        {
            await off.ExecuteNonQueryAsync();
        }

        var query = "[" + string.Join(",", Enumerable.Repeat("0.05", 384)) + "]";
        await using var explain = new NpgsqlCommand(
            $"EXPLAIN SELECT id FROM insights ORDER BY embedding <=> '{query}'::vector LIMIT 5", connection, tx);
        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(0));
            }
        }

        Assert.Contains(plan, line => line.Contains("Index Scan using ix_insights_embedding", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FullTextSearchFindsAnInsightByAWordOfItsCondition()
    {
        await app.WithDbAsync(async db =>
        {
            foreach (var insight in new[]
                     {
                         NewInsight("When vehicles must visit every customer exactly once, forbid subtours.", "Use MTZ or lazy cuts."),
                         NewInsight("When a budget caps total spending, add one knapsack row.", "Sum of costs stays under the budget."),
                     })
            {
                await app.Embeddings.EmbedAsync(insight, CancellationToken.None);
                db.Insights.Add(insight);
            }

            return await db.SaveChangesAsync();
        });

        var found = await app.WithDbAsync(db => db.Insights
            .Where(i => i.SearchVector.Matches(EF.Functions.PlainToTsQuery("english", "subtour")))
            .Select(i => i.Condition)
            .ToListAsync());

        var hit = Assert.Single(found);
        Assert.Contains("subtours", hit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnInsightWhoseTextWasNotEmbeddedIsNotSaved()
    {
        // Writers embed before they save, outside any transaction; the save itself does no I/O and refuses a forgotten vector.
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => app.WithDbAsync(async db =>
        {
            db.Insights.Add(NewInsight("When a forgotten vector is saved", "the guard refuses it"));
            return await db.SaveChangesAsync();
        }));
        Assert.Contains("not embedded", error.Message, StringComparison.Ordinal);

        var id = await app.WithDbAsync(async db =>
        {
            var insight = NewInsight("When a condition is edited", "its vector is made again");
            await app.Embeddings.EmbedAsync(insight, CancellationToken.None);
            db.Insights.Add(insight);
            await db.SaveChangesAsync();
            return insight.Id;
        });
        var edit = await Assert.ThrowsAsync<InvalidOperationException>(() => app.WithDbAsync(async db =>
        {
            var insight = await db.Insights.SingleAsync(i => i.Id == id);
            insight.Condition = "When a condition is edited and not embedded";
            return await db.SaveChangesAsync();
        }));
        Assert.Contains(id.ToString(System.Globalization.CultureInfo.InvariantCulture), edit.Message, StringComparison.Ordinal);
    }

    private static Insight NewInsight(string condition, string explanation) => new()
    {
        Condition = condition,
        Explanation = explanation,
        Status = InsightStatus.Active,
        Version = 1,
        CreatedBy = "test",
        UpdatedBy = "test",
        CreatedAt = DateTimeOffset.UtcNow,
        UpdatedAt = DateTimeOffset.UtcNow,
    };

    private async Task<bool> TableExistsAsync(string table)
    {
        await using var command = app.Database.DataSource.CreateCommand("SELECT to_regclass(@t) IS NOT NULL");
        command.Parameters.AddWithValue("t", "public." + table);
        return (bool)(await command.ExecuteScalarAsync())!;
    }
}
