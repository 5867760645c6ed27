using System.Globalization;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OptLib.Library.Access;
using OptLib.Library.Insights;
using OptLib.Library.Models;
using OptLib.Library.Retrieval;
using OptLib.Library.Taxonomy;
using OptLib.Tests.Infrastructure;
using OptLib.Tests.Models;
using Xunit.Abstractions;

namespace OptLib.Tests.Library;

/// <summary>
/// The service with a scripted model at our seam, so retrieval runs its model-backed stage. It judges at most 12
/// candidates: the fixture library is small, and its tests need candidates below the judged window.
/// </summary>
public class ModelRetrievalApp : OptLibApp
{
    /// <summary>What the model answers; a test sets it before it retrieves (tests of a class run one at a time).</summary>
    public Func<ModelCall, string> Script { get; set; } = ModelRetrievalTests.AllApply;

    public ScriptedChatModel Model { get; }

    public ModelRetrievalApp() => Model = new ScriptedChatModel((call, _) => Script(call));

    // Lexical: the 2,000 synthetic insights of the prompt-size test are word salad written to compete by their words,
    // embedded in a second by hashing and in minutes by a sentence model; this class tests the model stage.
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Retrieval:ApplicabilityCandidates"] = "12",
        ["Embeddings:Provider"] = "lexical",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<IChatModel>(Model));
    }
}

public sealed partial class ModelRetrievalTests(ModelRetrievalApp app, ITestOutputHelper output) : IClassFixture<ModelRetrievalApp>
{
    private const string RoutingProblem =
        "A courier company sends three vans from its depot to deliver parcels to twelve shops. Each shop is visited " +
        "exactly once, every van returns to the depot, and the total distance driven must be as short as possible.";

    /// <summary>No labels; every judged condition holds, with a reason naming its id.</summary>
    public static string AllApply(ModelCall call) => call.Purpose switch
    {
        "retrieval labels" => """{"labels": []}""",
        "retrieval applicability" => Verdicts(call, _ => true),
        _ => throw new InvalidOperationException($"unexpected call {call.Purpose}"),
    };

    [Fact]
    public async Task VerdictsAndReasonsAreAppliedAndRecorded()
    {
        await ImportAsync();
        HashSet<long> refused = [];
        app.Script = call =>
        {
            if (call.Purpose != "retrieval applicability")
            {
                return AllApply(call);
            }

            refused = AskedIds(call).Take(2).ToHashSet(); // the two best fused candidates do not apply
            return Verdicts(call, id => !refused.Contains(id));
        };

        var result = await RetrieveAsync(RoutingProblem, "formulation", 5);

        var asked = AskedIds(app.Model.Calls.Last(c => c.Purpose == "retrieval applicability")).ToList();
        Assert.Equal(12, asked.Count); // Retrieval:ApplicabilityCandidates
        Assert.Equal(2, refused.Count);
        Assert.Equal(asked.Where(id => !refused.Contains(id)).Take(5), result.Insights.Select(r => r.Insight.Id));
        Assert.All(result.Insights, r =>
        {
            Assert.True(r.ModelApplies);
            Assert.Equal($"condition {r.Insight.Id} holds", r.ModelReason);
        });
        Assert.Equal(Enumerable.Range(1, 5), result.Insights.Select(r => r.Rank));

        var rejected = result.Rejected!;
        Assert.Equal(refused.Order(), rejected.Select(r => r.Insight.Id).Order());
        Assert.All(rejected, r => Assert.False(r.ModelApplies));
        Assert.All(rejected, r => Assert.Equal($"condition {r.Insight.Id} does not hold", r.ModelReason));
        Assert.Equal([1, 2], rejected.Select(r => r.Rank)); // their places in the fused ranking

        Assert.Equal(["retrieval labels", "retrieval applicability"], result.Usage!.Select(u => u.Purpose));
        Assert.Contains(result.Notes!, n => n.Contains("2 do not", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WhenTheModelRefusesAllButOneOfTheJudgedNoUnjudgedCandidateFillsTheList()
    {
        await ImportAsync();
        long kept = 0;
        app.Script = call =>
        {
            if (call.Purpose != "retrieval applicability")
            {
                return AllApply(call);
            }

            kept = AskedIds(call).Last();
            return Verdicts(call, id => id == kept);
        };

        var result = await RetrieveAsync(RoutingProblem, "formulation", 5);

        Assert.True(result.Candidates > 12, $"only {result.Candidates} candidates: the test needs unjudged ones below the window");
        Assert.Equal([kept], result.Insights.Select(r => r.Insight.Id));
        Assert.True(result.Insights[0].ModelApplies);
        Assert.Equal(11, result.Rejected!.Count);
    }

    [Fact]
    public async Task AChosenLabelBoostsItsInsightsIntoTheTopK()
    {
        await ImportAsync();
        app.Script = AllApply;
        var plain = await RetrieveAsync(RoutingProblem, "formulation", 5);
        Assert.All(plain.Insights, r => Assert.Null(r.LabelRank));

        // A formulation label with insights, none of them in the plain top 5, written as a model might write it.
        using var viewer = app.ClientWithKey(await app.CreateKeyAsync(Role.Viewer));
        var tree = (await viewer.GetFromJsonAsync<List<TaxonomyNodeDto>>("/api/taxonomy"))!;
        var shown = plain.Insights.SelectMany(r => r.Insight.Taxonomy).Select(t => t.NodeId).ToHashSet();
        var (stage, level1, level2) = tree.Where(s => s.Name is "Domain Modeling" or "General Formulation")
            .SelectMany(s => s.Children.SelectMany(l1 => l1.Children.Select(l2 => (Stage: s.Name, Level1: l1.Name, Level2: l2))))
            .First(p => p.Level2.InsightCount >= 2 && !shown.Contains(p.Level2.Id) && !p.Level2.Name.EndsWith("ss", StringComparison.Ordinal));
        var messy = $"  {level1.ToUpperInvariant()}/ {Plural(level2.Name)} ";
        app.Script = call => call.Purpose == "retrieval labels" ? $$"""{"labels": ["{{messy}}", "no such label"]}""" : AllApply(call);

        var boosted = await RetrieveAsync(RoutingProblem, "formulation", 5);

        output.WriteLine($"chose '{messy}': {string.Join(", ", plain.Insights.Select(r => r.Insight.Id))} -> {string.Join(", ", boosted.Insights.Select(r => r.Insight.Id))}");
        Assert.Equal([$"{stage} / {level1} / {level2.Name}"], boosted.Labels);
        Assert.Contains(boosted.Insights, r => r.LabelRank is not null && r.Insight.Taxonomy.Any(t => t.NodeId == level2.Id));
        Assert.NotEqual(plain.Insights.Select(r => r.Insight.Id), boosted.Insights.Select(r => r.Insight.Id));
        Assert.All(boosted.Insights.Where(r => r.LabelRank is not null), r => Assert.Contains(r.Insight.Taxonomy, t => t.NodeId == level2.Id));
    }

    [Fact]
    public async Task AFailingOrGarbageModelLeavesTheLexicalRankingWithANote()
    {
        await ImportAsync();
        app.Script = call => call.Purpose == "retrieval labels"
            ? throw new ModelCallFailedException("The model endpoint failed (HTTP 503).")
            : "Sure! Here are my verdicts: the first applies.";

        var result = await RetrieveAsync(RoutingProblem, "formulation", 5);

        Assert.Equal(5, result.Insights.Count);
        Assert.All(result.Insights, r => Assert.Null(r.ModelApplies));
        Assert.Empty(result.Rejected!);
        Assert.Null(result.Labels);
        Assert.Contains(result.Notes!, n => n.StartsWith("Taxonomy labelling failed", StringComparison.Ordinal) && n.Contains("HTTP 503", StringComparison.Ordinal));
        Assert.Contains(result.Notes!, n => n.StartsWith("The applicability check failed, so the lexical ranking stands", StringComparison.Ordinal));
        Assert.Equal(2, result.Usage!.Count(u => u.Purpose == "retrieval applicability")); // Retrieval:MaxAttempts, the re-ask included

        // The same order as with a model that agrees with everything: nothing was half-applied.
        app.Script = AllApply;
        var agreed = await RetrieveAsync(RoutingProblem, "formulation", 5);
        Assert.Equal(agreed.Insights.Select(r => r.Insight.Id), result.Insights.Select(r => r.Insight.Id));
    }

    [Fact]
    public async Task PromptsStayWithinTheBudgetAndAboutTheSameSizeAsTheLibraryGrows()
    {
        await ImportAsync();
        app.Script = AllApply;
        const string problem = "A factory plans monthly production with machine hours, inventory carried between months and demand to meet; " +
            "minimise production and holding cost.";
        var small = await RetrieveAsync(problem, "formulation", 8);

        var added = await AddSyntheticInsightsAsync(2000);
        var large = await RetrieveAsync(problem, "formulation", 8);

        var (labelsSmall, labelsLarge) = (Tokens(small, "taxonomy labels"), Tokens(large, "taxonomy labels"));
        var (judgeSmall, judgeLarge) = (Tokens(small, "applicability"), Tokens(large, "applicability"));
        output.WriteLine($"{small.Candidates} -> {large.Candidates} candidates after adding {added}: labelling {labelsSmall} -> {labelsLarge} tokens, applicability {judgeSmall} -> {judgeLarge}");
        Assert.All(new[] { labelsSmall, labelsLarge, judgeSmall, judgeLarge }, t => Assert.True(t >= 100, $"{t} tokens"));
        Assert.All(new[] { labelsSmall + judgeSmall, labelsLarge + judgeLarge }, t => Assert.InRange(t, 200, 2500)); // Retrieval:PromptTokenBudget, for both together
        Assert.Equal(labelsSmall, labelsLarge); // the same labels, whatever the number of insights
        Assert.InRange(judgeLarge, judgeSmall * 0.7, judgeSmall * 1.5);
        Assert.Contains(large.Insights, r => r.Insight.CreatedBy == "synthetic"); // the new insights did compete

        // The recorded sizes are the o200k counts of what was sent, and long conditions were digested to their cap.
        var sent = app.Model.Calls.Last(c => c.Purpose == "retrieval applicability");
        Assert.Equal(judgeLarge, PromptTokens.Count(sent.User));
        Assert.Contains(" …", sent.User, StringComparison.Ordinal);
        Assert.All(ItemLines().Matches(sent.User), m => Assert.InRange(PromptTokens.Count(m.Groups[2].Value), 1, 31)); // Retrieval:MaxConditionTokens
    }

    private static string Verdicts(ModelCall call, Func<long, bool> applies) =>
        "{\"verdicts\": [" + string.Join(", ", AskedIds(call).Select(id => applies(id)
            ? $$"""{"id": {{id}}, "applies": true, "reason": "condition {{id}} holds"}"""
            : $$"""{"id": {{id}}, "applies": false, "reason": "condition {{id}} does not hold"}""")) + "]}";

    private static IEnumerable<long> AskedIds(ModelCall call) =>
        ItemLines().Matches(call.User).Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));

    [GeneratedRegex(@"^\[(\d+)\] (.*)$", RegexOptions.Multiline)]
    private static partial Regex ItemLines();

    /// <summary>The other number of the label's last word, as a model might write it.</summary>
    private static string Plural(string label) => label switch
    {
        _ when label.EndsWith("ies", StringComparison.Ordinal) => label[..^3] + "y",
        _ when label.EndsWith('s') => label[..^1],
        _ when label.EndsWith('y') => label[..^1] + "ies",
        _ => label + "s",
    };

    private static int Tokens(RetrievalResult result, string purpose) => result.Prompts!.Single(p => p.Purpose == purpose).Tokens;

    /// <summary>
    /// Synthetic insights over a production-planning vocabulary, so they compete for the candidate window, about as
    /// long as the fixture library's conditions and AlphaOPT's (30 to 80 words), one in ten far longer (300 words) to meet the per-condition cap.
    /// </summary>
    private Task<int> AddSyntheticInsightsAsync(int count) => app.WithDbAsync(async db =>
    {
        string[] words =
        [
            "production", "month", "inventory", "holding", "cost", "machine", "hours", "demand", "capacity", "period",
            "balance", "stock", "setup", "plan", "factory", "shift", "backlog", "carry", "minimise", "units",
        ];
        var random = new Random(7);
        var leaves = db.TaxonomyNodes.Where(n => n.Depth == 2).ToList();
        // Small saves: PGlite is one session, and a long transaction would keep its health check waiting.
        for (var done = 0; done < count; done += 100)
        {
            for (var i = done; i < Math.Min(count, done + 100); i++)
            {
                var length = i % 10 == 0 ? 300 : random.Next(30, 81);
                var condition = "Applies when " + string.Join(' ', Enumerable.Range(0, length).Select(_ => words[random.Next(words.Length)]));
                var insight = new Insight
                {
                    Status = InsightStatus.Active,
                    Version = 1,
                    Condition = condition,
                    Explanation = "Write one balance row per period.",
                    Taxonomy = [leaves[random.Next(leaves.Count)]],
                    CreatedBy = "synthetic",
                    UpdatedBy = "synthetic",
                    CreatedAt = DateTimeOffset.UtcNow,
                    UpdatedAt = DateTimeOffset.UtcNow,
                };
                await app.Embeddings.EmbedAsync(insight, CancellationToken.None);
                db.Insights.Add(insight);
            }

            await db.SaveChangesAsync();
        }

        return count;
    });

    private Task<RetrievalResult> RetrieveAsync(string problem, string stage, int k) => LibraryCalls.RetrieveAsync(app, problem, stage, k);

    private Task ImportAsync() => LibraryCalls.ImportFixtureOnceAsync(app);
}
