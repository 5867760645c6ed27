using Hangfire;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OptLib.Library.Audit;
using OptLib.Library.Storage;
using OptLib.Tests.Infrastructure;

namespace OptLib.Tests.Foundation;

public sealed class JobServerApp : OptLibApp
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Worker:InProcess"] = "true",
    };
}

/// <summary>A job the test enqueues; Hangfire builds it from the service's container, as it will the real ones.</summary>
public sealed class ProbeJob(OptLibDbContext db)
{
    public Task Run(string marker) => AuditLog.WriteAsync(db, "hangfire", "probe", "test", marker, null, CancellationToken.None);
}

[Collection(JobServerCollection.Name)]
public sealed class JobEngineTests(JobServerApp app) : IClassFixture<JobServerApp>
{
    [Fact]
    public async Task AnEnqueuedJobRunsOnTheInProcessServerAgainstTheSameDatabase()
    {
        var marker = Guid.NewGuid().ToString("N");
        app.Services.GetRequiredService<IBackgroundJobClient>().Enqueue<ProbeJob>(j => j.Run(marker));

        await Eventually.UntilAsync(() => app.WithDbAsync(db => db.AuditLog.AnyAsync(a => a.EntityId == marker)), TimeSpan.FromSeconds(60),
            "the enqueued job to write its audit entry");
    }

    [Fact]
    public void ARecurringCronJobIsRegisteredInTheHangfireSchema()
    {
        var manager = app.Services.GetRequiredService<IRecurringJobManager>();
        manager.AddOrUpdate<ProbeJob>("probe-nightly", j => j.Run("nightly"), "0 2 * * *");

        using var connection = app.Services.GetRequiredService<JobStorage>().GetConnection();
        var job = Assert.Single(connection.GetRecurringJobs(), j => j.Id == "probe-nightly");
        Assert.Equal("0 2 * * *", job.Cron);
    }
}
