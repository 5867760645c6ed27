using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Access;
using OptLib.Library.Models;
using OptLib.Library.Retrieval;
using OptLib.Library.Taxonomy;
using OptLib.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OptLib.Tests.Library;

/// <summary>The scripted model with the configured window (Retrieval:ApplicabilityCandidates) left at its default.</summary>
public sealed class JudgedRetrievalApp : ModelRetrievalApp
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>();
}

/// <summary>
/// What retrieval can reach with a perfect judge, measured on AlphaOPT's own labels (reference data): each insight's
/// <c>distribution</c> says for which training tasks it helped (positive or unretrieved) and for which it misled
/// (negative). Each labelled task is retrieved at its insight's stage (k = 6) with a scripted model that labels the
/// problem with the helpful insights' taxonomy labels and says "applies" for exactly the helpful insights. What it
/// checks is the retrieval around the model: that the helpful insights reach the judge and the prompt, within budget.
/// </summary>
public sealed partial class JudgedRetrievalTests(JudgedRetrievalApp app, ITestOutputHelper output) : IClassFixture<JudgedRetrievalApp>
{
    private const int K = 6;

    [ReferenceDataFact]
    public async Task APerfectJudgePutsTheHelpfulInsightsInTheTopSixWithinTheTokenBudget()
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var import = await analyst.PostAsync("/api/library/import", new StringContent(LibraryFiles.AlphaOpt.ImportBody(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, import.StatusCode);

        // Our ids and "level 1 / level 2" labels of AlphaOPT's insights, and the stage each is retrieved at.
        var imported = await app.WithDbAsync(async db =>
        {
            var tree = await TaxonomyTree.LoadAsync(db, CancellationToken.None);
            var insights = await db.Insights.AsNoTracking().Include(i => i.Taxonomy).ToListAsync();
            return insights.ToDictionary(i => i.Origin.ExternalId!, i => (i.Id, Labels: i.Taxonomy.Select(n => tree.PathOf(n)).ToList()));
        });

        var pairs = Pairs(imported.ToDictionary(i => i.Key, i => i.Value.Labels[0][0] == "Code Implementation" ? "program" : "formulation"));
        var tasks = Directory.GetFiles(Path.Combine(ReferenceData.AlphaOpt, "tasks"), "*.json")
            .SelectMany(f => JsonNode.Parse(File.ReadAllText(f))!.AsArray())
            .ToDictionary(t => t!["task_id"]!.GetValue<string>(), t => t!["description"]!.GetValue<string>());

        int helpfulFound = 0, misleadingFound = 0;
        var (tokens, judged) = (new List<int>(), new List<int>());
        foreach (var query in pairs.GroupBy(p => (p.Task, p.Stage)).OrderBy(g => g.Key.Task, StringComparer.Ordinal).ThenBy(g => g.Key.Stage, StringComparer.Ordinal))
        {
            var helpful = query.Where(p => p.Helpful).Select(p => imported[p.Insight].Id).ToHashSet();
            var labels = query.Where(p => p.Helpful).SelectMany(p => imported[p.Insight].Labels).Select(l => $"{l[1]} / {l[2]}").Distinct().ToList();
            app.Script = call => call.Purpose switch
            {
                "retrieval labels" => "{\"labels\": [" + string.Join(", ", labels.Select(l => $"\"{l}\"")) + "]}",
                "retrieval applicability" => Verdicts(call, helpful),
                _ => throw new InvalidOperationException($"unexpected call {call.Purpose}"),
            };

            var result = await LibraryCalls.RetrieveAsync(app, tasks[query.Key.Task], query.Key.Stage, K);

            var top = result.Insights.Select(r => r.Insight.Id).ToHashSet();
            var found = query.Where(p => top.Contains(imported[p.Insight].Id)).ToList();
            helpfulFound += found.Count(p => p.Helpful);
            misleadingFound += found.Count(p => !p.Helpful);
            tokens.Add(result.Prompts!.Sum(p => p.Tokens));
            judged.Add(result.Prompts!.Single(p => p.Purpose == "applicability").Shown);
            var missed = query.Where(p => p.Helpful && !top.Contains(imported[p.Insight].Id)).Select(p => p.Insight).ToList();
            if (missed.Count > 0)
            {
                output.WriteLine($"{query.Key.Task} {query.Key.Stage}: missed {string.Join(", ", missed)} of {helpful.Count} helpful; prompts {string.Join(" + ", result.Prompts!.Select(p => $"{p.Tokens} ({p.Shown} shown)"))}");
            }
        }

        var (helpfulPairs, misleadingPairs) = (pairs.Count(p => p.Helpful), pairs.Count(p => !p.Helpful));
        var (helpfulAt6, misleadingAt6) = ((double)helpfulFound / helpfulPairs, (double)misleadingFound / misleadingPairs);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{tokens.Count} retrievals: helpful in top {K} {helpfulFound}/{helpfulPairs} = {helpfulAt6:F3}, misleading {misleadingFound}/{misleadingPairs} = {misleadingAt6:F3}; prompt tokens per retrieval mean {tokens.Average():F0}, max {tokens.Max()}; candidates judged {judged.Min()} to {judged.Max()}, mean {judged.Average():F0}"));

        Assert.True(helpfulAt6 >= 0.95, $"helpful in top {K}: {helpfulAt6:F3}");
        Assert.True(misleadingAt6 <= 0.05, $"misleading in top {K}: {misleadingAt6:F3}");
        Assert.True(tokens.Max() <= 2500, $"a retrieval's prompts took {tokens.Max()} o200k tokens");
    }

    private sealed record Pair(string Task, string Insight, string Stage, bool Helpful);

    /// <summary>
    /// The labelled (task, insight) pairs: helpful when the task is among the insight's positive or unretrieved tasks,
    /// misleading when it is only among its negative ones. AlphaOPT labels 6 pairs both ways; a perfect judge says
    /// "applies" to them, so they count as helpful.
    /// </summary>
    private static List<Pair> Pairs(Dictionary<string, string> stages) => LibraryFiles.AlphaOpt.Library()
        .SelectMany(e =>
        {
            var id = e!["insight_id"]!.ToString();
            var d = e["distribution"]!;
            HashSet<string> Tasks(string label) => d[label]!.AsArray().Select(t => t!.GetValue<string>()).ToHashSet();
            var helpful = Tasks("positive").Union(Tasks("unretrieved")).ToHashSet();
            return helpful.Select(t => new Pair(t, id, stages[id], true))
                .Concat(Tasks("negative").Except(helpful).Select(t => new Pair(t, id, stages[id], false)));
        })
        .ToList();

    private static string Verdicts(ModelCall call, HashSet<long> helpful) =>
        "{\"verdicts\": [" + string.Join(", ", ItemIds().Matches(call.User).Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))
            .Select(id => $$"""{"id": {{id}}, "applies": {{(helpful.Contains(id) ? "true" : "false")}}, "reason": "scripted"}""")) + "]}";

    [GeneratedRegex(@"^\[(\d+)\] ", RegexOptions.Multiline)]
    private static partial Regex ItemIds();
}
