using OptLib.Library.Prompts;

namespace OptLib.Tests.Models;

public sealed class PromptLibraryTests
{
    private readonly PromptLibrary _prompts = new();

    [Fact]
    public void ThePromptsAreThereEachWithAVersion()
    {
        Assert.Equal(
            [PromptLibrary.Applicability, PromptLibrary.DiagnoseRepair, PromptLibrary.ExtractInsights, PromptLibrary.Formulation, PromptLibrary.LabelUsage,
             PromptLibrary.MergeDecision, PromptLibrary.Program, PromptLibrary.RefineCondition, PromptLibrary.SelfDebug, PromptLibrary.SelfExplore, PromptLibrary.TaxonomyLabels, PromptLibrary.WhatIf],
            _prompts.All.Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.All(_prompts.All, p => Assert.True(p.Version >= 1));
        Assert.Equal("formulation@3", _prompts[PromptLibrary.Formulation].Id);
    }

    [Fact]
    public void RenderingFillsEveryPlaceholderAndRefusesToLeaveOneOpen()
    {
        var formulation = _prompts[PromptLibrary.Formulation];
        Assert.Equal(["insights", "problem", "tables"], formulation.Placeholders.Order(StringComparer.Ordinal));

        var text = formulation.Render(new Dictionary<string, string>
        {
            ["insights"] = "[I7] When budgets cap spending, add one row.",
            ["problem"] = "A bakery makes bread and cake.",
            ["tables"] = string.Empty,
        });
        Assert.Contains("[I7] When budgets cap spending", text, StringComparison.Ordinal);
        Assert.Contains("A bakery makes bread and cake.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("{{", text, StringComparison.Ordinal);
        Assert.DoesNotContain("version:", text, StringComparison.Ordinal);

        var error = Assert.Throws<ArgumentException>(() => formulation.Render(new Dictionary<string, string> { ["problem"] = "x" }));
        Assert.Contains("insights", error.Message, StringComparison.Ordinal);
    }
}
