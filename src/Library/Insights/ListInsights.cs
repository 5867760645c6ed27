using Mediator;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Reads;
using OptLib.Library.Storage;
using OptLib.Library.Taxonomy;
using OptLib.Library.Validation;

namespace OptLib.Library.Insights;

/// <summary>
/// Insights a page at a time, filtered by taxonomy labels (matched like every label: ignoring case, plurals and
/// spaces), status and text. <c>stage</c> also takes the retrieval stages <c>formulation</c> and <c>program</c>.
/// <c>Sort</c> is <c>usage</c> (most used first), <c>positive-rate</c> (most often helpful first), <c>updated</c>
/// (last changed first) or empty (oldest first). Tagged with a digest of the page.
/// </summary>
public sealed record ListInsights(string? Stage, string? Level1, string? Level2, string? Status, string? Q, int Page = 1, int PageSize = 20, string? Sort = null)
    : IRequest<Tagged<InsightPage>>, IValidatable
{
    public const int MaxPageSize = 200;
    public static readonly IReadOnlyList<string> Sorts = ["usage", "positive-rate", "updated"];

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

        if (Status is not null && InsightStatuses.Parse(Status) is null)
        {
            yield return (nameof(Status), "The status is one of proposed, active, retired.");
        }

        if (!string.IsNullOrEmpty(Sort) && !Sorts.Contains(Sort))
        {
            yield return (nameof(Sort), "The sort is one of usage, positive-rate, updated.");
        }

        if (Q is { Length: > 1000 })
        {
            yield return (nameof(Q), "The search text is longer than 1000 characters.");
        }
    }
}

public sealed class ListInsightsHandler(OptLibDbContext db, ReadModel reads) : IRequestHandler<ListInsights, Tagged<InsightPage>>
{
    public async ValueTask<Tagged<InsightPage>> Handle(ListInsights request, CancellationToken cancellationToken)
    {
        var library = (await reads.CurrentAsync(db, cancellationToken)).Library;
        return (await library.GetOrLoadAsync(request, () => LoadAsync(request, cancellationToken), page => page.Value.Items.Count))!;
    }

    private async Task<Tagged<InsightPage>?> LoadAsync(ListInsights request, CancellationToken cancellationToken)
    {
        var tree = await TaxonomyTree.LoadAsync(db, cancellationToken);
        IQueryable<Insight> query = db.Insights.AsNoTracking();

        if (request.Stage is not null || request.Level1 is not null || request.Level2 is not null)
        {
            var leaves = tree.Nodes.Where(n => n.Depth == 2)
                .Where(n => Matches(tree.PathOf(n), request.Stage, request.Level1, request.Level2))
                .Select(n => n.Id).ToList();
            query = query.Where(i => i.Taxonomy.Any(t => leaves.Contains(t.Id)));
        }

        if (InsightStatuses.Parse(request.Status) is { } status)
        {
            query = query.Where(i => i.Status == status);
        }

        if (!string.IsNullOrWhiteSpace(request.Q))
        {
            var q = request.Q.Trim();
            var like = "%" + q.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
            query = query.Where(i => i.SearchVector.Matches(EF.Functions.WebSearchToTsQuery("english", q)) || EF.Functions.ILike(i.Condition, like));
        }

        var total = await query.CountAsync(cancellationToken);
        var items = await Sorted(query, request.Sort)
            .Skip((request.Page - 1) * request.PageSize).Take(request.PageSize)
            .Include(i => i.Taxonomy)
            .ToListAsync(cancellationToken);
        return Tagged.Of(new InsightPage(items.Select(i => InsightDto.From(i, tree)).ToList(), total, request.Page, request.PageSize));
    }

    private static IQueryable<Insight> Sorted(IQueryable<Insight> query, string? sort) => sort switch
    {
        "usage" => query.OrderByDescending(i => i.Usage.Positive + i.Usage.Negative + i.Usage.Invalid + i.Usage.Irrelevant).ThenBy(i => i.Id),
        // Helpful uses over all judged uses; never-judged insights come last.
        "positive-rate" => query
            .OrderByDescending(i => i.Usage.Positive + i.Usage.Negative + i.Usage.Invalid == 0
                ? -1.0
                : (double)i.Usage.Positive / (i.Usage.Positive + i.Usage.Negative + i.Usage.Invalid))
            .ThenBy(i => i.Id),
        "updated" => query.OrderByDescending(i => i.UpdatedAt).ThenByDescending(i => i.Id),
        _ => query.OrderBy(i => i.Id),
    };

    private static bool Matches(IReadOnlyList<string> path, string? stage, string? level1, string? level2) =>
        StageMatches(path[0], stage) && Same(path[1], level1) && Same(path[2], level2);

    private static bool Same(string label, string? filter) =>
        filter is null || TaxonomyLabels.Normalise(label) == TaxonomyLabels.Normalise(filter);

    private static bool StageMatches(string stage, string? filter) => filter?.Trim().ToLowerInvariant() switch
    {
        null => true,
        "formulation" => Same(stage, "Domain Modeling") || Same(stage, "General Formulation"),
        "program" => Same(stage, "Code Implementation"),
        _ => Same(stage, filter),
    };
}

public static class InsightStatuses
{
    public static InsightStatus? Parse(string? status) => status?.Trim().ToLowerInvariant() switch
    {
        "proposed" => InsightStatus.Proposed,
        "active" => InsightStatus.Active,
        "retired" => InsightStatus.Retired,
        _ => null,
    };
}
