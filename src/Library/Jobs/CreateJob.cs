using System.Globalization;
using System.Text.Json;
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

public sealed class CreateJobHandler(OptLibDbContext db, IEnumerable<IJobKind> kinds, JobLauncher launcher)
    : IRequestHandler<CreateJob, JobDto>
{
    public async ValueTask<JobDto> Handle(CreateJob request, CancellationToken cancellationToken)
    {
        var offered = kinds.Where(k => k.CreatedByClients).ToList();
        var kind = kinds.Find(request.Kind) ?? throw ValidationFailedException.For("kind",
            $"There is no job kind '{request.Kind}'. Known kinds: {string.Join(", ", offered.Select(k => k.Name).Order(StringComparer.Ordinal))}.");
        if (!kind.CreatedByClients)
        {
            throw ValidationFailedException.For("kind", $"A '{kind.Name}' job is not started here: {kind.Summary}");
        }

        var parameters = request.Parameters is { ValueKind: JsonValueKind.Object } given ? given : JsonDocument.Parse("{}").RootElement;
        var errors = kind.Validate(parameters)
            .GroupBy(e => e.Field, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Error).ToArray(), StringComparer.Ordinal);
        if (errors.Count > 0)
        {
            throw new ValidationFailedException(errors);
        }

        var job = launcher.Add(kind, parameters, request.Actor);
        await db.SaveChangesAsync(cancellationToken);
        await launcher.QueueAsync(kind, job);
        await AuditLog.WriteAsync(db, request.Actor, "create", "job", job.Id.ToString(CultureInfo.InvariantCulture),
            new { kind = job.Kind, parameters }, cancellationToken);
        return JobDto.From(job);
    }
}
