using Mediator;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Insights;
using OptLib.Library.Reads;
using OptLib.Library.Storage;

namespace OptLib.Library.Taxonomy;

/// <summary>The taxonomy tree with its counts, tagged with a digest of it.</summary>
public sealed record GetTaxonomy : IRequest<Tagged<IReadOnlyList<TaxonomyNodeDto>>>;

public sealed class GetTaxonomyHandler(OptLibDbContext db, ReadModel reads) : IRequestHandler<GetTaxonomy, Tagged<IReadOnlyList<TaxonomyNodeDto>>>
{
    public async ValueTask<Tagged<IReadOnlyList<TaxonomyNodeDto>>> Handle(GetTaxonomy request, CancellationToken cancellationToken)
    {
        var library = (await reads.CurrentAsync(db, cancellationToken)).Library;
        return (await library.GetOrLoadAsync(request, () => LoadAsync(cancellationToken)))!;
    }

    private async Task<Tagged<IReadOnlyList<TaxonomyNodeDto>>?> LoadAsync(CancellationToken cancellationToken)
    {
        var nodes = await db.TaxonomyNodes.AsNoTracking().OrderBy(n => n.Name).ToListAsync(cancellationToken);
        var links = await db.Insights.Where(i => i.Status != InsightStatus.Retired)
            .SelectMany(i => i.Taxonomy.Select(t => new { InsightId = i.Id, NodeId = t.Id }))
            .ToListAsync(cancellationToken);

        var parentOf = nodes.ToDictionary(n => n.Id, n => n.ParentId);
        var insightsUnder = nodes.ToDictionary(n => n.Id, _ => new HashSet<long>());
        foreach (var link in links)
        {
            for (long? id = link.NodeId; id is { } current && insightsUnder.TryGetValue(current, out var set); id = parentOf[current])
            {
                set.Add(link.InsightId);
            }
        }

        var children = nodes.ToLookup(n => n.ParentId);
        TaxonomyNodeDto Build(TaxonomyNode n) =>
            new(n.Id, n.ParentId, n.Depth, n.Name, n.Definition, n.Condition, insightsUnder[n.Id].Count, children[n.Id].Select(Build).ToList());

        return Tagged.Of<IReadOnlyList<TaxonomyNodeDto>>(children[null].Select(Build).ToList());
    }
}
