using System.Globalization;
using System.Text.Json;
using Hangfire;
using Mediator;
using OptLib.Library.Audit;
using OptLib.Library.Storage;
using OptLib.Library.Validation;

namespace OptLib.Library.Jobs;

/// <summary>
/// Stores a job and queues its planning. An unknown kind or parameters the kind refuses are a 400 naming them;
/// nothing is stored then.
/// </summary>
public sealed record CreateJob(string? Kind, JsonElement? Parameters, string Actor) : IRequest<JobDto>, IValidatable
{
    public IEnumerable<(string Field, string Error)> Validate()
    {
        if (string.IsNullOrWhiteSpace(Kind))
        {
            yield return ("kind", "Name the kind of job, for example \"evaluation\".");
        }

        if (Parameters is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null or JsonValueKind.Undefined) })
        {
            yield return ("parameters", "Parameters are a JSON object.");
        }
    }
}

public sealed class CreateJobHandler(OptLibDbContext db, IEnumerable<IJobKind> kinds, JobStore store, IBackgroundJobClient hangfire)
    : IRequestHandler<CreateJob, JobDto>
{
    public async ValueTask<JobDto> Handle(CreateJob request, CancellationToken cancellationToken)
    {
        var kind = kinds.Find(request.Kind) ?? throw ValidationFailedException.For("kind",
            $"There is no job kind '{request.Kind}'. Known kinds: {string.Join(", ", kinds.Select(k => k.Name).Order(StringComparer.Ordinal))}.");
        var parameters = request.Parameters is { ValueKind: JsonValueKind.Object } given ? given : JsonDocument.Parse("{}").RootElement;
        var errors = kind.Validate(parameters)
            .GroupBy(e => e.Field, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Error).ToArray(), StringComparer.Ordinal);
        if (errors.Count > 0)
        {
            throw new ValidationFailedException(errors);
        }

        var job = new Job
        {
            Kind = kind.Name,
            Parameters = JsonDocument.Parse(parameters.GetRawText()),
            State = JobState.Queued,
            CurrentStep = "queued",
            CreatedBy = request.Actor,
            CreatedAt = DateTimeOffset.UtcNow,
        };
        db.Jobs.Add(job);
        await db.SaveChangesAsync(cancellationToken);
        var planning = hangfire.Enqueue<JobRunner>(r => r.Plan(job.Id, 0, CancellationToken.None));
        await store.AddJobHangfireIdAsync(job.Id, planning, CancellationToken.None);
        job.HangfireJobIds.Add(planning);
        await AuditLog.WriteAsync(db, request.Actor, "create", "job", job.Id.ToString(CultureInfo.InvariantCulture),
            new { kind = job.Kind, parameters }, cancellationToken);
        return JobDto.From(job);
    }
}
