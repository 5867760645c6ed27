using Mediator;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Storage;

namespace OptLib.Library.Jobs;

/// <summary>A job with its progress, metrics, log and report, or null when there is no such job.</summary>
public sealed record GetJob(long Id) : IRequest<JobDto?>;

/// <summary>One file a job produced (such as the evaluation's chart), or null.</summary>
public sealed record GetJobArtifact(long Id, string Name) : IRequest<JobArtifact?>;

public sealed class GetJobHandler(OptLibDbContext db) : IRequestHandler<GetJob, JobDto?>, IRequestHandler<GetJobArtifact, JobArtifact?>
{
    public async ValueTask<JobDto?> Handle(GetJob request, CancellationToken cancellationToken) =>
        await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == request.Id, cancellationToken) is { } job ? JobDto.From(job) : null;

    public async ValueTask<JobArtifact?> Handle(GetJobArtifact request, CancellationToken cancellationToken) =>
        (await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == request.Id, cancellationToken))?.Artifacts
            .FirstOrDefault(a => string.Equals(a.Name, request.Name, StringComparison.Ordinal));
}
