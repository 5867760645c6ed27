using System.Globalization;
using System.Text.Json;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using OptLib.Library.Attempts;
using OptLib.Library.Insights;
using OptLib.Library.Models;
using OptLib.Library.Storage;
using OptLib.Library.Validation;

namespace OptLib.Library.Learning;

/// <summary>
/// Library learning over one failed attempt whose answer is known: find a program that reaches the answer (repair a
/// program failure, self-explore a wrong formulation), extract insights from the difference, keep only those that
/// make the problem reach its answer when re-solved with them, and merge or add those. Idempotent: a finished
/// attempt is recorded, and a retry returns that record; a retry after an interruption neither re-adds what the
/// first run added nor keeps the candidates it left unverified.
/// </summary>
public sealed record LearnFromAttempt(long AttemptId, string Actor, long? JobId = null) : IRequest<LearningOutcome>, IValidatable
{
    public IEnumerable<(string Field, string Error)> Validate()
    {
        if (string.IsNullOrWhiteSpace(Actor))
        {
            yield return (nameof(Actor), "Name who or what is learning.");
        }
    }
}

/// <param name="Kind">"program", "formulation" or "none".</param>
/// <param name="Result">learned, nothing-verified, no-fix-found, skipped, resumed, or (for a retry) what the first run recorded.</param>
/// <param name="VerifyRate">Verified over extracted, null when nothing was extracted.</param>
/// <param name="Solves">Pipeline solves it spent, by purpose ("verify" for the candidates, "verify-merge" for merged texts).</param>
public sealed record LearningOutcome(
    long AttemptId,
    string Kind,
    string Result,
    int Extracted,
    int Verified,
    int Discarded,
    int Added,
    int Merged,
    IReadOnlyList<long> InsightIds,
    double? VerifyRate,
    int PromptTokens,
    int CompletionTokens,
    IReadOnlyList<string> Notes,
    bool Repeated = false,
    IReadOnlyDictionary<string, int>? Solves = null);

public sealed class LearnFromAttemptHandler(
    OptLibDbContext db,
    ProgramRepair repair,
    SelfExplore explore,
    InsightExtraction extraction,
    SolveVerification verification,
    InsightMerge merge,
    Microsoft.Extensions.Options.IOptions<LearningOptions> options,
    ILogger<LearnFromAttemptHandler> logger) : IRequestHandler<LearnFromAttempt, LearningOutcome>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async ValueTask<LearningOutcome> Handle(LearnFromAttempt request, CancellationToken cancellationToken)
    {
        var key = request.AttemptId.ToString(CultureInfo.InvariantCulture);
        if (await db.Set<LearningRecord>().AsNoTracking().FirstOrDefaultAsync(r => r.Kind == LearningRecord.AttemptKind && r.Key == key, cancellationToken) is { } done)
        {
            return done.Outcome.Deserialize<LearningOutcome>(Json)! with { Repeated = true };
        }

        var notes = new List<string>();
        var usage = new List<ModelUsage>();
        var attempt = await db.Attempts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == request.AttemptId, cancellationToken);
        var problem = attempt is null ? null : await db.Problems.AsNoTracking().FirstAsync(p => p.Id == attempt.ProblemId, cancellationToken);
        if (attempt is null || problem is null)
        {
            return Outcome(request.AttemptId, "none", "skipped", [], [], [], 0, usage, [$"attempt {request.AttemptId} does not exist"]);
        }

        if (!attempt.QueuedForLearning || problem.ExpectedObjective is null || attempt.Status is not (AttemptStatus.ProgramFailed or AttemptStatus.WrongAnswer))
        {
            return await FinishAsync(request, problem.Id, Outcome(attempt.Id, "none", "skipped", [], [], [], 0, usage,
                [$"attempt {attempt.Id} is {attempt.Status} and {(attempt.QueuedForLearning ? "queued" : "not queued")} for learning; learning needs a program failure or a wrong answer with a known objective"]), cancellationToken);
        }

        // An earlier run of this item was interrupted: what it added stays, what it left unverified goes.
        var earlier = await Candidates.FromAttempt(db, attempt.Id).AsNoTracking().Select(i => new { i.Id, i.Origin.Source }).ToListAsync(cancellationToken);
        foreach (var leftover in earlier.Where(e => e.Source == Candidates.CandidateSource))
        {
            await Candidates.RetireAsync(db, leftover.Id, request.Actor, "abandoned: the learning run that extracted it was interrupted before it was verified", cancellationToken);
        }

        var kept = earlier.Where(e => e.Source != Candidates.CandidateSource).Select(e => e.Id).ToList();
        if (kept.Count > 0)
        {
            return await FinishAsync(request, problem.Id, Outcome(attempt.Id, "none", "resumed", [], [], [], 0, usage,
                [$"an interrupted run had already put insights {string.Join(", ", kept)} in the library"]) with { InsightIds = kept }, cancellationToken);
        }

        var kind = attempt.Status == AttemptStatus.ProgramFailed ? "program" : "formulation";
        var hit = kind == "program"
            ? await repair.RepairAsync(problem, attempt, usage, cancellationToken)
            : await explore.ExploreAsync(problem, await FailedAttemptsAsync(attempt, cancellationToken), usage, cancellationToken);
        if (hit is null)
        {
            return await FinishAsync(request, problem.Id, Outcome(attempt.Id, kind, "no-fix-found", [], [], [], 0, usage,
                [$"no {(kind == "program" ? "repair" : "explored program")} reached the expected objective"]), cancellationToken);
        }

        // One verification solve per extraction: each candidate is first planned (folded into a neighbour that says
        // the same, merged with one the model calls the same lesson, or new), and what the plans would put in the
        // library is verified together, each text at the stage it is filed under. A round that reaches the answer is
        // committed; one that misses retires its candidates and asks again.
        var verified = new List<long>();
        var discarded = new List<long>();
        var placed = new List<InsightMerge.Placement>();
        var extracted = 0;
        string? rejected = null;
        for (var round = 1; round <= options.Value.MaxExtractions && verified.Count == 0; round++)
        {
            var candidates = await extraction.ExtractAsync(problem, attempt.Id, hit, rejected, request.Actor, usage, notes, cancellationToken);
            extracted += candidates.Count;
            var plans = new List<InsightMerge.Plan>();
            foreach (var candidate in candidates)
            {
                plans.Add(await merge.PlanAsync(candidate.Id, consolidating: false, request.Actor, usage, cancellationToken));
            }

            var (reached, verifyAttempt) = await VerifyAsync(problem, plans, cancellationToken);
            if (!reached && plans.Any(p => p.Kind != InsightMerge.PlanKind.New))
            {
                foreach (var plan in plans)
                {
                    await merge.AbandonAsync(plan, request.Actor, $"problem {problem.Id} missed its answer with it (attempt {verifyAttempt}); the candidates are tried as they are", cancellationToken);
                }

                notes.Add($"the planned {Describe(plans)} missed (attempt {verifyAttempt}); trying the candidates as they are");
                plans = candidates.Select(c => Alone(c.Id)).ToList();
                (reached, verifyAttempt) = await VerifyAsync(problem, plans, cancellationToken);
            }

            notes.Add($"{Describe(plans)} {(reached ? "verified" : "did not verify")} (attempt {verifyAttempt})");
            if (reached)
            {
                verified.AddRange(candidates.Select(c => c.Id));
                foreach (var plan in plans)
                {
                    if (await PlaceAsync(plan, problem, request.Actor, usage, notes, cancellationToken) is { } placement)
                    {
                        placed.Add(placement);
                    }
                    else
                    {
                        await Candidates.RetireAsync(db, plan.CandidateId, request.Actor, $"discarded: problem {problem.Id} did not reach its expected objective with it on its own", cancellationToken);
                        discarded.Add(plan.CandidateId);
                    }
                }

                break;
            }

            foreach (var candidate in candidates)
            {
                await Candidates.RetireAsync(db, candidate.Id, request.Actor,
                    $"discarded: problem {problem.Id} did not reach its expected objective with it (extraction {round} of {options.Value.MaxExtractions})", cancellationToken);
                discarded.Add(candidate.Id);
            }

            rejected = "These insights were tried and the problem still missed its answer with them; do better than:\n" +
                string.Join('\n', candidates.Select(f => "- " + f.Explanation));
        }

        var outcome = Outcome(attempt.Id, kind, placed.Count > 0 ? "learned" : "nothing-verified", verified, discarded,
            placed, extracted, usage, notes);
        logger.LogInformation("Learning from attempt {Attempt}: {Result}, {Verified}/{Extracted} verified, {Merged} merged", attempt.Id, outcome.Result,
            outcome.Verified, outcome.Extracted, outcome.Merged);
        return await FinishAsync(request, problem.Id, outcome, cancellationToken);
    }

    /// <summary>
    /// Commits a verified plan. A merge whose text breaks one of the survivor's problems falls back to the candidate on
    /// its own; a plan that lost a write race to another learner is planned again against the winner. Either is
    /// verified again first (a text already verified on the problem is remembered, not solved). Null when the
    /// candidate on its own does not reach the answer.
    /// </summary>
    private async Task<InsightMerge.Placement?> PlaceAsync(InsightMerge.Plan plan, Problems.Problem problem, string actor, List<ModelUsage> usage, List<string> notes, CancellationToken ct)
    {
        var verifiedPlan = true;
        for (var race = 1; ; race++)
        {
            if (!verifiedPlan && !(await VerifyAsync(problem, [plan], ct)).Reached)
            {
                await merge.AbandonAsync(plan, actor, $"problem {problem.Id} missed its answer with it", ct);
                if (plan.Kind == InsightMerge.PlanKind.New)
                {
                    return null;
                }

                plan = Alone(plan.CandidateId);
                continue;
            }

            try
            {
                if (await merge.CommitAsync(plan, problem, consolidating: false, actor, notes, ct) is { } placed)
                {
                    return placed;
                }

                plan = Alone(plan.CandidateId);
            }
            catch (ConflictException ex) when (race < InsightMerge.MaxRaces)
            {
                db.ChangeTracker.Clear();
                notes.Add($"placing candidate {plan.CandidateId} lost a write race ({ex.Message}); planned again against the winner");
                plan = await merge.PlanAsync(plan.CandidateId, consolidating: false, actor, usage, ct, against: plan.SurvivorId);
            }

            verifiedPlan = false;
        }
    }

    /// <summary>One plan: its text alone, remembered per text and problem; several: one solve with all of them.</summary>
    private async Task<(bool Reached, long AttemptId)> VerifyAsync(Problems.Problem problem, List<InsightMerge.Plan> plans, CancellationToken ct)
    {
        if (plans is [var only])
        {
            var shown = await db.Insights.AsNoTracking().Include(i => i.Taxonomy).SingleAsync(i => i.Id == only.Shown, ct);
            var (reached, attemptId, _) = await verification.VerdictAsync(problem, shown, "verify", only.Excluded, ct);
            return (reached, attemptId);
        }

        return await verification.RunAsync(problem, "verify", plans.Select(p => p.Shown).ToList(), plans.SelectMany(p => p.Excluded).Distinct().ToList(), ct);
    }

    private static InsightMerge.Plan Alone(long candidateId) => new(InsightMerge.PlanKind.New, candidateId, candidateId, []);

    private static string Describe(List<InsightMerge.Plan> plans) => string.Join(", ", plans.Select(p => p.Kind switch
    {
        InsightMerge.PlanKind.Fold => $"candidate {p.CandidateId} as insight {p.SurvivorId}",
        InsightMerge.PlanKind.Merge => $"candidate {p.CandidateId} merged into insight {p.SurvivorId} (draft {p.Shown})",
        _ => $"candidate {p.CandidateId}",
    }));

    /// <summary>The problem's latest failed attempts, this one first: self-exploration sees them all.</summary>
    private async Task<List<Attempt>> FailedAttemptsAsync(Attempt attempt, CancellationToken ct)
    {
        var others = await db.Attempts.AsNoTracking()
            .Where(a => a.ProblemId == attempt.ProblemId && a.Id != attempt.Id && a.QueuedForLearning && a.Status == AttemptStatus.WrongAnswer)
            .OrderByDescending(a => a.Id).Take(2).ToListAsync(ct);
        return [attempt, .. others];
    }

    private static LearningOutcome Outcome(long attemptId, string kind, string result, List<long> verified, List<long> discarded,
        List<InsightMerge.Placement> placed, int extracted, List<ModelUsage> usage, List<string> notes) => new(
        attemptId, kind, result, extracted, verified.Count, discarded.Count, placed.Count(p => !p.Merged), placed.Count(p => p.Merged),
        placed.Select(p => p.InsightId).Distinct().ToList(), extracted == 0 ? null : (double)verified.Count / extracted,
        usage.Sum(u => u.PromptTokens), usage.Sum(u => u.CompletionTokens), notes);

    /// <summary>Records the outcome with the solves it took, and takes the attempt off the learning queue, in one transaction.</summary>
    private async Task<LearningOutcome> FinishAsync(LearnFromAttempt request, long problemId, LearningOutcome outcome, CancellationToken ct)
    {
        outcome = outcome with { Solves = new Dictionary<string, int>(verification.Solves) };
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        db.Set<LearningRecord>().Add(new LearningRecord
        {
            Kind = LearningRecord.AttemptKind,
            Key = request.AttemptId.ToString(CultureInfo.InvariantCulture),
            JobId = request.JobId,
            Outcome = JsonSerializer.SerializeToDocument(outcome, Json),
            CreatedAt = DateTimeOffset.UtcNow,
        });
        await db.SaveChangesAsync(ct);
        // A waiting failure learned from stands for the older ones of its problem (self-exploration was shown them);
        // a skipped attempt that was not waiting leaves them alone.
        var supersedes = outcome.Result != "skipped";
        await db.Attempts.Where(a => a.Id == request.AttemptId || (supersedes && a.ProblemId == problemId && a.Id < request.AttemptId && a.QueuedForLearning))
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.QueuedForLearning, false), ct);
        await transaction.CommitAsync(ct);
        return outcome;
    }
}
