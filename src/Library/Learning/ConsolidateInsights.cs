using Mediator;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Insights;
using OptLib.Library.Models;
using OptLib.Library.Storage;

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
            var insight = await db.Insights.AsNoTracking().Where(i => i.Id == id).Select(i => new { i.Status, i.SourceProblemIds }).SingleAsync(cancellationToken);
            if (insight.Status != InsightStatus.Active)
            {
                continue; // folded or merged into another one already
            }

            var problem = await db.Problems.AsNoTracking().Where(p => insight.SourceProblemIds.Contains(p.Id) && p.ExpectedObjective != null)
                .OrderByDescending(p => p.Id).FirstOrDefaultAsync(cancellationToken);
            var placed = await merge.ConsolidateAsync(id, problem, request.Actor, usage, notes, cancellationToken);
            if (placed.InsightId != id)
            {
                joined.Add(new ConsolidatedInsight(id, placed.InsightId, placed.Duplicate));
            }
        }

        return new ConsolidationOutcome(changed.Count, joined, new Dictionary<string, int>(verification.Solves),
            usage.Sum(u => u.PromptTokens), usage.Sum(u => u.CompletionTokens), notes);
    }
}
