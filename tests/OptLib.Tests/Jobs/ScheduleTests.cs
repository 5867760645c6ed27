using System.Text.Json.Nodes;
using Hangfire;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OptLib.Platform.Database;
using OptLib.Library.Jobs;
using OptLib.Tests.Infrastructure;
using OptLib.Platform.Hosting;

namespace OptLib.Tests.Jobs;

public sealed class ScheduledApp : OptLibApp
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Worker:InProcess"] = "true",
        ["Worker:Schedules"] = "true",
        ["Jobs:Schedules:selftest:Cron"] = "30 3 * * 1",
        ["Jobs:Schedules:selftest:Parameters:items"] = "2",
        ["Jobs:Schedules:selftest:Parameters:sleepMs"] = "0",
    };
}

public sealed class ScheduleTests(ScheduledApp app) : IClassFixture<ScheduledApp>
{
    [Fact]
    public async Task AConfiguredScheduleIsAHangfireRecurringJobWhoseTriggerCreatesAJobAsTheSchedule()
    {
        using (var connection = app.Services.GetRequiredService<JobStorage>().GetConnection())
        {
            var recurring = Assert.Single(connection.GetRecurringJobs(), j => j.Id == "schedule:selftest");
            Assert.Equal("30 3 * * 1", recurring.Cron);
        }

        app.Services.GetRequiredService<IRecurringJobManager>().Trigger("schedule:selftest");

        using var client = app.Admin();
        var job = await Eventually.ValueAsync(
            () => app.WithDbAsync(db => db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Kind == "selftest" && j.CreatedBy == ScheduledJobTrigger.Actor)),
            j => j is not null, TimeSpan.FromSeconds(60), "the triggered schedule to create a job");

        var finished = await client.WaitForEndAsync(job!.Id);
        Assert.Equal("succeeded", finished.State);
        Assert.Equal(2, finished.Progress.Total); // the configured parameters, typed from configuration strings
    }

    [Fact]
    public void ARemovedScheduleRemovesItsRecurringJobAndABadOneNamesItsKey()
    {
        var scheduler = app.Services.GetRequiredService<JobScheduler>();
        try
        {
            scheduler.Sync([new JobSchedule("reembed", "0 4 * * *", [])]);
            Assert.Contains(RecurringIds(), id => id == "schedule:reembed");
            Assert.DoesNotContain(RecurringIds(), id => id == "schedule:selftest"); // configured at start, gone from this set

            Assert.Empty(scheduler.Sync([]));
            Assert.DoesNotContain(RecurringIds(), id => id.StartsWith("schedule:", StringComparison.Ordinal));
        }
        finally
        {
            scheduler.Sync(JobSchedule.FromConfiguration(app.Services.GetRequiredService<IConfiguration>())); // as the host started
        }

        var badCron = Assert.Throws<StartupException>(() => scheduler.Sync([new JobSchedule("selftest", "every night", [])]));
        Assert.Contains("Jobs:Schedules:selftest:Cron", badCron.Message, StringComparison.Ordinal);
        var badKind = Assert.Throws<StartupException>(() => scheduler.Sync([new JobSchedule("astrology", "0 4 * * *", [])]));
        Assert.Contains("no job kind 'astrology'", badKind.Message, StringComparison.Ordinal);
        var badParameters = Assert.Throws<StartupException>(() => scheduler.Sync([new JobSchedule("selftest", "0 4 * * *", new JsonObject { ["items"] = 0 })]));
        Assert.Contains("parameters.items", badParameters.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDefaultsAreHourlyLearningAndNightlyEvolutionOverEverythingWaitingAndAnEmptyCronTurnsEachOff()
    {
        var defaults = JobSchedule.FromConfiguration(new ConfigurationBuilder().Build());
        Assert.Equal([("evolution", "0 2 * * *", "{}"), ("learning", "15 * * * *", "{}")],
            defaults.Select(d => (d.Kind, d.Cron, d.Parameters.ToJsonString())));

        var configured = JobSchedule.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Jobs:Schedules:evolution:Parameters:dataset"] = "nl4opt",
            ["Jobs:Schedules:learning:Cron"] = "0 */6 * * *",
            ["Jobs:Schedules:evaluation:Cron"] = "0 5 * * 0",
            ["Jobs:Schedules:evaluation:Parameters:dataset"] = "nl4opt",
            ["Jobs:Schedules:evaluation:Parameters:limit"] = "50",
        }).Build());
        Assert.Equal(["evaluation", "evolution", "learning"], configured.Select(s => s.Kind));
        Assert.Equal(("0 2 * * *", "0 */6 * * *"), (configured[1].Cron, configured[2].Cron));
        Assert.Equal("""{"dataset":"nl4opt"}""", configured[1].Parameters.ToJsonString());
        Assert.Equal(50, (long)configured[0].Parameters["limit"]!);

        var off = JobSchedule.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Jobs:Schedules:evolution:Cron"] = "",
            ["Jobs:Schedules:learning:Cron"] = "",
        }).Build());
        Assert.Empty(off);
    }

    private List<string> RecurringIds()
    {
        using var connection = app.Services.GetRequiredService<JobStorage>().GetConnection();
        return connection.GetRecurringJobs().Select(j => j.Id).ToList();
    }
}
