using Microsoft.EntityFrameworkCore;
using OptLib.Library.Storage;

namespace OptLib.Library.Taxonomy;

/// <summary>
/// The whole taxonomy in memory (it has tens of nodes, not thousands): paths of nodes, lookup by tolerant label,
/// and creation of missing paths.
/// </summary>
public sealed class TaxonomyTree
{
    private readonly OptLibDbContext db;
    private readonly Dictionary<long, TaxonomyNode> byId;
    private readonly Dictionary<string, TaxonomyNode> byKey;

    private TaxonomyTree(OptLibDbContext db, List<TaxonomyNode> nodes)
    {
        this.db = db;
        byId = nodes.ToDictionary(n => n.Id);
        byKey = nodes.ToDictionary(n => n.PathKey, StringComparer.Ordinal);
    }

    public static async Task<TaxonomyTree> LoadAsync(OptLibDbContext db, CancellationToken ct) =>
        new(db, await db.TaxonomyNodes.ToListAsync(ct));

    public IEnumerable<TaxonomyNode> Nodes => byId.Values;

    public TaxonomyNode? Find(long id) => byId.GetValueOrDefault(id);

    public TaxonomyNode? Find(params IEnumerable<string> labels) => byKey.GetValueOrDefault(TaxonomyLabels.PathKey(labels));

    /// <summary>The display names from the stage down to the node.</summary>
    public IReadOnlyList<string> PathOf(TaxonomyNode node)
    {
        var names = new List<string>(3);
        for (var n = node; n is not null; n = n.ParentId is { } p ? byId.GetValueOrDefault(p) : null)
        {
            names.Insert(0, n.Name);
        }

        return names;
    }

    public TaxonomyPath PathDto(TaxonomyNode node)
    {
        var path = PathOf(node);
        return new TaxonomyPath(node.Id, path.ElementAtOrDefault(0) ?? string.Empty, path.ElementAtOrDefault(1) ?? string.Empty, path.ElementAtOrDefault(2) ?? string.Empty);
    }

    /// <summary>
    /// The node at the path, creating whichever levels are missing (tracked, not yet saved). Returns whether the
    /// leaf was new, so an import can say which labels it added.
    /// </summary>
    public (TaxonomyNode Node, bool Created) Ensure(IReadOnlyList<string> labels, string definition = "", string condition = "")
    {
        TaxonomyNode? parent = null;
        var created = false;
        for (var depth = 0; depth < labels.Count; depth++)
        {
            var key = TaxonomyLabels.PathKey(labels.Take(depth + 1));
            if (!byKey.TryGetValue(key, out var node))
            {
                var now = DateTimeOffset.UtcNow;
                node = new TaxonomyNode
                {
                    Name = TaxonomyLabels.Tidy(labels[depth]),
                    PathKey = key,
                    Depth = depth,
                    Parent = parent,
                    Definition = depth == labels.Count - 1 ? definition : string.Empty,
                    Condition = depth == labels.Count - 1 ? condition : string.Empty,
                    CreatedAt = now,
                    UpdatedAt = now,
                };
                db.TaxonomyNodes.Add(node);
                byKey[key] = node;
                created = depth == labels.Count - 1;
            }

            parent = node;
        }

        return (parent!, created);
    }

    /// <summary>Call after SaveChanges so nodes created by <see cref="Ensure"/> can be found by id.</summary>
    public void Refresh()
    {
        foreach (var node in byKey.Values)
        {
            byId[node.Id] = node;
        }
    }
}

public sealed record TaxonomyPath(long NodeId, string Stage, string Level1, string Level2);
