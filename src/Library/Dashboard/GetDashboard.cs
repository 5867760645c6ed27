using System.Text.Json;
using Mediator;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Insights;
using OptLib.Library.Jobs;
using OptLib.Library.Learning;
using OptLib.Library.Storage;

namespace OptLib.Library.Dashboard;

/// <summary>The numbers on the admin UI's first page: library growth, evaluation accuracy, failures waiting, recent jobs.</summary>
public sealed record GetDashboard : IRequest<DashboardDto>;

public sealed record DashboardDto(
    IReadOnlyDictionary<string, int> InsightsByStatus,
    IReadOnlyList<LibrarySizePoint> LibrarySize,
    IReadOnlyList<EvaluationPoint> Evaluations,
    int OpenFailures,
    IReadOnlyList<FailureRow> LatestFailures,
    IReadOnlyList<JobRow> RecentJobs);

/// <summary>Insights created by the end of a day (UTC).</summary>
public sealed record LibrarySizePoint(DateOnly Day, int Total);

public sealed record EvaluationPoint(long JobId, DateTimeOffset At, double Accuracy);

public sealed record FailureRow(long AttemptId, long ProblemId, string Status, DateTimeOffset At);

public sealed record JobRow(long Id, string Kind, string State, int Done, int Total, string? CurrentStep, string CreatedBy, DateTimeOffset CreatedAt);

public sealed class GetDashboardHandler(OptLibDbContext db) : IRequestHandler<GetDashboard, DashboardDto>
{
    public const string EvaluationKind = "evaluation";

    public async ValueTask<DashboardDto> Handle(GetDashboard request, CancellationToken cancellationToken)
    {
        var byStatus = await db.Insights.GroupBy(i => i.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var created = await db.Insights.Select(i => i.CreatedAt).ToListAsync(cancellationToken);
        var running = 0;
        var size = created.GroupBy(c => DateOnly.FromDateTime(c.UtcDateTime)).OrderBy(g => g.Key)
            .Select(g => new LibrarySizePoint(g.Key, running += g.Count())).ToList();

        var evaluations = await db.Jobs.AsNoTracking()
            .Where(j => j.Kind == EvaluationKind && j.State == JobState.Succeeded && j.Metrics != null)
            .OrderByDescending(j => j.Id).Take(30)
            .Select(j => new { j.Id, j.FinishedAt, j.CreatedAt, j.Metrics })
            .ToListAsync(cancellationToken);
        var accuracy = evaluations
            .Select(j => Accuracy(j.Metrics!) is { } a ? new EvaluationPoint(j.Id, j.FinishedAt ?? j.CreatedAt, a) : null)
            .OfType<EvaluationPoint>().OrderBy(p => p.JobId).ToList();

        // Exactly what the next learning run consumes: the newest waiting failure of each problem with a known answer.
        var waiting = LearningQueue.Waiting(db);
        var failures = db.Attempts.AsNoTracking().Where(a => waiting.Contains(a.Id));
        var openFailures = await failures.CountAsync(cancellationToken);
        var latestFailures = await failures.OrderByDescending(a => a.Id).Take(8)
            .Select(a => new { a.Id, a.ProblemId, a.Status, a.CreatedAt }).ToListAsync(cancellationToken);

        var jobs = await db.Jobs.AsNoTracking().OrderByDescending(j => j.Id).Take(8)
            .Select(j => new JobRow(j.Id, j.Kind, j.State.ToString(), j.ProgressDone, j.ProgressTotal, j.CurrentStep, j.CreatedBy, j.CreatedAt))
            .ToListAsync(cancellationToken);

        return new DashboardDto(
            byStatus.ToDictionary(s => s.Key.ToString().ToLowerInvariant(), s => s.Count),
            size,
            accuracy,
            openFailures,
            latestFailures.Select(f => new FailureRow(f.Id, f.ProblemId, f.Status.ToString(), f.CreatedAt)).ToList(),
            jobs.Select(j => j with { State = j.State.ToLowerInvariant() }).ToList());
    }

    /// <summary>An evaluation's accuracy from its metrics: "accuracy" as a fraction, or correct over total.</summary>
    private static double? Accuracy(JsonDocument metrics)
    {
        var root = metrics.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (root.TryGetProperty("accuracy", out var a) && a.TryGetDouble(out var value))
        {
            return value;
        }

        return root.TryGetProperty("correct", out var c) && root.TryGetProperty("total", out var t)
            && c.TryGetDouble(out var correct) && t.TryGetDouble(out var total) && total > 0
            ? correct / total
            : null;
    }
}
