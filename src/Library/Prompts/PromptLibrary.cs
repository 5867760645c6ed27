using System.Reflection;

namespace OptLib.Library.Prompts;

/// <summary>The prompts, read once from the assembly's embedded template files.</summary>
public sealed class PromptLibrary
{
    public const string Formulation = "formulation";
    public const string Program = "program";
    public const string SelfDebug = "self-debug";
    public const string TaxonomyLabels = "taxonomy-labels";
    public const string Applicability = "applicability";
    public const string DiagnoseRepair = "diagnose-repair";
    public const string SelfExplore = "self-explore";
    public const string ExtractInsights = "extract-insights";
    public const string MergeDecision = "merge-decision";
    public const string LabelUsage = "label-usage";
    public const string RefineCondition = "refine-condition";
    public const string WhatIf = "what-if";

    private readonly Dictionary<string, PromptTemplate> _templates;

    public PromptLibrary()
    {
        var assembly = typeof(PromptLibrary).Assembly;
        _templates = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("OptLib.Prompts.", StringComparison.Ordinal))
            .Select(n =>
            {
                using var reader = new StreamReader(assembly.GetManifestResourceStream(n)!);
                return PromptTemplate.Parse(reader.ReadToEnd());
            })
            .ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    public IReadOnlyCollection<PromptTemplate> All => _templates.Values;

    public PromptTemplate this[string name] => _templates.TryGetValue(name, out var template)
        ? template
        : throw new KeyNotFoundException($"There is no prompt named '{name}'.");
}
