using Microsoft.Extensions.Options;
using OptLib.Library.Insights;
using OptLib.Library.Models;
using OptLib.Library.Problems;
using OptLib.Library.Prompts;
using OptLib.Library.Retrieval;
using OptLib.Library.Storage;
using OptLib.Library.Taxonomy;

namespace OptLib.Library.Learning;

/// <summary>
/// Asks the advanced model what a breakthrough teaches, from the broken-to-repaired program diff, or from the failed
/// and the successful formulation and program. It is offered the labels of every stage and files each lesson where
/// it acts: under Code Implementation for the program, under the modelling stages for the formulation. The insights
/// are stored as candidates.
/// </summary>
public sealed class InsightExtraction(OptLibDbContext db, IEmbeddingProvider embeddings, IChatModel model, PromptLibrary prompts, IOptions<LearningOptions> options)
{
    private sealed record Reply(List<Drafted>? Insights);

    private sealed record Drafted(List<Label>? Labels, string? Condition, string? Explanation, string? Example);

    private sealed record Label(string? Stage, string? Level1, string? Level2);

    public async Task<List<Insight>> ExtractAsync(Problem problem, long attemptId, Breakthrough hit, string? rejected, string actor,
        List<ModelUsage> usage, List<string> notes, CancellationToken ct)
    {
        var settings = options.Value;
        var program = hit.Kind == "program";
        // Every stage's labels, whatever failed: a wrong answer can teach a program lesson (an integer model handed to
        // GLOP) as well as a formulation one, and the label decides the prompt the lesson is put in.
        var tree = await TaxonomyTree.LoadAsync(db, ct);
        var labels = tree.Nodes.Where(n => n.Depth == 2).Select(tree.PathOf)
            .Select(p => string.Join(" / ", p)).Order(StringComparer.Ordinal).ToList();
        var difference = program
            ? LineDiff.Of(hit.FailedProgram, hit.Program)
            : "Formulation:\n" + LineDiff.Of(hit.FailedFormulation, hit.Formulation) + "\nProgram:\n" + LineDiff.Of(hit.FailedProgram, hit.Program);
        var reply = await JsonReplies.AskAsync<Reply>(model, new ModelCall(ModelRole.Advanced, "You distil reusable optimization-modelling experience.",
            prompts[PromptLibrary.ExtractInsights].Render(new Dictionary<string, string>
            {
                ["kind"] = program ? "program" : "formulation and program",
                ["max"] = settings.MaxInsightsPerExtraction.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["labels"] = string.Join('\n', labels),
                ["problem"] = problem.Text,
                ["failed"] = program ? hit.FailedProgram : hit.FailedFormulation + "\n\nProgram:\n" + hit.FailedProgram,
                ["fixed"] = program ? hit.Program : hit.Formulation + "\n\nProgram:\n" + hit.Program,
                ["difference"] = difference + "\n" + hit.Feedback,
                ["rejected"] = rejected ?? string.Empty,
            }), Purpose: "extract-insights"), r => Check(r, settings.MaxInsightsPerExtraction), settings.JsonAttempts, ct);
        usage.AddRange(reply.Usage);

        // Labels first: new ones need ids before the insights can point at them.
        var fallback = program ? "Code Implementation" : "General Formulation";
        var placed = reply.Value.Insights!.Select(d => (d, Nodes: (d.Labels ?? []).DefaultIfEmpty(new Label(null, null, null))
            .Select(l => Candidates.Place(tree, l.Stage, l.Level1, l.Level2, fallback, notes)).Distinct().Take(InsightRules.MaxTaxonomyLinks).ToList())).ToList();
        await db.SaveChangesAsync(ct);
        tree.Refresh();
        var drafts = placed.Select(p => new InsightDraft(p.d.Condition!.Trim(), p.d.Explanation!.Trim(), p.d.Example?.Trim() ?? string.Empty,
            p.Nodes.Select(n => n.Id).ToList())).ToList();
        return await Candidates.CreateAsync(db, embeddings, drafts, [problem.Id], [attemptId], actor,
            $"extracted from attempt {attemptId} of problem {problem.Id} ({hit.Kind} failure)", ct);
    }

    private static string? Check(Reply reply, int max)
    {
        if (reply.Insights is not { Count: > 0 } insights)
        {
            return "\"insights\" must hold at least one insight";
        }

        if (insights.Count > max)
        {
            return $"give at most {max} insights";
        }

        var problems = insights.SelectMany((d, i) => InsightRules.Validate(d.Condition ?? string.Empty, d.Explanation ?? string.Empty, d.Example ?? string.Empty, [0])
            .Select(e => $"insight {i + 1}: {e.Error}")).ToList();
        return problems.Count == 0 ? null : string.Join(' ', problems);
    }
}
