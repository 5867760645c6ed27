using System.Globalization;
using Mediator;
using OptLib.Library.Audit;
using OptLib.Library.Storage;
using OptLib.Library.Validation;

namespace OptLib.Library.Taxonomy;

/// <summary>Adds a stage (no parent), a level-1 label under a stage, or a level-2 label under a level-1 label.</summary>
public sealed record CreateTaxonomyNode(long? ParentId, string Name, string Definition, string Condition, string Actor)
    : IRequest<TaxonomyNodeDto?>, IValidatable
{
    public IEnumerable<(string Field, string Error)> Validate() => TaxonomyNodeRules.Validate(Name, Definition, Condition);
}

public sealed class CreateTaxonomyNodeHandler(OptLibDbContext db) : IRequestHandler<CreateTaxonomyNode, TaxonomyNodeDto?>
{
    /// <returns>null when the parent does not exist.</returns>
    public async ValueTask<TaxonomyNodeDto?> Handle(CreateTaxonomyNode request, CancellationToken cancellationToken)
    {
        var tree = await TaxonomyTree.LoadAsync(db, cancellationToken);
        List<string> path = [];
        if (request.ParentId is { } parentId)
        {
            if (tree.Find(parentId) is not { } parent)
            {
                throw ValidationFailedException.For(nameof(request.ParentId), $"There is no taxonomy node {parentId}.");
            }

            if (parent.Depth >= 2)
            {
                throw ValidationFailedException.For(nameof(request.ParentId), "Level-2 labels are leaves; a node can be added under a stage or a level-1 label only.");
            }

            path.AddRange(tree.PathOf(parent));
        }

        path.Add(request.Name);
        if (tree.Find(path) is { } existing)
        {
            throw new ConflictException("The label already exists.",
                $"'{existing.Name}' (node {existing.Id}) already has this name, ignoring case, plurals and spaces.",
                new Dictionary<string, object?> { ["existingNodeId"] = existing.Id });
        }

        var (node, _) = tree.Ensure(path, request.Definition.Trim(), request.Condition.Trim());
        await db.SaveChangesAsync(cancellationToken);
        await AuditLog.WriteAsync(db, request.Actor, "create", "taxonomy_node", node.Id.ToString(CultureInfo.InvariantCulture),
            new { Path = path, node.Definition, node.Condition }, cancellationToken);
        return new TaxonomyNodeDto(node.Id, node.ParentId, node.Depth, node.Name, node.Definition, node.Condition, 0, []);
    }
}

internal static class TaxonomyNodeRules
{
    public const int MaxName = 200;
    public const int MaxText = 4000;

    public static IEnumerable<(string Field, string Error)> Validate(string name, string definition, string condition)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            yield return ("Name", "A taxonomy label needs a name.");
        }
        else if (name.Length > MaxName)
        {
            yield return ("Name", $"The name is longer than {MaxName} characters.");
        }
        else if (name.Contains(TaxonomyLabels.Separator, StringComparison.Ordinal))
        {
            yield return ("Name", $"The name may not contain '{TaxonomyLabels.Separator}'.");
        }

        if (definition.Length > MaxText)
        {
            yield return ("Definition", $"The definition is longer than {MaxText} characters.");
        }

        if (condition.Length > MaxText)
        {
            yield return ("Condition", $"The condition is longer than {MaxText} characters.");
        }
    }
}
