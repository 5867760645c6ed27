using OptLib.Library.Attempts;
using OptLib.Library.Problems;
using OptLib.Library.Storage;

namespace OptLib.Library.Learning;

/// <summary>
/// The one learning queue, whatever the answer's source: a submission's expected objective, feedback, or a dataset's
/// train split. A failure with a known answer waits until a learning run consumes it; held-out problems (any other
/// split of a dataset) and side runs (verification, diagnosis, evaluation) never wait, and the attempt says why.
/// </summary>
public static class LearningQueue
{
    public const string TrainSplit = "train";

    /// <summary>Why a problem is never learned from, or null when it may be.</summary>
    public static string? HeldOut(Problem problem) =>
        problem.Dataset is { } dataset && !string.Equals(problem.Split, TrainSplit, StringComparison.OrdinalIgnoreCase)
            ? $"held out: dataset '{dataset}', split '{problem.Split ?? "(none)"}' is never learned from; only the train split is"
            : null;

    /// <summary>Whether a finished attempt waits for learning, and the note the attempt carries to say so or why not.</summary>
    public static (bool Queued, string? Note) Decide(Problem problem, AttemptStatus status, string? sideRunPurpose)
    {
        if (status is AttemptStatus.Correct)
        {
            return (false, null);
        }

        if (sideRunPurpose is { } purpose)
        {
            return (false, $"a side run ({purpose}): side runs are never learned from");
        }

        if (status is AttemptStatus.Unverified)
        {
            return (false, "two solvers disagree on the model's answer: that is the solvers' doubt, not a modelling mistake");
        }

        if (status is AttemptStatus.NeedsClarification)
        {
            return (false, "the model asked for clarification instead of guessing: that is not a modelling mistake");
        }

        if (status is AttemptStatus.Cancelled or AttemptStatus.ModelFailed or AttemptStatus.Running)
        {
            return (false, $"{status}: a cancel or a model failure teaches nothing about modelling");
        }

        if (HeldOut(problem) is { } heldOut)
        {
            return (false, heldOut);
        }

        if (problem.ExpectedObjective is null)
        {
            return (false, "no known answer: feedback with the right objective (POST /api/problems/{id}/feedback) makes it learnable");
        }

        return status is AttemptStatus.WrongAnswer or AttemptStatus.ProgramFailed
            ? (true, "waiting for learning")
            : (false, null);
    }

    /// <summary>
    /// What the next learning run consumes: the newest waiting attempt of each problem (it stands for the older ones),
    /// optionally of one dataset and split. The dashboard counts exactly these.
    /// </summary>
    public static IQueryable<long> Waiting(OptLibDbContext db, string? dataset = null, string? split = null)
    {
        var problems = db.Problems.AsQueryable();
        if (dataset is not null)
        {
            problems = problems.Where(p => p.Dataset == dataset);
        }

        if (split is not null)
        {
            problems = problems.Where(p => p.Split == split);
        }

        return db.Attempts.Where(a => a.QueuedForLearning && problems.Any(p => p.Id == a.ProblemId && p.ExpectedObjective != null))
            .GroupBy(a => a.ProblemId).Select(g => g.Max(a => a.Id));
    }
}
