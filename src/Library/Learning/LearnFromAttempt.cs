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

        // One verification solve per extraction: the round's candidates are put in together, each at the stage it
        // is filed under. A round that reaches the answer keeps them all; one that misses retires them all.
        var verified = new List<Insight>();
        var discarded = new List<long>();
        var extracted = 0;
        string? rejected = null;
        for (var round = 1; round <= options.Value.MaxExtractions && verified.Count == 0; round++)
        {
            var candidates = await extraction.ExtractAsync(problem, attempt.Id, hit, rejected, request.Actor, usage, notes, cancellationToken);
            extracted += candidates.Count;
            var (reached, verifyAttempt) = await verification.RunAsync(problem, "verify", candidates.Select(c => c.Id).ToList(), [], cancellationToken);
            notes.Add($"candidate{(candidates.Count == 1 ? string.Empty : "s")} {string.Join(", ", candidates.Select(c => c.Id))} {(reached ? "verified" : "did not verify")} (attempt {verifyAttempt})");
            if (reached)
            {
                verified.AddRange(candidates);
                if (candidates is [var only])
                {
                    await verification.RememberAsync(problem.Id, await db.Insights.AsNoTracking().Include(i => i.Taxonomy).SingleAsync(i => i.Id == only.Id, cancellationToken),
                        true, verifyAttempt, cancellationToken);
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

        var placed = new List<InsightMerge.Placement>();
        foreach (var insight in verified)
        {
            placed.Add(await merge.PlaceAsync(insight, problem, request.Actor, usage, notes, cancellationToken));
        }

        var outcome = Outcome(attempt.Id, kind, verified.Count > 0 ? "learned" : "nothing-verified", verified.Select(v => v.Id).ToList(), discarded,
            placed, extracted, usage, notes);
        logger.LogInformation("Learning from attempt {Attempt}: {Result}, {Verified}/{Extracted} verified, {Merged} merged", attempt.Id, outcome.Result,
            outcome.Verified, outcome.Extracted, outcome.Merged);
        return await FinishAsync(request, problem.Id, outcome, cancellationToken);
    }

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
