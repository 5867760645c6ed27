using Mediator;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Storage;
using OptLib.Library.Validation;

namespace OptLib.Library.Snapshots;

/// <summary>Snapshots newest first, a page at a time; <c>q</c> matches the name, <c>job</c> the job that took it, <c>taken</c> "job" or "hand".</summary>
public sealed record ListSnapshots(string? Q, long? Job, string? Taken, int Page = 1, int PageSize = 20) : IRequest<SnapshotPage>, IValidatable
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

        if (Q is { Length: > SnapshotRules.MaxName })
        {
            yield return (nameof(Q), $"The search text is at most {SnapshotRules.MaxName} characters.");
        }

        if (Taken is not null && Taken.Trim().ToLowerInvariant() is not ("job" or "hand"))
        {
            yield return (nameof(Taken), "taken is \"job\" (taken by a learning, evolution or comparison job) or \"hand\" (taken over the API).");
        }
    }
}

public sealed class ListSnapshotsHandler(OptLibDbContext db) : IRequestHandler<ListSnapshots, SnapshotPage>
{
    public async ValueTask<SnapshotPage> Handle(ListSnapshots request, CancellationToken cancellationToken)
    {
        IQueryable<LibrarySnapshot> query = db.LibrarySnapshots.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(request.Q))
        {
            var pattern = "%" + request.Q.Trim().Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal)
                .Replace("_", "\\_", StringComparison.Ordinal) + "%";
            query = query.Where(s => EF.Functions.ILike(s.Name, pattern));
        }

        if (request.Job is { } job)
        {
            query = query.Where(s => s.JobId == job);
        }

        query = request.Taken?.Trim().ToLowerInvariant() switch
        {
            "job" => query.Where(s => s.JobId != null),
            "hand" => query.Where(s => s.JobId == null),
            _ => query,
        };

        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderByDescending(s => s.Id).Skip((request.Page - 1) * request.PageSize).Take(request.PageSize).ToListAsync(cancellationToken);
        return new SnapshotPage(items.Select(SnapshotDto.From).ToList(), total, request.Page, request.PageSize);
    }
}
