using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Evolution;
using OptLib.Library.Models;
using OptLib.Library.Retrieval;
using static OptLib.Tests.Learning.LearningScript;

namespace OptLib.Tests.Learning;

/// <summary>
/// A library with one planted insight, "plant hours" (HELP-TOKEN), retrieved for glass plants, where it helps, and
/// for bakery plants, where it misleads: a glass program is right only with HELP-TOKEN in its prompt, a bakery
/// program only without it. One insight is retrieved per stage, so the ranking decides.
/// </summary>
public sealed class EvolutionApp : ScriptedLibraryApp
{
    public const string Narrowed = "Applies to glass works that make doors and windows from glass panes.";

    public const string Tannery = "Applies to a tannery that dyes leather hides in vats.";

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Retrieval:UseModel"] = "false", // the lexical ranking, so the script needs no retrieval replies
        ["Pipeline:InsightsPerStage"] = "1",
        ["Evolution:UnretrievedCandidates"] = "1",
        ["Evolution:ConditionCandidates"] = "2",
    };

    protected override string Answer(ModelCall call, int n) => call.Purpose switch
    {
        "formulation" => Formulate(call),
        "program" when call.User.Contains("glass plant", StringComparison.Ordinal) => Code(call.User.Contains("HELP-TOKEN", StringComparison.Ordinal) ? Right : Wrong),
        "program" when call.User.Contains("tannery", StringComparison.Ordinal) => Code(call.User.Contains("TAN-TOKEN", StringComparison.Ordinal) ? Right : Wrong),
        "program" => Code(call.User.Contains("HELP-TOKEN", StringComparison.Ordinal) ? Wrong : Right),
        // Every retrieved insight is judged negative; one verdict names an insight that was never shown, with a
        // label that does not exist: it is skipped, and the rest of the diagnosis still counts.
        "label-usage" => JsonSerializer.Serialize(new
        {
            labels = ShownInsights(call.User).Select(i => new { id = i.Id, label = "Negative", reason = "it changed the hours" })
                .Append(new { id = 987654L, label = "harmful", reason = "no such insight" }),
        }),
        "refine-condition" when call.User.Contains("TAN-TOKEN", StringComparison.Ordinal) => JsonSerializer.Serialize(new { conditions = new[] { Tannery } }),
        "refine-condition" => JsonSerializer.Serialize(new { conditions = new[] { "When a plant makes products with limited hours per week.", Narrowed } }),
        _ => throw new InvalidOperationException($"No script for {call.Purpose}."),
    };
}

public sealed class EvolutionTests(EvolutionApp app) : IClassFixture<EvolutionApp>
{
    [Fact]
    public async Task AMisleadingInsightIsLabelledOncePerRunAndItsRefinedConditionStopsItWhereItMisleadsAndKeepsItWhereItHelps()
    {
        var planted = await app.AddActiveInsightAsync("General Formulation", "Units and Direction of the Objective",
            "When a plant makes products with limited hours per week, maximise profit.",
            "HELP-TOKEN: count the hours of each plant.");
        await app.AddActiveInsightAsync("General Formulation", "Integrality of Counts",
            "When a bakery bakes bread and cakes in ovens.", "Bread and cakes come in whole batches from each oven.");
        var glass = new[]
        {
            await app.AddProblemAsync("A glass plant makes doors and windows with limited hours per week; maximise profit.", 36, "train"),
            await app.AddProblemAsync("A glass plant makes windows and doors from glass panes with limited hours per week; maximise profit.", 36, "train"),
        };
        var bakery = new[]
        {
            await app.AddProblemAsync("A bakery plant makes bread and cakes with limited oven hours per week; maximise profit.", 36, "train"),
            await app.AddProblemAsync("A bakery plant makes cakes and bread with limited hours per week in its ovens; maximise profit.", 36, "train"),
        };
        Assert.Equal([true, true, true, true], await RetrievedForAsync(glass.Concat(bakery), planted));

        var outcomes = new List<DiagnosisOutcome>();
        foreach (var problem in glass.Concat(bakery))
        {
            outcomes.Add(await app.SendAsync(new DiagnoseProblem(problem, "run-1")));
        }

        Assert.Equal(["correct", "correct", "failed", "failed"], outcomes.Select(o => o.Result));
        Assert.All(outcomes.Take(2), o => Assert.Equal((planted, "positive"), (Assert.Single(o.Labels).InsightId, Assert.Single(o.Labels).Label)));
        Assert.All(outcomes.Skip(2), o => Assert.Contains(o.Labels, l => l.InsightId == planted && l.Label == "negative"));
        Assert.All(outcomes.Skip(2), o => Assert.Contains(o.Notes, n => n.Contains("987654", StringComparison.Ordinal)));
        var counted = await app.InsightAsync(planted);
        Assert.Equal((2, 2), (counted.Usage.Positive, counted.Usage.Negative));
        Assert.Equal(glass.Select(Text), counted.Evidence.Positive);
        Assert.Equal(bakery.Select(Text), counted.Evidence.Negative);

        var repeat = await app.SendAsync(new DiagnoseProblem(bakery[0], "run-1"));
        Assert.True(repeat.Repeated);
        Assert.Equal(2, (await app.InsightAsync(planted)).Usage.Negative);

        var refined = await app.SendAsync(new RefineInsightCondition(planted, "test"));

        Assert.Equal(("refined", 0.5, 1.0), (refined.Result, refined.CurrentScore, refined.Best!.Score));
        Assert.Equal(EvolutionApp.Narrowed, refined.Best.Condition);
        var after = await app.InsightAsync(planted);
        Assert.Equal((EvolutionApp.Narrowed, 2), (after.Condition, after.Version));
        var reason = await app.WithDbAsync(db => db.InsightVersions.Where(v => v.InsightId == planted && v.Version == 2).Select(v => v.Reason).SingleAsync());
        Assert.Contains("0.5 -> 1 over 4 labelled problems", reason, StringComparison.Ordinal);
        Assert.Equal([true, true, false, false], await RetrievedForAsync(glass.Concat(bakery), planted));

        var again = await app.SendAsync(new RefineInsightCondition(planted, "test"));
        Assert.Equal(("kept", 1.0), (again.Result, again.CurrentScore));
        Assert.Equal(2, (await app.InsightAsync(planted)).Version);
    }

    [Fact]
    public async Task AnInsightRankedJustBelowTheRetrievedOneThatFixesAProblemIsFoundAndItsRefinedConditionRetrievesIt()
    {
        var rival = await app.AddActiveInsightAsync("General Formulation", "Integrality of Counts",
            "When leather hides are tanned in vats and drums.", "Hides come in whole lots.");
        var missed = await app.AddActiveInsightAsync("General Formulation", "Binary Indicators", "When hides are dyed.", "TAN-TOKEN: dye lots are whole.");
        var problem = await app.AddProblemAsync("A tannery dyes leather hides in vats; maximise output.", 36, "train");
        Assert.Equal([false], await RetrievedForAsync([problem], missed));

        var diagnosis = await app.SendAsync(new DiagnoseProblem(problem, "run-2"));

        Assert.Equal("failed", diagnosis.Result);
        Assert.Contains(diagnosis.Labels, l => l.InsightId == rival && l.Label == "negative");
        Assert.Contains(diagnosis.Labels, l => l.InsightId == missed && l.Label == "unretrieved");
        Assert.Equal([Text(problem)], (await app.InsightAsync(missed)).Evidence.Unretrieved);

        var refined = await app.SendAsync(new RefineInsightCondition(missed, "test"));

        Assert.Equal(("refined", 0.0, 1.0, EvolutionApp.Tannery), (refined.Result, refined.CurrentScore, refined.Best!.Score, refined.Best.Condition));
        Assert.Equal([true], await RetrievedForAsync([problem], missed));
    }

    private static string Text(long id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Whether the pipeline's retrieval (one insight per stage here) picks the insight for each problem.</summary>
    private async Task<List<bool>> RetrievedForAsync(IEnumerable<long> problems, long insightId)
    {
        var retrieved = new List<bool>();
        foreach (var id in problems)
        {
            var text = await app.WithDbAsync(db => db.Problems.Where(p => p.Id == id).Select(p => p.Text).SingleAsync());
            var result = await app.SendAsync(new RetrieveInsights(text, "formulation", null, 1));
            retrieved.Add(result.Insights.Any(r => r.Insight.Id == insightId));
        }

        return retrieved;
    }
}
