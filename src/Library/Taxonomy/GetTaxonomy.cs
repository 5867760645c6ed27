using Mediator;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Insights;
using OptLib.Library.Storage;

namespace OptLib.Library.Taxonomy;

public sealed record GetTaxonomy : IRequest<IReadOnlyList<TaxonomyNodeDto>>;

public sealed class GetTaxonomyHandler(OptLibDbContext db) : IRequestHandler<GetTaxonomy, IReadOnlyList<TaxonomyNodeDto>>
{
    public async ValueTask<IReadOnlyList<TaxonomyNodeDto>> Handle(GetTaxonomy request, CancellationToken cancellationToken)
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

        return children[null].Select(Build).ToList();
    }
}
