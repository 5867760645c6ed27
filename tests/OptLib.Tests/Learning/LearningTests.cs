using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Access;
using OptLib.Library.Attempts;
using OptLib.Library.Evolution;
using OptLib.Library.Insights;
using OptLib.Library.Learning;
using OptLib.Library.Models;
using System.Net.Http.Json;
using OptLib.Library.Comparison;
using OptLib.Library.Evaluation;
using OptLib.Library.Jobs;
using OptLib.Tests.Jobs;
using OptLib.Tests.Snapshots;
using static OptLib.Tests.Learning.LearningScript;


namespace OptLib.Tests.Learning;

/// <summary>
/// Three families of problems, each with its own lesson, in any order. A glass-plant program is right only when the prompt holds
/// GLASS-RULE; a kiln program compiles only when it holds KILN-RULE; a bakery program is right only with
/// BAKERY-RULE, which the scripted extraction never writes, so its insights can never verify.
/// </summary>
public sealed class LearningApp : ScriptedLibraryApp
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Retrieval:UseModel"] = "false", // the lexical ranking, so the script needs no retrieval replies
        ["Pipeline:MaxDebugRounds"] = "1",
        ["Worker:InProcess"] = "true",
        ["Learning:MaxExtractions"] = "2",
    };

    protected override string Answer(ModelCall call, int n) => call.Purpose switch
    {
        "formulation" => Formulate(call),
        "program" => Family(call.User) switch
        {
            "glass" => Code(call.User.Contains("GLASS-RULE", StringComparison.Ordinal) ? Right : Wrong),
            "kiln" => Code(call.User.Contains("KILN-RULE", StringComparison.Ordinal) ? Right : Broken),
            "foundry" => Code(call.User.Contains("FOUNDRY-RULE", StringComparison.Ordinal) ? Right : Wrong),
            "mill" => Code(call.User.Contains("MILL-RULE", StringComparison.Ordinal) ? Right : Wrong),
            _ => Code(call.User.Contains("BAKERY-RULE", StringComparison.Ordinal) ? Right : Wrong),
        },
        var p when p.StartsWith("self-debug", StringComparison.Ordinal) => Code(Broken),
        var p when p.StartsWith("diagnose-repair", StringComparison.Ordinal) => "Diagnosis: the statement that hands the solver over lacks its semicolon.\n" + Code(Right),
        // The first try on the first glass problem writes the answer in; the harness must reject it.
        "self-explore 1" when call.User.Contains("order one", StringComparison.Ordinal) => "Formulation: profit fixed.\n" + Code(HardCoded),
        var p when p.StartsWith("self-explore", StringComparison.Ordinal) => "Formulation: the assembly plant has 18 hours, not 20.\n" + Code(Right),
        "extract-insights" => Extract(call.User),
        "merge-decision" => JsonSerializer.Serialize(new
        {
            mergeWith = IdsAfter(call.User, "Existing insights:")[0],
            condition = "When a glass plant's products share the hours of its assembly plant.",
            explanation = "GLASS-RULE: give the assembly plant its 18 hours, and write one row per plant.",
            example = "3 d + 2 w <= 18, not 20.",
            reason = "the same lesson",
        }),
        _ => throw new InvalidOperationException($"No script for {call.Purpose}."),
    };

    /// <summary>By words of the problems only: prompts also carry insights learned from other families.</summary>
    private static string Family(string prompt) =>
        prompt.Contains("glass plant (order", StringComparison.Ordinal) ? "glass"
        : prompt.Contains("kiln works", StringComparison.Ordinal) ? "kiln"
        : prompt.Contains("foundry works", StringComparison.Ordinal) ? "foundry"
        : prompt.Contains("paper mill works", StringComparison.Ordinal) ? "mill"
        : "bakery";

    private static string Extract(string prompt) => Family(prompt) switch
    {
        "glass" when prompt.Contains("order one", StringComparison.Ordinal) => Insights(
            [new { stage = "General Formulation", level1 = "Constraints", level2 = "Capacity Rows" }],
            "When products share the hours of several plants.", "GLASS-RULE: the assembly plant has 18 hours; one row per plant."),
        // The same lesson, labelled in other spellings and with one more label.
        "glass" => Insights(
            [new { stage = "general formulations", level1 = "constraint", level2 = "capacity row" }, new { stage = "Domain Modeling", level1 = "production and inventory", level2 = "inventory balances over time" }],
            "When a glass plant's hours are shared.", "GLASS-RULE: count 18 assembly hours."),
        "foundry" => Insights(
            [new { stage = "General Formulation", level1 = "Constraints", level2 = "Casting Hours" }],
            "When a foundry casts several products.", "FOUNDRY-RULE: the assembly plant has 18 hours."),
        "mill" => Insights(
            [new { stage = "General Formulation", level1 = "Constraints", level2 = "Mill Hours" }],
            "When a paper mill works makes several products.", "MILL-RULE: the assembly plant has 18 hours."),
        "kiln" => Insights(
            [new { stage = "Code Implementation", level1 = "LinearSolver", level2 = "Statement Terminators" }],
            "When a C# statement hands the model to the context.", "KILN-RULE: end ctx.Use(solver) with a semicolon."),
        _ => Insights(
            [new { stage = "General Formulation", level1 = "Objective", level2 = "Units and Direction of the Objective" }],
            "When ovens bake bread.", "Bake bread in batches."),
    };

    private static string Insights(object[] labels, string condition, string explanation) =>
        JsonSerializer.Serialize(new { insights = new[] { new { labels, condition, explanation, example = "wrong: 20; right: 18" } } });
}

public sealed class LearningTests(LearningApp app) : IClassFixture<LearningApp>
{
    [Fact]
    public async Task LearningOnTrainProblemsAddsAVerifiedActiveInsightMergesTheSecondLessonAndRaisesHeldOutAccuracy()
    {
        var train = new[]
        {
            await app.AddProblemAsync("A glass plant (order one) makes doors and windows with limited plant hours; maximise profit.", 36, "train"),
            await app.AddProblemAsync("A glass plant (order two) makes doors and windows in three plants; maximise the weekly profit.", 36, "train"),
        };
        var heldOut = new[]
        {
            await app.AddProblemAsync("A glass plant (order three) sells doors and windows; plant hours are limited; maximise profit.", 36, "test"),
            await app.AddProblemAsync("A glass plant (order four) schedules doors and windows over three plants for most profit.", 36, "test"),
        };
        var before = await AccuracyAsync(heldOut);
        var failed = new List<Attempt>();
        foreach (var id in train)
        {
            failed.Add(await app.SolveAsync(id));
        }

        Assert.All(failed, a => Assert.True(a.Status == AttemptStatus.WrongAnswer && a.QueuedForLearning));

        var first = await app.SendAsync(new LearnFromAttempt(failed[0].Id, "test"));
        Assert.Equal(("formulation", "learned", 1, 1, 1, 0), (first.Kind, first.Result, first.Extracted, first.Verified, first.Added, first.Merged));
        Assert.Equal(1.0, first.VerifyRate);
        var learned = await app.InsightAsync(Assert.Single(first.InsightIds));
        Assert.Equal((InsightStatus.Active, Candidates.LearnedSource), (learned.Status, learned.Origin.Source));
        Assert.Contains("GLASS-RULE", learned.Explanation, StringComparison.Ordinal);
        Assert.Equal([train[0]], learned.SourceProblemIds);
        Assert.Equal("Capacity Rows", Assert.Single(learned.Taxonomy).Name);
        var explored = app.Model.Calls.Where(c => c.Purpose == "self-explore 2" && c.User.Contains("order one", StringComparison.Ordinal)).ToList();
        Assert.Contains("rejected: the source holds the expected objective 36", Assert.Single(explored).User, StringComparison.Ordinal);

        var second = await app.SendAsync(new LearnFromAttempt(failed[1].Id, "test"));
        Assert.Equal(("learned", 1, 0, 1), (second.Result, second.Verified, second.Added, second.Merged));
        Assert.Equal([learned.Id], second.InsightIds);
        var merged = await app.InsightAsync(learned.Id);
        Assert.Equal(["Capacity Rows", "Inventory Balance Over Time"], merged.Taxonomy.Select(t => t.Name).Order());
        Assert.Equal(train, merged.SourceProblemIds.Order());
        Assert.Equal(3, merged.Version);
        Assert.Equal(1, await app.WithDbAsync(db => db.TaxonomyNodes.CountAsync(n => n.Name == "Capacity Rows")));
        var reasons = await app.WithDbAsync(db => db.InsightVersions.Where(v => v.InsightId == learned.Id).OrderBy(v => v.Version).Select(v => v.Reason).ToListAsync());
        Assert.StartsWith("merged with learned candidate", reasons[2], StringComparison.Ordinal);
        Assert.Contains($"re-verified on problems {train[0]}, {train[1]}", reasons[2], StringComparison.Ordinal);
        var learnedFromSecond = await app.WithDbAsync(db => db.Insights.Where(i => i.SourceAttemptIds.Contains(failed[1].Id) && i.Id != learned.Id).Select(i => i.Status).ToListAsync());
        Assert.All(learnedFromSecond, s => Assert.Equal(InsightStatus.Retired, s)); // the candidate and the merge draft

        var after = await AccuracyAsync(heldOut);
        Assert.Equal((0, 2), (before, after));
        Assert.False(await app.WithDbAsync(db => db.Attempts.AnyAsync(a => train.Contains(a.ProblemId) && a.QueuedForLearning)));
    }

    [Fact]
    public async Task AnInsightThatNeverVerifiesIsDiscardedAfterEveryExtraction()
    {
        var problem = await app.AddProblemAsync("A bakery bakes bread and cakes in two ovens; maximise profit.", 36, "train");
        var attempt = await app.SolveAsync(problem);

        var outcome = await app.SendAsync(new LearnFromAttempt(attempt.Id, "test"));

        Assert.Equal(("nothing-verified", 2, 0, 2, 0.0), (outcome.Result, outcome.Extracted, outcome.Verified, outcome.Discarded, outcome.VerifyRate));
        Assert.Empty(outcome.InsightIds);
        var extracted = await app.WithDbAsync(db => db.Insights.Where(i => i.SourceAttemptIds.Contains(attempt.Id)).ToListAsync());
        Assert.Equal(2, extracted.Count);
        Assert.All(extracted, i => Assert.Equal(InsightStatus.Retired, i.Status));
        var second = app.Model.Calls.Where(c => c.Purpose == "extract-insights" && c.User.Contains("bakery", StringComparison.Ordinal)).Last();
        Assert.Contains("Bake bread in batches", second.User[second.User.IndexOf("were tried", StringComparison.Ordinal)..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AProgramFailureIsRepairedAndItsCodeLessonVerifiedAndARepeatAddsNothing()
    {
        var problem = await app.AddProblemAsync("A kiln works fires doors and windows; maximise profit.", 36, "train");
        var attempt = await app.SolveAsync(problem);
        Assert.Equal(AttemptStatus.ProgramFailed, attempt.Status);

        var outcome = await app.SendAsync(new LearnFromAttempt(attempt.Id, "test"));

        Assert.Equal(("program", "learned", 1), (outcome.Kind, outcome.Result, outcome.Added));
        var insight = await app.InsightAsync(Assert.Single(outcome.InsightIds));
        Assert.Contains("KILN-RULE", insight.Explanation, StringComparison.Ordinal);
        Assert.Equal("Code Implementation", await app.WithDbAsync(db => db.TaxonomyNodes.Where(n => n.Id == insight.Taxonomy[0].ParentId).Select(n => n.Parent!.Name).SingleAsync()));
        var extraction = app.Model.Calls.Last(c => c.Purpose == "extract-insights" && c.User.Contains("kiln", StringComparison.Ordinal));
        Assert.Contains("- ctx.Use(solver)\n+ ctx.Use(solver);", extraction.User.Replace("        ", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);

        var count = await app.WithDbAsync(db => db.Insights.CountAsync());
        var calls = app.Model.Calls.Count;
        var repeat = await app.SendAsync(new LearnFromAttempt(attempt.Id, "test"));
        Assert.True(repeat.Repeated);
        Assert.Equal(outcome.InsightIds, repeat.InsightIds);
        Assert.Equal(count, await app.WithDbAsync(db => db.Insights.CountAsync()));
        Assert.Equal(calls, app.Model.Calls.Count);
    }

    [Fact]
    public async Task TheLearningAndEvolutionJobsRunOverADatasetAndReportWhatTheyDid()
    {
        var problem = await app.AddProblemAsync("A foundry works casts doors and windows; maximise profit.", 36, "train", dataset: "foundry");
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));

        var learning = await analyst.WaitForEndAsync((await analyst.StartAsync(LearningKind.KindName, new { dataset = "foundry", iterations = 2 })).Id, 300);

        Assert.Equal("succeeded", learning.State);
        var metrics = learning.Metrics!.Value;
        Assert.Equal((1, 1, 1.0), (metrics.GetProperty("insightsAdded").GetInt32(), metrics.GetProperty("verified").GetInt32(), metrics.GetProperty("verifyRate").GetDouble()));
        var iterations = metrics.GetProperty("iterations").EnumerateArray().Select(i => (i.GetProperty("solved").GetInt32(), i.GetProperty("correct").GetInt32(), i.GetProperty("learnedFrom").GetInt32())).ToList();
        Assert.Equal([(1, 0, 1), (1, 1, 0)], iterations); // the second iteration re-solves the problem with what the first learned
        Assert.Contains("Verify rate 100%", learning.Report, StringComparison.Ordinal);

        var evolution = await analyst.WaitForEndAsync((await analyst.StartAsync(EvolutionKind.KindName, new { dataset = "foundry" })).Id, 300);

        Assert.Equal("succeeded", evolution.State);
        var evolved = evolution.Metrics!.Value;
        Assert.Equal((1, 1), (evolved.GetProperty("diagnosed").GetInt32(), evolved.GetProperty("correct").GetInt32()));
        var learned = await app.WithDbAsync(db => db.Insights.SingleAsync(i => i.SourceProblemIds.Contains(problem) && i.Status == InsightStatus.Active));
        Assert.Contains(problem.ToString(System.Globalization.CultureInfo.InvariantCulture), learned.Evidence.Positive);
        Assert.True(evolved.GetProperty("labels").GetProperty("positive").GetInt32() >= 1);
    }

    /// <summary>Issue #16's "done when": snapshot the library, learn, snapshot again, and compare on the test split.</summary>
    [Fact]
    public async Task ASnapshotBeforeLearningAndOneAfterAreComparedOnTheTestSplit()
    {
        await app.AddProblemAsync("A paper mill works makes doors and windows; maximise profit.", 36, "train", dataset: "mill");
        var test = new[]
        {
            await app.AddProblemAsync("A paper mill works (line one) sells doors and windows; maximise profit.", 36, "test", dataset: "mill"),
            await app.AddProblemAsync("A paper mill works (line two) plans doors and windows for most profit.", 36, "test", dataset: "mill"),
        };
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var before = await analyst.TakeSnapshotAsync("mill: before learning");

        var learning = await analyst.WaitForEndAsync((await analyst.StartAsync(LearningKind.KindName, new { dataset = "mill", iterations = 1 })).Id, 300);
        Assert.True(learning.State == "succeeded", $"{learning.State}: {learning.Error}");
        Assert.Equal(1, learning.Metrics!.Value.GetProperty("insightsAdded").GetInt32());
        var after = await analyst.TakeSnapshotAsync("mill: after learning");

        var comparison = await analyst.WaitForEndAsync((await analyst.StartAsync("comparison",
            new { dataset = "mill", split = "test", baseline = before.Id, candidate = after.Id })).Id, 300);

        Assert.True(comparison.State == "succeeded", $"{comparison.State}: {comparison.Error}");
        var m = comparison.Metrics!.Value.Deserialize<ComparisonMetrics>(JobContext.Json)!;
        Assert.Equal((0, 2, 0.0), (m.Baseline.Correct, m.Baseline.Total, m.Baseline.Accuracy));
        Assert.Equal((2, 2, 1.0), (m.Candidate.Correct, m.Candidate.Total, m.Candidate.Accuracy));
        Assert.Equal(new ComparisonPairs(0, 0, 2, 0), m.Pairs);
        Assert.Equal(0.5, m.PValue, 6); // two discordant pairs, both the candidate's: 2 x 0.5^2
        var results = await analyst.GetFromJsonAsync<JobResultPage>($"/api/jobs/{comparison.Id}/results");
        Assert.Equal(test.Order(), results!.Items.Select(r => r.ProblemId).Order());
        Assert.All(results.Items, row => Assert.Equal([("baseline", "wrongAnswer"), ("candidate", "correct")], row.Runs.Select(r => (r.Side, r.Verdict))));
    }

    private async Task<int> AccuracyAsync(IEnumerable<long> problems)
    {
        var correct = 0;
        foreach (var id in problems)
        {
            correct += (await app.SolveAsync(id)).Status == AttemptStatus.Correct ? 1 : 0;
        }

        return correct;
    }
}
