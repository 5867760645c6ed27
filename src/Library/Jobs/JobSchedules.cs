using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hangfire;
using Hangfire.Storage;
using Mediator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OptLib.Platform.Database;
using OptLib.Library.Storage;
using OptLib.Platform.Jobs;
using OptLib.Platform.Hosting;

namespace OptLib.Library.Jobs;

/// <summary>A cron schedule for one kind, from <c>Jobs:Schedules:&lt;kind&gt;</c> (cron in UTC, and the job's parameters).</summary>
public sealed record JobSchedule(string Kind, string Cron, JsonObject Parameters)
{
    public const string Section = "Jobs:Schedules";
    public const string RecurringPrefix = "schedule:";

    /// <summary>Learning every hour, at a quarter past, from every failure waiting for it, whatever its source.</summary>
    public static readonly JobSchedule DefaultLearning = new("learning", "15 * * * *", []);

    /// <summary>Nightly evolution at 02:00 UTC over every problem with a known answer that may be learned from.</summary>
    public static readonly JobSchedule DefaultEvolution = new("evolution", "0 2 * * *", []);

    public static readonly IReadOnlyList<JobSchedule> Defaults = [DefaultLearning, DefaultEvolution];

    public string RecurringJobId => RecurringPrefix + Kind;

    /// <summary>
    /// Every schedule configured, plus each default that "Jobs:Schedules:&lt;kind&gt;" does not override; a default
    /// kind configured without a Cron keeps the default's. An empty Cron turns a schedule off.
    /// </summary>
    public static IReadOnlyList<JobSchedule> FromConfiguration(IConfiguration configuration)
    {
        var schedules = new Dictionary<string, JobSchedule>(StringComparer.OrdinalIgnoreCase);
        var section = configuration.GetSection(Section);
        foreach (var fallback in Defaults.Where(d => !section.GetSection(d.Kind).Exists()))
        {
            schedules[fallback.Kind] = fallback with { Parameters = (JsonObject)fallback.Parameters.DeepClone() };
        }

        foreach (var kind in section.GetChildren())
        {
            var parameters = Json(kind.GetSection("Parameters")) as JsonObject ?? [];
            var fallback = Defaults.FirstOrDefault(d => d.Kind.Equals(kind.Key, StringComparison.OrdinalIgnoreCase));
            var cron = kind["Cron"] ?? fallback?.Cron ?? string.Empty;
            schedules[kind.Key] = new JobSchedule(kind.Key.ToLowerInvariant(), cron.Trim(), parameters);
        }

        return schedules.Values.Where(s => s.Cron.Length > 0).OrderBy(s => s.Kind, StringComparer.Ordinal).ToList();
    }

    /// <summary>A configuration section as JSON: numbers and booleans typed, "0", "1", ... children as arrays.</summary>
    private static JsonNode? Json(IConfigurationSection section)
    {
        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            return section.Value switch
            {
                null => null,
                var v when long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) => JsonValue.Create(n),
                var v when double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => JsonValue.Create(d),
                var v when bool.TryParse(v, out var b) => JsonValue.Create(b),
                var v => JsonValue.Create(v),
            };
        }

        if (children.All(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            return new JsonArray(children.OrderBy(c => int.Parse(c.Key, CultureInfo.InvariantCulture)).Select(Json).ToArray());
        }

        var node = new JsonObject();
        foreach (var child in children)
        {
            node[child.Key] = Json(child);
        }

        return node;
    }
}

/// <summary>What Hangfire's recurring job runs: creates a job as POST /api/jobs would, by actor "schedule".</summary>
public sealed class ScheduledJobTrigger(ISender sender, OptLibDbContext db, ILogger<ScheduledJobTrigger> logger)
{
    public const string Actor = "schedule";

    [Queue(BackgroundJobs.DefaultQueue)]
    [AutomaticRetry(Attempts = 0)] // a missed occurrence waits for the next one rather than piling up
    public async Task Run(string kind, string parameters, CancellationToken cancellationToken)
    {
        var unfinished = db.Jobs.Any(j => j.Kind == kind && j.CreatedBy == Actor && (j.State == JobState.Queued || j.State == JobState.Running));
        if (unfinished)
        {
            logger.LogWarning("The scheduled {Kind} job is skipped: the previous scheduled one has not finished", kind);
            return;
        }

        using var document = JsonDocument.Parse(parameters);
        var job = await sender.Send(new CreateJob(kind, document.RootElement.Clone(), Actor), cancellationToken);
        logger.LogInformation("Schedule started {Kind} job {Job}", kind, job.Id);
    }
}

/// <summary>
/// Makes Hangfire's recurring jobs match the configured schedules when a host starts: adds or updates each, removes
/// the ones no longer configured. Hangfire runs each occurrence once across all servers sharing the storage.
/// </summary>
public sealed class JobScheduler(IServiceScopeFactory scopes, IRecurringJobManager recurring, JobStorage storage, ILogger<JobScheduler> logger)
{
    public IReadOnlyList<string> Sync(IReadOnlyList<JobSchedule> schedules)
    {
        using var scope = scopes.CreateScope();
        var kinds = scope.ServiceProvider.GetServices<IJobKind>().ToList();
        var registered = new List<string>();
        foreach (var schedule in schedules)
        {
            var key = $"{JobSchedule.Section}:{schedule.Kind}";
            if (kinds.Find(schedule.Kind) is not { } kind)
            {
                if (JobSchedule.Defaults.Any(d => d.Kind == schedule.Kind))
                {
                    logger.LogInformation("No default {Kind} schedule: that job kind is not available in this build", schedule.Kind);
                    continue;
                }

                throw new StartupException($"{key}: there is no job kind '{schedule.Kind}'. Known kinds: {string.Join(", ", kinds.Select(k => k.Name).Order(StringComparer.Ordinal))}.");
            }

            using var parameters = JsonDocument.Parse(schedule.Parameters.ToJsonString());
            var errors = kind.Validate(parameters.RootElement).ToList();
            if (errors.Count > 0)
            {
                var reasons = string.Join("; ", errors.Select(e => $"{e.Field}: {e.Error}"));
                throw new StartupException($"{key}:Parameters are not valid for '{schedule.Kind}': {reasons}");
            }

            try
            {
                var json = schedule.Parameters.ToJsonString();
                var kindName = kind.Name;
                recurring.AddOrUpdate<ScheduledJobTrigger>(schedule.RecurringJobId, t => t.Run(kindName, json, CancellationToken.None), schedule.Cron,
                    new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
            }
            catch (ArgumentException ex)
            {
                throw new StartupException($"{key}:Cron '{schedule.Cron}' is not a valid cron expression ({ex.Message}).", ex);
            }

            registered.Add(schedule.RecurringJobId);
            logger.LogInformation("Scheduled {Kind} at '{Cron}' (UTC) with {Parameters}", kind.Name, schedule.Cron, schedule.Parameters.ToJsonString());
        }

        using var connection = storage.GetConnection();
        foreach (var stale in connection.GetRecurringJobs().Select(j => j.Id)
                     .Where(id => id.StartsWith(JobSchedule.RecurringPrefix, StringComparison.Ordinal) && !registered.Contains(id)))
        {
            recurring.RemoveIfExists(stale);
            logger.LogInformation("Removed the schedule {Schedule}: it is no longer configured", stale);
        }

        return registered;
    }

    /// <summary>Syncs once the database is up, in hosts that run jobs (Worker:InProcess, optlib-worker run).</summary>
    internal sealed class OnStart(JobScheduler scheduler, OptLibDatabase database, IConfiguration configuration, IOptions<JobEngineOptions> options) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            if (!options.Value.InProcess || !options.Value.Schedules)
            {
                return;
            }

            await database.Started.WaitAsync(cancellationToken);
            scheduler.Sync(JobSchedule.FromConfiguration(configuration));
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
