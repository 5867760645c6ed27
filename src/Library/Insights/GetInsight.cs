using System.Globalization;
using Mediator;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Reads;
using OptLib.Library.Storage;
using OptLib.Library.Taxonomy;

namespace OptLib.Library.Insights;

/// <summary>One insight, tagged with its version and a digest of the whole read (counters and label names change without a new version).</summary>
public sealed record GetInsight(long Id) : IRequest<Tagged<InsightDto>?>;

public sealed class GetInsightHandler(OptLibDbContext db, ReadModel reads) : IRequestHandler<GetInsight, Tagged<InsightDto>?>
{
    public async ValueTask<Tagged<InsightDto>?> Handle(GetInsight request, CancellationToken cancellationToken)
    {
        var library = (await reads.CurrentAsync(db, cancellationToken)).Library;
        return await library.GetOrLoadAsync(request, async () =>
        {
            var insight = await db.Insights.AsNoTracking().Include(i => i.Taxonomy).SingleOrDefaultAsync(i => i.Id == request.Id, cancellationToken);
            return insight is null
                ? null
                : Tagged.Of(InsightDto.From(insight, await TaxonomyTree.LoadAsync(db, cancellationToken)), insight.Version.ToString(CultureInfo.InvariantCulture));
        });
    }
}
