using System.Globalization;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OptLib.Library.Attempts;
using OptLib.Library.Audit;
using OptLib.Library.Evolution;
using OptLib.Library.Learning;
using OptLib.Library.Problems;
using OptLib.Library.Storage;
using OptLib.Library.Validation;
using OptLib.Solver;

namespace OptLib.Library.Feedback;

/// <summary>
/// Says after the fact whether a problem's latest answer was right. "incorrect" (with the right objective when the
/// problem has none) makes that attempt a learnable failure, unless the problem is held out; "correct" makes its
/// objective the known answer and counts as positive evidence for the insights the attempt retrieved. A later
/// feedback replaces an earlier one; each is kept and audited. Null when there is no such problem.
/// </summary>
public sealed record GiveFeedback(long ProblemId, string? Verdict, double? ExpectedObjective, string? Note, string Actor)
    : IRequest<ProblemDto?>, IValidatable
{
    public const int MaxNote = 4000;

    public IEnumerable<(string Field, string Error)> Validate()
    {
        if (!Enum.TryParse<FeedbackVerdict>(Verdict?.Trim(), ignoreCase: true, out _) || int.TryParse(Verdict, out _))
        {
            yield return (nameof(Verdict), "Say \"correct\" or \"incorrect\".");
        }

        if (ExpectedObjective is { } e && !double.IsFinite(e))
        {
            yield return (nameof(ExpectedObjective), "The expected objective must be a finite number.");
        }

        if (Note is { Length: > MaxNote })
        {
            yield return (nameof(Note), $"The note is longer than {MaxNote} characters.");
        }
    }

    public FeedbackVerdict ParsedVerdict => Enum.Parse<FeedbackVerdict>(Verdict!.Trim(), ignoreCase: true);
}

/// <summary>A problem's feedback, newest first.</summary>
public sealed record GetFeedback(long ProblemId) : IRequest<IReadOnlyList<FeedbackDto>?>;

public sealed record FeedbackDto(string Verdict, double? ExpectedObjective, string? Note, string By, DateTimeOffset At, long AttemptId)
{
    public static FeedbackDto From(ProblemFeedback f) =>
        new(f.Verdict.ToString().ToLowerInvariant(), f.ExpectedObjective, f.Note, f.By, f.At, f.AttemptId);
}

public sealed class GiveFeedbackHandler(OptLibDbContext db, ISender sender, IOptions<SolverOptions> solver)
    : IRequestHandler<GiveFeedback, ProblemDto?>, IRequestHandler<GetFeedback, IReadOnlyList<FeedbackDto>?>
{
    /// <summary>Attempts that produced an answer (or a failing program) someone can judge.</summary>
    private static readonly HashSet<AttemptStatus> Judgeable =
        [AttemptStatus.Correct, AttemptStatus.WrongAnswer, AttemptStatus.Solved, AttemptStatus.Unverified, AttemptStatus.Infeasible, AttemptStatus.Unbounded, AttemptStatus.ProgramFailed];

    public async ValueTask<ProblemDto?> Handle(GiveFeedback request, CancellationToken cancellationToken)
    {
        var problem = await db.Problems.FirstOrDefaultAsync(p => p.Id == request.ProblemId, cancellationToken);
        if (problem is null)
        {
            return null;
        }

        var attempt = await db.Attempts.Where(a => a.ProblemId == problem.Id && a.ParentAttemptId == null).OrderByDescending(a => a.Id).FirstOrDefaultAsync(cancellationToken);
        if (problem.Status is not (ProblemStatus.Solved or ProblemStatus.Failed) || attempt is null || !Judgeable.Contains(attempt.Status))
        {
            throw new ConflictException("There is no answer to judge yet.",
                $"Problem {problem.Id} is {problem.Status.ToString().ToLowerInvariant()}" +
                (attempt is null ? " with no attempt" : $" and its latest attempt {attempt.Id} is {attempt.Status}") +
                "; feedback judges a finished attempt that produced an answer or a program.",
                new Dictionary<string, object?> { ["status"] = problem.Status.ToString().ToLowerInvariant(), ["attempt"] = attempt?.Id });
        }

        var verdict = request.ParsedVerdict;
        var expected = verdict == FeedbackVerdict.Incorrect ? Incorrect(request, problem, attempt) : Correct(request, problem, attempt);
        var now = DateTimeOffset.UtcNow;
        var feedback = new ProblemFeedback
        {
            ProblemId = problem.Id,
            AttemptId = attempt.Id,
            Verdict = verdict,
            ExpectedObjective = expected,
            Note = string.IsNullOrWhiteSpace(request.Note) ? null : request.Note.Trim(),
            By = request.Actor,
            At = now,
        };
        db.Add(feedback);
        problem.UpdatedAt = now;
        if (verdict == FeedbackVerdict.Correct)
        {
            await CountPositiveAsync(problem.Id, attempt, cancellationToken);
        }

        await AuditLog.WriteAsync(db, request.Actor, "feedback", "problem", problem.Id.ToString(CultureInfo.InvariantCulture),
            new { verdict = verdict.ToString().ToLowerInvariant(), attempt = attempt.Id, expectedObjective = expected, queuedForLearning = attempt.QueuedForLearning },
            cancellationToken);
        return await sender.Send(new GetProblem(problem.Id), cancellationToken);
    }

    public async ValueTask<IReadOnlyList<FeedbackDto>?> Handle(GetFeedback request, CancellationToken cancellationToken)
    {
        if (!await db.Problems.AnyAsync(p => p.Id == request.ProblemId, cancellationToken))
        {
            return null;
        }

        var rows = await db.Set<ProblemFeedback>().AsNoTracking().Where(f => f.ProblemId == request.ProblemId).OrderByDescending(f => f.Id).ToListAsync(cancellationToken);
        return rows.Select(FeedbackDto.From).ToList();
    }

    /// <summary>The answer was wrong: the right one becomes the problem's, and the attempt a failure to learn from.</summary>
    private double Incorrect(GiveFeedback request, Problem problem, Attempt attempt)
    {
        if ((request.ExpectedObjective ?? problem.ExpectedObjective) is not { } expected)
        {
            throw ValidationFailedException.For(nameof(GiveFeedback.ExpectedObjective),
                "Give the right objective: the problem has no expected objective, and learning needs the answer to aim for.");
        }

        var withExpected = Copy(problem, expected);
        if (Answers.Reaches(withExpected, attempt.Objective, solver.Value))
        {
            throw ValidationFailedException.For(nameof(GiveFeedback.ExpectedObjective),
                $"The latest attempt's objective {attempt.Objective!.Value.ToString(CultureInfo.InvariantCulture)} already reaches {expected.ToString(CultureInfo.InvariantCulture)}; say \"correct\", or give the objective it should have reached.");
        }

        problem.ExpectedObjective = expected;
        problem.Status = ProblemStatus.Failed;
        if (attempt.Status != AttemptStatus.ProgramFailed)
        {
            attempt.Status = AttemptStatus.WrongAnswer;
        }

        (attempt.QueuedForLearning, attempt.LearningNote) = LearningQueue.Decide(problem, attempt.Status, null);
        return expected;
    }

    /// <summary>The answer was right: its objective becomes the known answer, and the attempt leaves the learning queue.</summary>
    private double? Correct(GiveFeedback request, Problem problem, Attempt attempt)
    {
        var expected = request.ExpectedObjective ?? attempt.Objective;
        if (request.ExpectedObjective is { } given && attempt.Objective is { } got && !Answers.Reaches(Copy(problem, given), got, solver.Value))
        {
            throw ValidationFailedException.For(nameof(GiveFeedback.ExpectedObjective),
                $"The latest attempt's objective is {got.ToString(CultureInfo.InvariantCulture)}, not {given.ToString(CultureInfo.InvariantCulture)}; say \"incorrect\" if {given.ToString(CultureInfo.InvariantCulture)} is right.");
        }

        if (expected is not null)
        {
            problem.ExpectedObjective = expected;
        }

        if (attempt.Objective is not null && attempt.Status is AttemptStatus.WrongAnswer or AttemptStatus.Solved)
        {
            attempt.Status = AttemptStatus.Correct;
        }

        problem.Status = ProblemStatus.Solved;
        attempt.QueuedForLearning = false;
        attempt.LearningNote = "judged correct by feedback";
        return expected;
    }

    /// <summary>Each insight the attempt retrieved served a right answer: positive evidence, once per problem.</summary>
    private async Task CountPositiveAsync(long problemId, Attempt attempt, CancellationToken ct)
    {
        var ids = RetrievalRecord.RetrievedIds(attempt.RetrievedInsights);
        var evidence = problemId.ToString(CultureInfo.InvariantCulture);
        foreach (var insight in await db.Insights.Where(i => ids.Contains(i.Id)).ToListAsync(ct))
        {
            if (!insight.Evidence.Positive.Contains(evidence))
            {
                insight.Evidence.Positive.Add(evidence);
                Labels.Count(insight.Usage, Labels.Positive);
            }
        }
    }

    private static Problem Copy(Problem problem, double expected) => new()
    {
        Text = problem.Text,
        ExpectedObjective = expected,
        ToleranceAbsolute = problem.ToleranceAbsolute,
        ToleranceRelative = problem.ToleranceRelative,
    };
}
