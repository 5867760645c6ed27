using System.Globalization;
using System.Text;
using System.Text.Json;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OptLib.Library.Learning;
using OptLib.Library.Models;
using OptLib.Library.Prompts;
using OptLib.Library.Retrieval;
using OptLib.Library.Solving;
using OptLib.Library.Storage;
using OptLib.Library.Validation;

namespace OptLib.Library.Evolution;

/// <summary>
/// Library evolution, phase 1, for one problem: solve it against the current library and judge each retrieved
/// insight. On a correct attempt the insights it cites are positive. On a failed one the model labels every retrieved
/// insight (positive, invalid, negative, irrelevant), and the insights ranked just below the retrieved ones are
/// tried one at a time: one that makes the problem reach its answer is "unretrieved". Counters and evidence (problem
/// ids) are updated once per run tag, with the record of the diagnosis, in one transaction.
/// </summary>
public sealed record DiagnoseProblem(long ProblemId, string RunTag, long? JobId = null) : IRequest<DiagnosisOutcome>, IValidatable
{
    public IEnumerable<(string Field, string Error)> Validate()
    {
        if (string.IsNullOrWhiteSpace(RunTag) || RunTag.Length > 100 || RunTag.Contains('|', StringComparison.Ordinal))
        {
            yield return (nameof(RunTag), "The run tag names the evolution run: 1 to 100 characters, without '|'.");
        }
    }
}

public sealed record InsightLabel(long InsightId, string Label, string Reason);

/// <param name="Result">correct, failed, skipped, or (for a repeat) what the first diagnosis recorded.</param>
public sealed record DiagnosisOutcome(long ProblemId, string RunTag, string Result, long? AttemptId, IReadOnlyList<InsightLabel> Labels,
    IReadOnlyList<string> Notes, bool Repeated = false);

public sealed class DiagnoseProblemHandler(
    OptLibDbContext db,
    ISender sender,
    IChatModel model,
    PromptLibrary prompts,
    SolveVerification verification,
    IOptions<PipelineOptions> pipeline,
    IOptions<EvolutionOptions> options,
    IOptions<LearningOptions> learning) : IRequestHandler<DiagnoseProblem, DiagnosisOutcome>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private sealed record Reply(List<Verdict>? Labels);

    private sealed record Verdict(long Id, string? Label, string? Reason);

    public async ValueTask<DiagnosisOutcome> Handle(DiagnoseProblem request, CancellationToken cancellationToken)
    {
        var key = $"{request.RunTag.Trim()}|{request.ProblemId}";
        if (await db.Set<LearningRecord>().AsNoTracking().FirstOrDefaultAsync(r => r.Kind == LearningRecord.DiagnosisKind && r.Key == key, cancellationToken) is { } done)
        {
            return done.Outcome.Deserialize<DiagnosisOutcome>(Json)! with { Repeated = true };
        }

        var problem = await db.Problems.AsNoTracking().FirstOrDefaultAsync(p => p.Id == request.ProblemId, cancellationToken);
        if (problem?.ExpectedObjective is null)
        {
            return new DiagnosisOutcome(request.ProblemId, request.RunTag, "skipped", null, [],
                [problem is null ? $"problem {request.ProblemId} does not exist" : "the problem has no expected objective to judge by"]);
        }

        var notes = new List<string>();
        var (reached, attemptId) = await verification.RunAsync(problem, $"diagnose {request.RunTag}", [], [], cancellationToken);
        var attempt = await db.Attempts.AsNoTracking().SingleAsync(a => a.Id == attemptId, cancellationToken);
        var retrieved = RetrievalRecord.RetrievedIds(attempt.RetrievedInsights);
        var labels = new List<InsightLabel>();
        if (reached)
        {
            var cited = RetrievalRecord.Cited(attempt.Formulation + "\n" + attempt.Program);
            labels.AddRange(retrieved.Where(cited.Contains).Select(id => new InsightLabel(id, Labels.Positive, "cited by an attempt that reached the answer")));
        }
        else
        {
            if (retrieved.Count > 0)
            {
                labels.AddRange(await LabelAsync(problem, attempt, retrieved, notes, cancellationToken));
            }

            labels.AddRange(await UnretrievedAsync(problem, attempt, retrieved, request.RunTag, notes, cancellationToken));
        }

        var outcome = new DiagnosisOutcome(problem.Id, request.RunTag, reached ? "correct" : "failed", attempt.Id, labels, notes);
        await RecordAsync(request, key, outcome, cancellationToken);
        return outcome;
    }

    /// <summary>
    /// The model's label for each retrieved insight. An entry for an insight that was not retrieved, or with a label
    /// outside the four, is noted and skipped; the others still count (AlphaOPT dropped the whole diagnosis).
    /// </summary>
    private async Task<List<InsightLabel>> LabelAsync(Problems.Problem problem, Attempts.Attempt attempt, List<long> retrieved, List<string> notes, CancellationToken ct)
    {
        var insights = await db.Insights.AsNoTracking().Where(i => retrieved.Contains(i.Id)).ToListAsync(ct);
        var listing = new StringBuilder();
        foreach (var insight in insights.OrderBy(i => retrieved.IndexOf(i.Id)))
        {
            listing.Append("[I").Append(insight.Id).Append("] Condition: ").AppendLine(insight.Condition)
                .Append("    Explanation: ").AppendLine(insight.Explanation);
        }

        var reply = await JsonReplies.AskAsync<Reply>(model, new ModelCall(ModelRole.Advanced, "You diagnose how modelling experience was used.",
            prompts[PromptLibrary.LabelUsage].Render(new Dictionary<string, string>
            {
                ["expected"] = problem.ExpectedObjective!.Value.ToString(CultureInfo.InvariantCulture),
                ["outcome"] = attempt.Objective is { } o ? $"{o.ToString(CultureInfo.InvariantCulture)} ({attempt.Status})" : attempt.Status.ToString(),
                ["insights"] = listing.ToString(),
                ["problem"] = problem.Text,
                ["formulation"] = attempt.Formulation ?? "(none)",
                ["program"] = attempt.Program ?? "(none)",
            }), Purpose: "label-usage"), r => r.Labels is null ? "\"labels\" must be an array" : null, learning.Value.JsonAttempts, ct);

        var labels = new List<InsightLabel>();
        foreach (var verdict in reply.Value.Labels!)
        {
            var label = verdict.Label?.Trim().ToLowerInvariant();
            if (!retrieved.Contains(verdict.Id))
            {
                notes.Add($"the model labelled insight {verdict.Id}, which was not retrieved; ignored");
            }
            else if (label is null || !Labels.ForRetrieved.Contains(label))
            {
                notes.Add($"the model's label '{verdict.Label}' for insight {verdict.Id} is not one of {string.Join(", ", Labels.ForRetrieved)}; ignored");
            }
            else if (labels.All(l => l.InsightId != verdict.Id))
            {
                labels.Add(new InsightLabel(verdict.Id, label, verdict.Reason ?? string.Empty));
            }
        }

        return labels;
    }

    /// <summary>Insights ranked just below the retrieved ones, each tried alone: those that fix the problem were missed.</summary>
    private async Task<List<InsightLabel>> UnretrievedAsync(Problems.Problem problem, Attempts.Attempt attempt, List<long> retrieved, string runTag, List<string> notes, CancellationToken ct)
    {
        var want = options.Value.UnretrievedCandidates;
        if (want == 0)
        {
            return [];
        }

        var k = Math.Min(RetrieveInsights.MaxK, Math.Max(pipeline.Value.InsightsPerStage, 1) + want);
        var ranked = (await sender.Send(new RetrieveInsights(problem.Text, "formulation", null, k), ct)).Insights
            .Concat((await sender.Send(new RetrieveInsights(problem.Text, "program", attempt.Formulation, k), ct)).Insights)
            .Select(r => r.Insight.Id).Where(id => !retrieved.Contains(id)).Distinct().Take(want).ToList();
        var labels = new List<InsightLabel>();
        foreach (var id in ranked)
        {
            var (reached, attemptId) = await verification.RunAsync(problem, $"diagnose {runTag} unretrieved", [id], [], ct);
            notes.Add($"re-run with unretrieved insight {id}: {(reached ? "reached the answer" : "still missed")} (attempt {attemptId})");
            if (reached)
            {
                labels.Add(new InsightLabel(id, Labels.Unretrieved, $"problem reached its answer with it (attempt {attemptId})"));
            }
        }

        return labels;
    }

    private async Task RecordAsync(DiagnoseProblem request, string key, DiagnosisOutcome outcome, CancellationToken ct)
    {
        var ids = outcome.Labels.Select(l => l.InsightId).Distinct().ToList();
        var evidence = outcome.ProblemId.ToString(CultureInfo.InvariantCulture);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var insights = await db.Insights.Where(i => ids.Contains(i.Id)).ToDictionaryAsync(i => i.Id, ct);
        foreach (var label in outcome.Labels)
        {
            if (insights.TryGetValue(label.InsightId, out var insight))
            {
                Labels.Count(insight.Usage, label.Label);
                var list = RetrievalRecord.Of(insight.Evidence, label.Label);
                if (!list.Contains(evidence))
                {
                    list.Add(evidence);
                }
            }
        }

        db.Set<LearningRecord>().Add(new LearningRecord
        {
            Kind = LearningRecord.DiagnosisKind,
            Key = key,
            JobId = request.JobId,
            Outcome = JsonSerializer.SerializeToDocument(outcome, Json),
            CreatedAt = DateTimeOffset.UtcNow,
        });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
    }
}
