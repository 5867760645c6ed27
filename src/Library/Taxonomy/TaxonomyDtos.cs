namespace OptLib.Library.Taxonomy;

/// <summary>A node of the tree with the number of non-retired insights filed under it (distinct, for inner nodes).</summary>
public sealed record TaxonomyNodeDto(long Id, long? ParentId, int Depth, string Name, string Definition, string Condition, int InsightCount, IReadOnlyList<TaxonomyNodeDto> Children);
