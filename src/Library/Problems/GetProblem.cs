using Mediator;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Attempts;
using OptLib.Library.Feedback;
using OptLib.Library.Models;
using OptLib.Library.Storage;
using OptLib.Solver.Runs;

namespace OptLib.Library.Problems;

public sealed record AttemptDto(long Id, string Status, double? Objective, string? Formulation, string? Program, IReadOnlyList<AttemptProgram>? Programs,
    RunResult? SolverResult, AttemptRetrieval? RetrievedInsights, IReadOnlyList<ModelUsage>? ModelUsage, IReadOnlyDictionary<string, double>? Timings, IReadOnlyList<string>? PromptVersions,
    int PromptTokens, int CompletionTokens, decimal CostEstimate, string? Error, bool QueuedForLearning, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt, string? LearningNote = null,
    ClarificationRequest? Clarification = null, long? ParentAttemptId = null, string? WhatIf = null, AnswerConfidence? Confidence = null);

public sealed record ProblemDto(long Id, string Status, string Text, double? ExpectedObjective, string? Dataset, string? Split, string? ExternalId,
    IReadOnlyList<string> Flags, DateTimeOffset CreatedAt, AttemptDto? LatestAttempt, IReadOnlyList<ProblemTable>? Tables = null, FeedbackDto? Feedback = null,
    long? JobId = null, IReadOnlyList<Clarification>? Clarifications = null)
{
    /// <summary>Nothing runs for it now: it ended, or it waits for the user's answers.</summary>
    public bool IsFinished => Status is "solved" or "failed" or "cancelled" or "needsclarification";
}

/// <summary>A problem with its latest attempt, or null when there is no such problem.</summary>
public sealed record GetProblem(long Id) : IRequest<ProblemDto?>;

/// <summary>Every attempt of a problem, newest first, or null when there is no such problem.</summary>
public sealed record GetAttempts(long ProblemId) : IRequest<IReadOnlyList<AttemptDto>?>;

public sealed class GetProblemHandler(OptLibDbContext db) : IRequestHandler<GetProblem, ProblemDto?>, IRequestHandler<GetAttempts, IReadOnlyList<AttemptDto>?>
{
    public async ValueTask<ProblemDto?> Handle(GetProblem request, CancellationToken cancellationToken)
    {
        var problem = await db.Problems.AsNoTracking().FirstOrDefaultAsync(p => p.Id == request.Id, cancellationToken);
        if (problem is null)
        {
            return null;
        }

        var latest = await db.Attempts.AsNoTracking().Where(a => a.ProblemId == problem.Id && a.ParentAttemptId == null).OrderByDescending(a => a.Id).FirstOrDefaultAsync(cancellationToken);
        var feedback = await db.Set<ProblemFeedback>().AsNoTracking().Where(f => f.ProblemId == problem.Id).OrderByDescending(f => f.Id).FirstOrDefaultAsync(cancellationToken);
        return new ProblemDto(problem.Id, problem.Status.ToString().ToLowerInvariant(), problem.Text, problem.ExpectedObjective, problem.Dataset,
            problem.Split, problem.ExternalId, problem.Flags, problem.CreatedAt, latest is null ? null : ToDto(latest), ProblemTable.Read(problem.Tables),
            feedback is null ? null : FeedbackDto.From(feedback), problem.JobId, problem.Clarifications);
    }

    public async ValueTask<IReadOnlyList<AttemptDto>?> Handle(GetAttempts request, CancellationToken cancellationToken)
    {
        if (!await db.Problems.AnyAsync(p => p.Id == request.ProblemId, cancellationToken))
        {
            return null;
        }

        var attempts = await db.Attempts.AsNoTracking().Where(a => a.ProblemId == request.ProblemId).OrderByDescending(a => a.Id).ToListAsync(cancellationToken);
        return attempts.Select(ToDto).ToList();
    }

    private static AttemptDto ToDto(Attempt a) => new(a.Id, a.Status.ToString(), a.Objective, a.Formulation, a.Program,
        a.Programs, a.SolverResult, a.RetrievedInsights, a.ModelUsage, a.Timings, a.PromptVersions, a.PromptTokens, a.CompletionTokens, a.CostEstimate, a.Error, a.QueuedForLearning, a.CreatedAt, a.CompletedAt, a.LearningNote, a.Clarification, a.ParentAttemptId, a.WhatIf, a.Confidence);
}
