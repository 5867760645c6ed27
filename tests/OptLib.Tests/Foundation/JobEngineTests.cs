using Hangfire;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OptLib.Library.Audit;
using OptLib.Library.Storage;
using OptLib.Platform;
using OptLib.Platform.Database;
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

    /// <summary>
    /// Two hosts in one process, as in this test run: each one's Hangfire servers build jobs from its own container,
    /// whichever host configured Hangfire last. Hangfire's default activator is the process-wide one that every host's
    /// configuration overwrites, so the first host ran its jobs against the second one's database.
    /// </summary>
    [Fact]
    public void EachHostBuildsItsJobsFromItsOwnContainerWhicheverConfiguredHangfireLast()
    {
        var data = Directory.CreateTempSubdirectory("optlib-test-").FullName;
        try
        {
            using var first = PlatformHost(data);
            using var second = PlatformHost(data);
            _ = first.Services.GetRequiredService<IGlobalConfiguration>();
            _ = second.Services.GetRequiredService<IGlobalConfiguration>();

            foreach (var host in new[] { first, second })
            {
                using var scope = host.Services.GetRequiredService<JobActivator>().BeginScope((JobActivatorContext)null!);
                Assert.Same(host.Services.GetRequiredService<OptLibDatabase>(), scope.Resolve(typeof(OptLibDatabase)));
            }
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static IHost PlatformHost(string dataDirectory)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["OptLib:DataDirectory"] = dataDirectory });
        builder.AddPlatform();
        return builder.Build();
    }
}
