using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OptLib.Platform.Jobs;

namespace OptLib.Library.Jobs;

/// <summary>
/// A kind of background job (evaluation, reembed, learning, ...). The coordinator asks it for its phases one at a
/// time, runs every item of a phase as its own short Hangfire job, and asks it to finish once the last phase is done.
/// Items must be idempotent: a worker that dies half-way leaves its item to be run again.
/// Register one with <see cref="JobKinds.AddJobKind{TKind}"/>; it is resolved per Hangfire job, in a fresh scope.
/// </summary>
public interface IJobKind
{
    /// <summary>The name clients use in <c>POST /api/jobs</c>, e.g. "evaluation". Lowercase, unique.</summary>
    string Name { get; }

    /// <summary>One line for the list of kinds shown when a client names an unknown one.</summary>
    string Summary { get; }

    /// <summary>The Hangfire queue its planning, items and finish go to; solves have a queue of their own.</summary>
    string Queue => BackgroundJobs.DefaultQueue;

    /// <summary>
    /// Whether clients may start one with <c>POST /api/jobs</c>; a kind that another request creates (a solve, made by
    /// <c>POST /api/problems</c>) says no.
    /// </summary>
    bool CreatedByClients => true;

    /// <summary>What is wrong with the parameters, as (field, error) pairs; fields are named "parameters.x".</summary>
    IEnumerable<(string Field, string Error)> Validate(JsonElement parameters);

    /// <summary>
    /// The phase at <paramref name="index"/> (0 first) with its item keys, or null when there are no more phases. It may
    /// read the results of earlier phases. A phase with no keys is skipped. Called again with the same index when
    /// planning is retried, so it must give the same keys.
    /// </summary>
    Task<JobPhase?> PlanAsync(JobContext job, int index, CancellationToken cancellationToken);

    /// <summary>Runs one item and returns its result (serialized to JSON), or throws to record the item as failed.</summary>
    Task<object?> RunItemAsync(JobItemContext item, CancellationToken cancellationToken);

    /// <summary>After the last phase: the metrics and the Markdown report, from the items' results.</summary>
    Task<JobOutcome> FinishAsync(JobContext job, CancellationToken cancellationToken);

    /// <summary>
    /// Told when a cancel of the job is asked for, before its items are stopped, so that what the kind keeps of its
    /// own (a solve's problem status) says so too. Called again if the cancel is asked again.
    /// </summary>
    Task CancelRequestedAsync(JobContext job, CancellationToken cancellationToken) => Task.CompletedTask;
}

public sealed record JobPhase(string Name, IReadOnlyList<string> Keys);

public sealed record JobOutcome(object Metrics, string Report, IReadOnlyList<JobArtifact>? Artifacts = null);

/// <summary>One finished item as an earlier phase or the finish sees it.</summary>
public sealed record JobItemResult(string Key, JobItemState State, JsonElement? Result, string? Error)
{
    public T? ResultAs<T>() => Result is { } r ? r.Deserialize<T>(JobContext.Json) : default;
}

/// <summary>What a kind sees of its job: parameters, its container, earlier results, and the visible log and step.</summary>
public class JobContext(long jobId, string kind, JsonElement parameters, IServiceProvider services, JobStore store)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public long JobId { get; } = jobId;

    public string Kind { get; } = kind;

    public JsonElement Parameters { get; } = parameters;

    /// <summary>The scope of this Hangfire job: resolve ISender, OptLibDbContext and the like from it.</summary>
    public IServiceProvider Services { get; } = services;

    public T GetRequiredService<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>The parameters bound to a record, with web (camelCase) naming.</summary>
    public T ParametersAs<T>() => Parameters.Deserialize<T>(Json) ?? throw new InvalidOperationException($"Job {JobId} has no parameters.");

    public Task LogAsync(string message, string level = "info", CancellationToken cancellationToken = default) =>
        store.AppendLogAsync(JobId, level, message, cancellationToken);

    /// <summary>Shows what the job is doing now ("solving problem 12 of 40").</summary>
    public Task StepAsync(string step, CancellationToken cancellationToken = default) =>
        store.SetStepAsync(JobId, step, cancellationToken);

    /// <summary>Every finished item of a phase, by key.</summary>
    public Task<IReadOnlyList<JobItemResult>> ResultsAsync(string phase, CancellationToken cancellationToken = default) =>
        store.ResultsAsync(JobId, phase, cancellationToken);
}

/// <summary>What an item sees: its job, plus its phase, key and how many times it was claimed.</summary>
public sealed class JobItemContext(long jobId, string kind, JsonElement parameters, IServiceProvider services, JobStore store,
    string phase, string key, int attempt) : JobContext(jobId, kind, parameters, services, store)
{
    public string Phase { get; } = phase;

    public string Key { get; } = key;

    /// <summary>1 on the first run; more when a worker died or Hangfire retried.</summary>
    public int Attempt { get; } = attempt;
}

public static class JobKinds
{
    /// <summary>Makes a kind available to <c>POST /api/jobs</c>, schedules and the command line.</summary>
    public static IServiceCollection AddJobKind<TKind>(this IServiceCollection services) where TKind : class, IJobKind =>
        services.AddScoped<TKind>().AddScoped<IJobKind>(sp => sp.GetRequiredService<TKind>());

    public static IJobKind? Find(this IEnumerable<IJobKind> kinds, string? name) =>
        kinds.FirstOrDefault(k => string.Equals(k.Name, name?.Trim(), StringComparison.OrdinalIgnoreCase));
}
