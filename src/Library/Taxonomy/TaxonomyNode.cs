namespace OptLib.Library.Taxonomy;

/// <summary>One node of the three-level taxonomy: a stage (depth 0), a level-1 label (1) or a level-2 label (2).</summary>
public sealed class TaxonomyNode
{
    public long Id { get; set; }

    public long? ParentId { get; set; }

    public TaxonomyNode? Parent { get; set; }

    public List<TaxonomyNode> Children { get; set; } = [];

    public int Depth { get; set; }

    public required string Name { get; set; }

    /// <summary>The normalised path (stage/level1/level2) that makes a node unique whatever its spelling.</summary>
    public required string PathKey { get; set; }

    public string Definition { get; set; } = string.Empty;

    public string Condition { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
