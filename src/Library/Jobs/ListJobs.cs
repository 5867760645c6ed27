using Mediator;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Storage;
using OptLib.Library.Validation;

namespace OptLib.Library.Jobs;

/// <summary>Jobs a page at a time, newest first, optionally of one kind and state.</summary>
public sealed record ListJobs(string? Kind, string? State, int Page = 1, int PageSize = 20) : IRequest<JobPage>, IValidatable
{
    public const int MaxPageSize = 200;

    public IEnumerable<(string Field, string Error)> Validate()
    {
        if (Page < 1)
        {
            yield return (nameof(Page), "Pages start at 1.");
        }

        if (PageSize is < 1 or > MaxPageSize)
        {
            yield return (nameof(PageSize), $"The page size is between 1 and {MaxPageSize}.");
        }

        if (State is not null && JobStates.Parse(State) is null)
        {
            yield return (nameof(State), "The state is one of " + string.Join(", ", Enum.GetValues<JobState>().Select(JobStates.Name)) + ".");
        }
    }
}

public sealed class ListJobsHandler(OptLibDbContext db) : IRequestHandler<ListJobs, JobPage>
{
    public async ValueTask<JobPage> Handle(ListJobs request, CancellationToken cancellationToken)
    {
        IQueryable<Job> query = db.Jobs.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(request.Kind))
        {
            var kind = request.Kind.Trim().ToLowerInvariant();
            query = query.Where(j => j.Kind == kind);
        }

        if (JobStates.Parse(request.State) is { } state)
        {
            query = query.Where(j => j.State == state);
        }

        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderByDescending(j => j.Id)
            .Skip((request.Page - 1) * request.PageSize).Take(request.PageSize)
            .Select(j => new { j.Id, j.Kind, j.State, j.ProgressDone, j.ProgressTotal, j.CurrentStep, j.CreatedBy, j.CreatedAt, j.FinishedAt })
            .ToListAsync(cancellationToken);
        return new JobPage(items.Select(j => new JobSummaryDto(j.Id, j.Kind, JobStates.Name(j.State), new JobProgress(j.ProgressDone, j.ProgressTotal),
            j.CurrentStep, j.CreatedBy, j.CreatedAt, j.FinishedAt)).ToList(), total, request.Page, request.PageSize);
    }
}
