using Mediator;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Storage;
using OptLib.Library.Validation;

namespace OptLib.Library.Problems;

/// <summary>Problems newest first, optionally only those of one dataset task id (how usage evidence names them).</summary>
public sealed record ListProblems(string? Task, int Page = 1, int PageSize = 25) : IRequest<ProblemPage>, IValidatable
{
    public IEnumerable<(string Field, string Error)> Validate()
    {
        if (Page < 1 || PageSize is < 1 or > 200)
        {
            yield return (nameof(Page), "Pages start at 1 and hold 1 to 200 problems.");
        }
    }
}

public sealed record ProblemRow(long Id, string Status, string Text, string? Dataset, string? Split, string? ExternalId, DateTimeOffset CreatedAt);

public sealed record ProblemPage(IReadOnlyList<ProblemRow> Items, int Total, int Page, int PageSize);

/// <summary>The problem an attempt belongs to, or null when there is no such attempt.</summary>
public sealed record FindAttemptProblem(long AttemptId) : IRequest<long?>;

public sealed class ListProblemsHandler(OptLibDbContext db) : IRequestHandler<ListProblems, ProblemPage>, IRequestHandler<FindAttemptProblem, long?>
{
    public async ValueTask<ProblemPage> Handle(ListProblems request, CancellationToken cancellationToken)
    {
        var query = db.Problems.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(request.Task))
        {
            var task = request.Task.Trim();
            query = query.Where(p => p.ExternalId == task);
        }

        var total = await query.CountAsync(cancellationToken);
        var rows = await query.OrderByDescending(p => p.Id).Skip((request.Page - 1) * request.PageSize).Take(request.PageSize)
            .Select(p => new { p.Id, p.Status, p.Text, p.Dataset, p.Split, p.ExternalId, p.CreatedAt })
            .ToListAsync(cancellationToken);
        return new ProblemPage(
            rows.Select(p => new ProblemRow(p.Id, p.Status.ToString().ToLowerInvariant(), p.Text.Length > 200 ? p.Text[..197] + "…" : p.Text,
                p.Dataset, p.Split, p.ExternalId, p.CreatedAt)).ToList(),
            total, request.Page, request.PageSize);
    }

    public async ValueTask<long?> Handle(FindAttemptProblem request, CancellationToken cancellationToken) =>
        await db.Attempts.AsNoTracking().Where(a => a.Id == request.AttemptId).Select(a => (long?)a.ProblemId).FirstOrDefaultAsync(cancellationToken);
}
