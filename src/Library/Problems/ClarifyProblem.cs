using System.Globalization;
using System.Text.Json;
using Mediator;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Audit;
using OptLib.Library.Jobs;
using OptLib.Library.Models;
using OptLib.Library.Solving;
using OptLib.Library.Storage;
using OptLib.Library.Validation;

namespace OptLib.Library.Problems;

/// <summary>
/// Answers the questions a problem's last attempt asked, and solves it again with the answers in its text
/// (<see cref="ProblemText.ForModel"/>). Null when there is no such problem; one that asked nothing is a conflict.
/// </summary>
public sealed record ClarifyProblem(long Id, string Answers, string Actor) : IRequest<ProblemDto?>, IValidatable
{
    public const int MaxAnswers = 20_000;

    public IEnumerable<(string Field, string Error)> Validate()
    {
        if (string.IsNullOrWhiteSpace(Answers))
        {
            yield return (nameof(Answers), "Answer the problem's questions in text.");
        }
        else if (Answers.Length > MaxAnswers)
        {
            yield return (nameof(Answers), $"The answers are longer than {MaxAnswers} characters.");
        }
    }
}

public sealed class ClarifyProblemHandler(OptLibDbContext db, IChatModel model, SolveKind solve, JobLauncher jobs, ISender sender) : IRequestHandler<ClarifyProblem, ProblemDto?>
{
    public async ValueTask<ProblemDto?> Handle(ClarifyProblem request, CancellationToken cancellationToken)
    {
        if (!model.IsConfigured)
        {
            throw new ModelNotConfiguredException();
        }

        var problem = await db.Problems.FirstOrDefaultAsync(p => p.Id == request.Id, cancellationToken);
        if (problem is null)
        {
            return null;
        }

        var status = problem.Status.ToString().ToLowerInvariant();
        // Claimed in one statement, so two answers sent at once queue one solve and the other is a conflict.
        if (problem.Clarifications is not [.., { Answers: null } open] || await db.Problems
                .Where(p => p.Id == request.Id && p.Status == ProblemStatus.NeedsClarification)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.Status, ProblemStatus.Queued), cancellationToken) == 0)
        {
            throw new ConflictException("The problem asked no questions.",
                $"Problem {request.Id} is {status}; only a problem that needs clarification takes answers.",
                new Dictionary<string, object?> { ["status"] = status });
        }

        var now = DateTimeOffset.UtcNow;
        problem.Clarifications = [.. problem.Clarifications[..^1], open with { Answers = request.Answers.Trim(), AnsweredBy = request.Actor, AnsweredAt = now }];
        problem.Status = ProblemStatus.Queued;
        problem.UpdatedAt = now;
        // The new solve is a job of its own; the answers, the problem's link to the job and the audit entry are one save.
        problem.Job = jobs.Add(solve, JsonSerializer.SerializeToElement(new SolveKind.Parameters(problem.Id), JobContext.Json), request.Actor);
        await AuditLog.WriteAsync(db, request.Actor, "clarify", "problem", problem.Id.ToString(CultureInfo.InvariantCulture),
            new { questions = open.Questions.Count, attempt = open.AttemptId }, CancellationToken.None);
        await jobs.QueueAsync(solve, problem.Job);
        return await sender.Send(new GetProblem(problem.Id), CancellationToken.None);
    }
}
