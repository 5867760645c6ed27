using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using OptLib.Library.Access;
using OptLib.Tests.Infrastructure;

namespace OptLib.Tests.Library;

/// <summary>A library over the full-text bound of 100 matches (the lowest Retrieval:MaxTextMatches allows).</summary>
public sealed class BoundedTextApp : OptLibApp
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Retrieval:MaxTextMatches"] = "100" };
}

/// <summary>
/// Full-text search keeps a problem's rarest words once the library is larger than Retrieval:MaxTextMatches, as many
/// as match about that many insights; below the bound it keeps them all (the rest of the retrieval tests).
/// </summary>
public sealed class TextQueryTests(BoundedTextApp app) : IClassFixture<BoundedTextApp>
{
    private const int Common = 115;
    private const int Rare = 5;

    [Fact]
    public async Task OverTheBoundOnlyTheProblemsRareWordsAreSearched()
    {
        // First 60 insights, under the bound: every word is searched, and the library's size is noted with the
        // frequencies. Then an import takes it to 120 within the frequencies' lifetime: the size moved past the bound,
        // so they are estimated again at once.
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        await ImportAsync(analyst, Enumerable.Range(Rare, 60));
        const string problem = "An airline plans its zeppelin fleet and must keep the total spending within its budget.";
        var small = await LibraryCalls.RetrieveAsync(app, problem, "formulation", 50);
        Assert.Equal(50, small.Insights.Count(r => r.TextRank is not null)); // "budget" is searched: every insight matches

        // 120 insights: all of them speak of a budget, and 5 also of zeppelins.
        await ImportAsync(analyst, Enumerable.Range(0, Common + Rare));
        var result = await LibraryCalls.RetrieveAsync(app, problem, "formulation", 50);

        // "budget" is in all 120 insights, over the bound of 100, so only "zeppelin" (and words no insight has) is searched.
        var byText = result.Insights.Where(r => r.TextRank is not null).ToList();
        Assert.Equal(Rare, byText.Count);
        Assert.All(byText, r => Assert.Contains("zeppelin", r.Insight.Condition, StringComparison.Ordinal));
        Assert.Equal(Common + Rare, result.Candidates); // the kNN list still brings the others
    }

    private static async Task ImportAsync(HttpClient analyst, IEnumerable<int> insights)
    {
        var library = new JsonArray();
        foreach (var i in insights)
        {
            var subject = i < Rare ? "zeppelin hangar slots" : $"warehouse shelf {i}";
            library.Add(new JsonObject
            {
                ["insight_id"] = i + 1,
                ["taxonomy"] = new JsonObject { ["Domain Modeling"] = new JsonObject { ["Resource Allocation"] = new JsonArray("Budget Limit") } },
                ["condition"] = $"Applies when the spending on {subject} must stay within a budget.",
                ["explanation"] = $"Sum the cost of every chosen option for the {subject} and bound it by the budget.",
                ["example"] = "sum(cost[i] * x[i]) <= budget",
            });
        }

        var taxonomy = new JsonObject
        {
            ["Domain Modeling"] = new JsonObject
            {
                ["Resource Allocation"] = new JsonObject
                {
                    ["Budget Limit"] = new JsonObject { ["definition"] = "A cap on total spending.", ["condition"] = "Spending is capped." },
                },
            },
        };
        var import = await analyst.PostAsync("/api/library/import",
            new StringContent(new JsonObject { ["library"] = library, ["taxonomy"] = taxonomy }.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, import.StatusCode);
    }
}
