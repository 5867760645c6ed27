using System.Globalization;
using Mediator;
using OptLib.Library.Audit;
using OptLib.Library.Storage;
using OptLib.Library.Validation;

namespace OptLib.Library.Taxonomy;

/// <summary>Renames a node or rewrites its definition and condition; the insights filed under it follow.</summary>
public sealed record UpdateTaxonomyNode(long Id, string Name, string Definition, string Condition, string Actor)
    : IRequest<TaxonomyNodeDto?>, IValidatable
{
    public IEnumerable<(string Field, string Error)> Validate() => TaxonomyNodeRules.Validate(Name, Definition, Condition);
}

public sealed class UpdateTaxonomyNodeHandler(OptLibDbContext db) : IRequestHandler<UpdateTaxonomyNode, TaxonomyNodeDto?>
{
    /// <returns>null when there is no such node.</returns>
    public async ValueTask<TaxonomyNodeDto?> Handle(UpdateTaxonomyNode request, CancellationToken cancellationToken)
    {
        var tree = await TaxonomyTree.LoadAsync(db, cancellationToken);
        if (tree.Find(request.Id) is not { } node)
        {
            return null;
        }

        var before = new { Path = tree.PathOf(node), node.Definition, node.Condition };
        var path = tree.PathOf(node).ToList();
        path[^1] = request.Name;
        if (tree.Find(path) is { } other && other.Id != node.Id)
        {
            throw new ConflictException("The label already exists.",
                $"'{other.Name}' (node {other.Id}) already has this name, ignoring case, plurals and spaces.",
                new Dictionary<string, object?> { ["existingNodeId"] = other.Id });
        }

        node.Name = TaxonomyLabels.Tidy(request.Name);
        node.Definition = request.Definition.Trim();
        node.Condition = request.Condition.Trim();
        node.UpdatedAt = DateTimeOffset.UtcNow;

        // A rename moves the unique key of the node and of everything below it.
        foreach (var n in tree.Nodes)
        {
            n.PathKey = TaxonomyLabels.PathKey(tree.PathOf(n));
        }

        await db.SaveChangesAsync(cancellationToken);
        await AuditLog.WriteAsync(db, request.Actor, "update", "taxonomy_node", node.Id.ToString(CultureInfo.InvariantCulture),
            new { Before = before, After = new { Path = path, node.Definition, node.Condition } }, cancellationToken);
        return new TaxonomyNodeDto(node.Id, node.ParentId, node.Depth, node.Name, node.Definition, node.Condition, 0, []);
    }
}
