using System.Globalization;
using Mediator;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Insights;
using OptLib.Library.Storage;
using OptLib.Library.Taxonomy;

namespace OptLib.Library.Interchange;

/// <summary>
/// The whole library in AlphaOPT's format (what <see cref="ImportLibrary"/> reads), plus each insight's status and,
/// for insights learned here, <c>"source": "optlib"</c>. Ordered deterministically, so two exports of the same
/// library are byte-identical.
/// </summary>
public sealed record ExportLibrary : IRequest<AlphaOptDocument>;

public sealed class ExportLibraryHandler(OptLibDbContext db) : IRequestHandler<ExportLibrary, AlphaOptDocument>
{
    public async ValueTask<AlphaOptDocument> Handle(ExportLibrary request, CancellationToken cancellationToken)
    {
        var tree = await TaxonomyTree.LoadAsync(db, cancellationToken);
        var insights = await db.Insights.AsNoTracking().Include(i => i.Taxonomy).ToListAsync(cancellationToken);

        var taxonomy = new Dictionary<string, Dictionary<string, Dictionary<string, AlphaOptLabel>>>();
        foreach (var leaf in tree.Nodes.Where(n => n.Depth == 2).OrderBy(n => n.Id))
        {
            var path = tree.PathOf(leaf);
            var level1s = taxonomy.TryGetValue(path[0], out var l1) ? l1 : taxonomy[path[0]] = [];
            var level2s = level1s.TryGetValue(path[1], out var l2) ? l2 : level1s[path[1]] = [];
            level2s[path[2]] = new AlphaOptLabel { Definition = leaf.Definition, Condition = leaf.Condition };
        }

        var library = insights
            .Select(i => (Insight: i, Local: i.Origin.Source is null or AlphaOptSources.OptLib, Key: ExternalKey(i)))
            .OrderBy(x => x.Local).ThenBy(x => x.Key).ThenBy(x => x.Insight.Id)
            .Select(x => Entry(x.Insight, x.Local, x.Key, tree))
            .ToList();

        return new AlphaOptDocument { Library = library, Taxonomy = taxonomy };
    }

    private static long ExternalKey(Insight i) =>
        long.TryParse(i.Origin.ExternalId, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) ? id : i.Id;

    private static AlphaOptInsight Entry(Insight i, bool local, long key, TaxonomyTree tree)
    {
        var taxonomy = new Dictionary<string, Dictionary<string, List<string>>>();
        foreach (var node in i.Taxonomy.OrderBy(n => n.Id))
        {
            var path = tree.PathOf(node);
            var level1s = taxonomy.TryGetValue(path[0], out var l1) ? l1 : taxonomy[path[0]] = [];
            (level1s.TryGetValue(path[1], out var l2) ? l2 : level1s[path[1]] = []).Add(path[2]);
        }

        return new AlphaOptInsight
        {
            InsightId = key,
            Taxonomy = taxonomy,
            Condition = i.Condition,
            Explanation = i.Explanation,
            Example = i.Example,
            Iteration = i.Origin.Iteration ?? 0,
            Version = i.Origin.ExternalVersion ?? i.Version,
            TaskId = AlphaOptSources.TaskIdElement(i.Origin.TaskIds, i.Origin.TaskIdIsList),
            Occurrence = i.Origin.Occurrence ?? 0,
            Distribution = new AlphaOptDistribution
            {
                Positive = i.Evidence.Positive,
                Negative = i.Evidence.Negative,
                Unretrieved = i.Evidence.Unretrieved,
                Irrelevant = i.Evidence.Irrelevant,
                Invalid = i.Evidence.Invalid,
            },
            Status = i.Status.ToString().ToLowerInvariant(),
            Source = local ? AlphaOptSources.OptLib : null,
        };
    }
}
