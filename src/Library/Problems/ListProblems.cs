using System.Globalization;
using Mediator;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Storage;
using OptLib.Library.Validation;

namespace OptLib.Library.Problems;

/// <summary>
/// Problems newest first, a page at a time. Filters: one dataset task id (how usage evidence names them), dataset,
/// split, status, text in the problem (<c>Q</c>), and when it was created (<c>CreatedFrom</c> inclusive,
/// <c>CreatedTo</c> exclusive, ISO 8601). Dates and status come as text so that a bad one is refused naming its field.
/// </summary>
public sealed record ListProblems(
    string? Task = null,
    string? Dataset = null,
    string? Split = null,
    string? Status = null,
    string? Q = null,
    string? CreatedFrom = null,
    string? CreatedTo = null,
    int Page = 1,
    int PageSize = 25) : IRequest<ProblemPage>, IValidatable
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

        if (Status is not null && ProblemStatuses.Parse(Status) is null)
        {
            yield return (nameof(Status), $"The status is one of {string.Join(", ", ProblemStatuses.Names)}.");
        }

        if (Q is { Length: > 1000 })
        {
            yield return (nameof(Q), "The search text is longer than 1000 characters.");
        }

        var from = Instant(CreatedFrom);
        var to = Instant(CreatedTo);
        if (CreatedFrom is not null && from is null)
        {
            yield return (nameof(CreatedFrom), "Give a date or a time in ISO 8601, for example 2026-12-01 or 2026-12-01T09:30:00Z.");
        }

        if (CreatedTo is not null && to is null)
        {
            yield return (nameof(CreatedTo), "Give a date or a time in ISO 8601, for example 2026-12-31 or 2026-12-31T18:00:00Z.");
        }

        if (from is { } f && to is { } t && f > t)
        {
            yield return (nameof(CreatedFrom), "createdFrom is after createdTo.");
        }
    }

    /// <summary>A date or time in ISO 8601; one without an offset is UTC.</summary>
    internal static DateTimeOffset? Instant(string? text) =>
        DateTimeOffset.TryParse(text?.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            ? at
            : null;
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

        if (!string.IsNullOrWhiteSpace(request.Dataset))
        {
            var dataset = request.Dataset.Trim();
            query = query.Where(p => p.Dataset == dataset);
        }

        if (!string.IsNullOrWhiteSpace(request.Split))
        {
            var split = request.Split.Trim().ToLowerInvariant(); // imports store splits lower-cased
            query = query.Where(p => p.Split == split);
        }

        if (ProblemStatuses.Parse(request.Status) is { } status)
        {
            query = query.Where(p => p.Status == status);
        }

        if (!string.IsNullOrWhiteSpace(request.Q))
        {
            var q = request.Q.Trim();
            var like = "%" + q.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
            query = query.Where(p => EF.Functions.ILike(p.Text, like, "\\"));
        }

        if (ListProblems.Instant(request.CreatedFrom) is { } from)
        {
            query = query.Where(p => p.CreatedAt >= from);
        }

        if (ListProblems.Instant(request.CreatedTo) is { } to)
        {
            query = query.Where(p => p.CreatedAt < to);
        }

        var total = await query.CountAsync(cancellationToken);
        var rows = await query.OrderByDescending(p => p.Id).Skip((request.Page - 1) * request.PageSize).Take(request.PageSize)
            .Select(p => new { p.Id, p.Status, p.Text, p.Dataset, p.Split, p.ExternalId, p.CreatedAt })
            .ToListAsync(cancellationToken);
        return new ProblemPage(
            rows.Select(p => new ProblemRow(p.Id, ProblemStatuses.Name(p.Status), p.Text.Length > 200 ? p.Text[..197] + "…" : p.Text,
                p.Dataset, p.Split, p.ExternalId, p.CreatedAt)).ToList(),
            total, request.Page, request.PageSize);
    }

    public async ValueTask<long?> Handle(FindAttemptProblem request, CancellationToken cancellationToken) =>
        await db.Attempts.AsNoTracking().Where(a => a.Id == request.AttemptId).Select(a => (long?)a.ProblemId).FirstOrDefaultAsync(cancellationToken);
}
