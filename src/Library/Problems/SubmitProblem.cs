using System.Text.Json;
using Mediator;
using OptLib.Library.Audit;
using OptLib.Library.Jobs;
using OptLib.Library.Models;
using OptLib.Library.Solving;
using OptLib.Library.Storage;
using OptLib.Library.Validation;

namespace OptLib.Library.Problems;

/// <summary>Stores a problem and queues it for solving. Without a model it is refused before anything is stored.</summary>
public sealed record SubmitProblem(string Text, double? ExpectedObjective, double? RelativeTolerance, double? AbsoluteTolerance,
    IReadOnlyList<ProblemTable?>? Tables, string Actor)
    : IRequest<long>, IValidatable
{
    public const int MaxText = 100_000;

    public IEnumerable<(string Field, string Error)> Validate()
    {
        if (string.IsNullOrWhiteSpace(Text))
        {
            yield return (nameof(Text), "Describe the problem in text.");
        }
        else if (Text.Length > MaxText)
        {
            yield return (nameof(Text), $"The problem is longer than {MaxText} characters.");
        }

        if (ExpectedObjective is { } e && !double.IsFinite(e))
        {
            yield return (nameof(ExpectedObjective), "The expected objective must be a finite number.");
        }

        if (RelativeTolerance is < 0 or > 1 || AbsoluteTolerance is < 0)
        {
            yield return ("Tolerance", "Tolerances are non-negative; the relative one is at most 1.");
        }

        foreach (var error in ProblemTable.Validate(Tables ?? []))
        {
            yield return error;
        }
    }
}

public sealed class SubmitProblemHandler(OptLibDbContext db, IChatModel model, SolveKind solve, JobLauncher jobs) : IRequestHandler<SubmitProblem, long>
{
    public async ValueTask<long> Handle(SubmitProblem request, CancellationToken cancellationToken)
    {
        if (!model.IsConfigured)
        {
            throw new ModelNotConfiguredException();
        }

        var now = DateTimeOffset.UtcNow;
        var problem = new Problem
        {
            Text = request.Text.Trim(),
            ExpectedObjective = request.ExpectedObjective,
            ToleranceRelative = request.RelativeTolerance,
            ToleranceAbsolute = request.AbsoluteTolerance,
            Tables = request.Tables is { Count: > 0 } tables ? JsonSerializer.SerializeToDocument(tables, ProblemTable.Json) : null,
            Status = ProblemStatus.Queued,
            CreatedBy = request.Actor,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Problems.Add(problem);
        await db.SaveChangesAsync(cancellationToken);

        // Its solve is a job that names it; the job, the problem's link to it and the audit entry are one save.
        problem.Job = jobs.Add(solve, JsonSerializer.SerializeToElement(new SolveKind.Parameters(problem.Id), JobContext.Json), request.Actor);
        await AuditLog.WriteAsync(db, request.Actor, "submit", "problem", problem.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            null, CancellationToken.None);
        // Once stored, a client going away must not leave the job unqueued.
        await jobs.QueueAsync(solve, problem.Job);
        return problem.Id;
    }
}
