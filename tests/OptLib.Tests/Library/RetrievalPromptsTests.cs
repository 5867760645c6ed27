using OptLib.Library.Prompts;
using OptLib.Library.Retrieval;

namespace OptLib.Tests.Library;

/// <summary>The bounded retrieval prompts on their own: no database, no model.</summary>
public sealed class RetrievalPromptsTests
{
    private static readonly PromptLibrary Prompts = new();

    private static readonly RetrievalPrompts.Label[] Labels =
    [
        new(1, "General Formulation", "Capacity/Resource Balance", "Knapsack Constraints"),
        new(2, "General Formulation", "Routing", "Subtour Elimination Constraints"),
        new(3, "Domain Modeling", "Routing", "Subtour Elimination Constraints"),
        new(4, "Domain Modeling", "Network Flow", "Flow Conservation"),
    ];

    [Theory]
    [InlineData("Capacity/Resource Balance / Knapsack Constraints", new long[] { 1 })]
    [InlineData("  capacity / resource balances/knapsack constraint ", new long[] { 1 })]
    [InlineData("GENERAL FORMULATION / Routing / Subtour Elimination Constraint", new long[] { 2 })]
    [InlineData("Routing / Subtour Elimination Constraints", new long[] { 2, 3 })]
    [InlineData("flow conservations", new long[] { 4 })]
    [InlineData("Flow / Conservation", new long[0])]
    [InlineData("Knapsack", new long[0])]
    public void ChosenLabelsAreMatchedIgnoringCasePluralsAndSlashSpacing(string chosen, long[] expected) =>
        Assert.Equal(expected, RetrievalPrompts.Match([chosen], Labels).Order());

    [Fact]
    public void ALongConditionIsCutToItsTokenCapAndAShortOneIsLeftAlone()
    {
        var options = new RetrievalOptions { MaxConditionTokens = 20 };
        var prompts = new RetrievalPrompts(Prompts, options);
        var longCondition = string.Join(' ', Enumerable.Repeat("when each truck leaves the depot", 40));

        var prompt = prompts.Applicability("formulation", "A problem.", [new(7, longCondition), new(8, "When items have weights.")], options.PromptTokenBudget);

        var lines = prompt.Text.Split('\n');
        var cut = lines.Single(l => l.StartsWith("[7] ", StringComparison.Ordinal));
        Assert.EndsWith(" …", cut, StringComparison.Ordinal);
        Assert.InRange(PromptTokens.Count(cut["[7] ".Length..]), 15, 21);
        Assert.Contains("[8] When items have weights.", lines);
        Assert.Equal(2, prompt.Shown);
        Assert.Equal(PromptTokens.Count(prompt.Text), prompt.Tokens);
    }

    [Fact]
    public void ALongConditionKeepsItsExclusionsWhereverTheyStand()
    {
        var options = new RetrievalOptions { MaxConditionTokens = 60 };
        var prompts = new RetrievalPrompts(Prompts, options);
        var filler = string.Join(' ', Enumerable.Repeat("Applies when a weekly quota limits how much each plant may ship in a period.", 20));
        var closing = filler + " Does not apply when the limit is a hard cap in total.";
        var opening = "It doesn't apply to a cap over the whole horizon. " + filler;

        var prompt = prompts.Applicability("formulation", "A problem.", [new(7, closing), new(8, opening), new(9, filler)], options.PromptTokenBudget);

        var lines = prompt.Text.Split('\n');
        var seven = lines.Single(l => l.StartsWith("[7] ", StringComparison.Ordinal));
        var eight = lines.Single(l => l.StartsWith("[8] ", StringComparison.Ordinal));
        var nine = lines.Single(l => l.StartsWith("[9] ", StringComparison.Ordinal));
        Assert.EndsWith("Does not apply when the limit is a hard cap in total.", seven, StringComparison.Ordinal);
        Assert.StartsWith("[8] Applies when a weekly quota", eight, StringComparison.Ordinal);
        Assert.EndsWith("It doesn't apply to a cap over the whole horizon.", eight, StringComparison.Ordinal);
        Assert.EndsWith(" …", nine, StringComparison.Ordinal);
        Assert.All(new[] { seven, eight, nine }, l => Assert.InRange(PromptTokens.Count(l[4..]), 30, 61));
    }

    [Fact]
    public void ALabelListOverTheBudgetKeepsTheLabelsGivenFirstAndFits()
    {
        var options = new RetrievalOptions { PromptTokenBudget = 700, MaxProblemTokens = 100, MaxConditionTokens = 16 };
        var prompts = new RetrievalPrompts(Prompts, options);
        var many = Enumerable.Range(1, 400)
            .Select(i => new RetrievalPrompts.Label(i, "General Formulation", $"Family {i / 10}", $"Label number {i} of many"))
            .ToList();

        var prompt = prompts.Labelling("formulation", "A problem.", many);

        Assert.InRange(prompt.Tokens, 1, 350); // half the budget: the applicability prompt gets the rest
        Assert.InRange(prompt.Shown, 10, 399);
        Assert.Contains($"Label number {prompt.Shown} of many", prompt.Text, StringComparison.Ordinal);
        Assert.DoesNotContain($"Label number {prompt.Shown + 1} of many", prompt.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void ADigestDropsExamplesAndBoilerplateAndKeepsTheExclusion()
    {
        const string condition =
            "This insight applies when the problem domain requires selecting items that consume a single scalar capacity such as weight, volume, or budget. " +
            "For example, when the problem statement required determining the least expensive way to meet nutritional requirements, it implies a budget constraint.\n" +
            "This insight applies when the problem involves constraints that can be naturally modeled as capacity limits or budgetary restrictions.\n" +
            "This insight does NOT apply when the problem involves probabilistic constraints.";

        var digest = RetrievalPrompts.ForJudge(condition, 30);

        Assert.InRange(PromptTokens.Count(digest), 20, 30);
        Assert.StartsWith("applies when the problem domain requires selecting items", digest, StringComparison.Ordinal);
        Assert.EndsWith("does NOT apply when the problem involves probabilistic constraints.", digest, StringComparison.Ordinal);
        Assert.DoesNotContain("For example", digest, StringComparison.Ordinal);
        Assert.DoesNotContain("This insight", digest, StringComparison.Ordinal);
    }

    [Fact]
    public void TheApplicabilityPromptJudgesAsManyCandidatesAsFitItsBudget()
    {
        var options = new RetrievalOptions();
        var prompts = new RetrievalPrompts(Prompts, options);
        var candidates = Enumerable.Range(1, 200)
            .Select(i => new RetrievalPrompts.Candidate(i, $"Applies when plant {i} ships a weekly quota of goods to its depots and the quota binds in every week of the horizon, not only in total."))
            .ToList();

        var wide = prompts.Applicability("formulation", "A problem.", candidates, 2000);
        var narrow = prompts.Applicability("formulation", "A problem.", candidates, 1000);

        Assert.InRange(wide.Tokens, 1800, 2000);
        Assert.InRange(narrow.Tokens, 800, 1000);
        Assert.InRange(wide.Shown, narrow.Shown * 2, options.ApplicabilityCandidates); // the window widens with the budget
        Assert.Contains($"[{wide.Shown}] ", wide.Text, StringComparison.Ordinal);
        Assert.DoesNotContain($"[{wide.Shown + 1}] ", wide.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void ABudgetTooSmallForTheFixedPartsIsRefused()
    {
        var options = new RetrievalOptions { PromptTokenBudget = 1000, MaxProblemTokens = 900 };
        var errors = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).ToList();
        Assert.Contains(errors, e => e.ErrorMessage!.Contains("Retrieval:PromptTokenBudget", StringComparison.Ordinal));
        Assert.Empty(new RetrievalOptions().Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)));
    }
}
