using Mediator;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Insights;
using OptLib.Library.Models;
using OptLib.Library.Storage;
using OptLib.Library.Validation;

namespace OptLib.Library.Learning;

/// <summary>
/// After a learning run, one lesson is one insight. Learners that run side by side can each add the same lesson
/// before either sees the other's; here every active insight changed since <paramref name="Since"/> is placed again
/// among the older ones (see <see cref="InsightMerge.ConsolidateAsync"/>): folded into one that says the same, or
/// merged with one the model calls the same lesson once the merged text re-verifies.
/// </summary>
public sealed record ConsolidateInsights(DateTimeOffset Since, string Actor) : IRequest<ConsolidationOutcome>;

public sealed record ConsolidationOutcome(int Checked, IReadOnlyList<ConsolidatedInsight> Joined, IReadOnlyDictionary<string, int> Solves,
    int PromptTokens, int CompletionTokens, IReadOnlyList<string> Notes);

/// <param name="Folded">True when the texts were the same and the older one kept its own; false for a verified merge.</param>
public sealed record ConsolidatedInsight(long Insight, long Into, bool Folded);

public sealed class ConsolidateInsightsHandler(OptLibDbContext db, InsightMerge merge, SolveVerification verification)
    : IRequestHandler<ConsolidateInsights, ConsolidationOutcome>
{
    public async ValueTask<ConsolidationOutcome> Handle(ConsolidateInsights request, CancellationToken cancellationToken)
    {
        var changed = await db.Insights.AsNoTracking().Where(i => i.Status == InsightStatus.Active && i.UpdatedAt >= request.Since)
            .OrderByDescending(i => i.Id).Select(i => i.Id).ToListAsync(cancellationToken);
        var joined = new List<ConsolidatedInsight>();
        var usage = new List<ModelUsage>();
        var notes = new List<string>();
        foreach (var id in changed)
        {
            if (await JoinAsync(id, request.Actor, usage, notes, cancellationToken) is { } into)
            {
                joined.Add(into);
            }
        }

        return new ConsolidationOutcome(changed.Count, joined, new Dictionary<string, int>(verification.Solves),
            usage.Sum(u => u.PromptTokens), usage.Sum(u => u.CompletionTokens), notes);
    }

    /// <summary>
    /// Plans the insight among the older ones; the text that would stay (the older one's for a fold, the merged one
    /// for a merge) is verified on the insight's newest source first. A plan that lost a race to another writer is
    /// made again.
    /// </summary>
    private async Task<ConsolidatedInsight?> JoinAsync(long id, string actor, List<ModelUsage> usage, List<string> notes, CancellationToken ct)
    {
        for (var race = 1; ; race++)
        {
            var insight = await db.Insights.AsNoTracking().Include(i => i.Taxonomy).SingleAsync(i => i.Id == id, ct);
            if (insight.Status != InsightStatus.Active)
            {
                return null; // folded or merged into another one already
            }

            var problem = await db.Problems.AsNoTracking().Where(p => insight.SourceProblemIds.Contains(p.Id) && p.ExpectedObjective != null)
                .OrderByDescending(p => p.Id).FirstOrDefaultAsync(ct);
            var plan = await merge.PlanAsync(id, consolidating: true, actor, usage, ct);
            if (plan.Kind == InsightMerge.PlanKind.New || (plan.Kind == InsightMerge.PlanKind.Merge && problem is null))
            {
                await merge.AbandonAsync(plan, actor, "no source problem with a known answer to verify the merged text on", ct);
                return null;
            }

            try
            {
                // Near-identical is not identical: the text that stays must still answer the problem of the one that goes.
                if (problem is not null)
                {
                    var shown = await db.Insights.AsNoTracking().Include(i => i.Taxonomy).SingleAsync(i => i.Id == plan.Shown, ct);
                    var (reached, attemptId, _) = await verification.VerdictAsync(problem, shown, "verify-merge", [.. plan.Excluded.Append(id).Distinct()], ct);
                    if (!reached)
                    {
                        await merge.AbandonAsync(plan, actor, $"the joined text did not reach the answer of problem {problem.Id} (attempt {attemptId})", ct);
                        return null;
                    }
                }

                var placed = await merge.CommitAsync(plan, problem, consolidating: true, actor, notes, ct);
                return placed is null || placed.InsightId == id ? null : new ConsolidatedInsight(id, placed.InsightId, placed.Duplicate);
            }
            catch (ConflictException) when (race < InsightMerge.MaxRaces)
            {
                db.ChangeTracker.Clear();
            }
        }
    }
}
