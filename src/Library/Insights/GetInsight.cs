using Mediator;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Storage;
using OptLib.Library.Taxonomy;

namespace OptLib.Library.Insights;

public sealed record GetInsight(long Id) : IRequest<InsightDto?>;

public sealed class GetInsightHandler(OptLibDbContext db) : IRequestHandler<GetInsight, InsightDto?>
{
    public async ValueTask<InsightDto?> Handle(GetInsight request, CancellationToken cancellationToken)
    {
        var insight = await db.Insights.AsNoTracking().Include(i => i.Taxonomy).SingleOrDefaultAsync(i => i.Id == request.Id, cancellationToken);
        return insight is null ? null : InsightDto.From(insight, await TaxonomyTree.LoadAsync(db, cancellationToken));
    }
}
