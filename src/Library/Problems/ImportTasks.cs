using System.Globalization;
using System.Text.Json;
using Mediator;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Audit;
using OptLib.Library.Storage;
using OptLib.Library.Validation;

namespace OptLib.Library.Problems;

/// <summary>
/// Stores AlphaOPT-format tasks (task_id, description, ground_truth) as problems of a dataset and split. Re-importing
/// is idempotent: a task is matched by (dataset, task_id) and only changed when its text or answer changed. An item
/// without a usable ground truth is kept and flagged; an item without an id or a description is skipped, with why.
/// </summary>
public sealed record ImportTasks(string Dataset, string Split, JsonElement Tasks, string Actor) : IRequest<TaskImportReport>, IValidatable
{
    public const string NoGroundTruth = "no ground truth";
    public const int MaxTasks = 20_000;

    public IEnumerable<(string Field, string Error)> Validate()
    {
        if (string.IsNullOrWhiteSpace(Dataset) || Dataset.Length > 200)
        {
            yield return (nameof(Dataset), "Name the dataset (1 to 200 characters), for example \"nl4opt\".");
        }

        if (string.IsNullOrWhiteSpace(Split) || Split.Length > 50)
        {
            yield return (nameof(Split), "Name the split (1 to 50 characters), for example \"train\" or \"test\".");
        }

        if (Tasks.ValueKind != JsonValueKind.Array)
        {
            yield return (nameof(Tasks), "Tasks must be a JSON array of objects with task_id, description and ground_truth.");
        }
        else if (Tasks.GetArrayLength() > MaxTasks)
        {
            yield return (nameof(Tasks), $"At most {MaxTasks} tasks can be imported at once.");
        }
    }
}

public sealed record TaskImportReport(string Dataset, string Split, int Created, int Updated, int Unchanged,
    IReadOnlyList<TaskImportNote> Flagged, IReadOnlyList<TaskImportNote> Skipped);

public sealed record TaskImportNote(int Index, string? TaskId, string Reason);

public sealed class ImportTasksHandler(OptLibDbContext db) : IRequestHandler<ImportTasks, TaskImportReport>
{
    /// <summary>
    /// Imports of one dataset at the same moment each see the tasks missing and add them; the unique (dataset, task_id)
    /// index lets one win. The others then import again, find the winner's rows, and report them unchanged, so every
    /// caller of an idempotent import gets its answer, not a conflict.
    /// </summary>
    public async ValueTask<TaskImportReport> Handle(ImportTasks request, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await ImportAsync(request, cancellationToken);
            }
            catch (DbUpdateException ex) when (attempt < 3 && UniqueKeys.Refused(ex, "ix_problems_dataset_external_id"))
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    private async Task<TaskImportReport> ImportAsync(ImportTasks request, CancellationToken cancellationToken)
    {
        var dataset = request.Dataset.Trim();
        var split = request.Split.Trim().ToLowerInvariant();
        var flagged = new List<TaskImportNote>();
        var skipped = new List<TaskImportNote>();
        var incoming = new Dictionary<string, (string Text, double? Expected)>(StringComparer.Ordinal);

        var index = 0;
        foreach (var item in request.Tasks.EnumerateArray())
        {
            var at = index++;
            var id = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("task_id", out var idValue) ? Text(idValue) : null;
            var description = id is null ? null : item.TryGetProperty("description", out var d) ? Text(d) : null;
            if (string.IsNullOrWhiteSpace(id))
            {
                skipped.Add(new TaskImportNote(at, null, "no task_id"));
                continue;
            }

            if (string.IsNullOrWhiteSpace(description))
            {
                skipped.Add(new TaskImportNote(at, id, "no description"));
                continue;
            }

            if (!incoming.TryAdd(id, (description, GroundTruth(item))))
            {
                skipped.Add(new TaskImportNote(at, id, "the task_id appears earlier in the same file"));
                continue;
            }

            if (incoming[id].Expected is null)
            {
                flagged.Add(new TaskImportNote(at, id, ImportTasks.NoGroundTruth));
            }
        }

        var existing = await db.Problems
            .Where(p => p.Dataset == dataset)
            .ToDictionaryAsync(p => p.ExternalId!, StringComparer.Ordinal, cancellationToken);
        int created = 0, updated = 0, unchanged = 0;
        var now = DateTimeOffset.UtcNow;
        foreach (var (id, (text, expected)) in incoming)
        {
            var flags = expected is null ? new List<string> { ImportTasks.NoGroundTruth } : [];
            if (!existing.TryGetValue(id, out var problem))
            {
                db.Problems.Add(new Problem
                {
                    Text = text,
                    ExpectedObjective = expected,
                    Dataset = dataset,
                    Split = split,
                    ExternalId = id,
                    Flags = flags,
                    Status = ProblemStatus.Queued,
                    CreatedBy = request.Actor,
                    CreatedAt = now,
                    UpdatedAt = now,
                });
                created++;
            }
            else if (problem.Text != text || problem.ExpectedObjective != expected || problem.Split != split || !problem.Flags.SequenceEqual(flags))
            {
                (problem.Text, problem.ExpectedObjective, problem.Split, problem.Flags, problem.UpdatedAt) = (text, expected, split, flags, now);
                updated++;
            }
            else
            {
                unchanged++;
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        var report = new TaskImportReport(dataset, split, created, updated, unchanged, flagged, skipped);
        await AuditLog.WriteAsync(db, request.Actor, "import", "dataset", dataset,
            new { split, created, updated, unchanged, flagged = flagged.Count, skipped = skipped.Count }, cancellationToken);
        return report;
    }

    private static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()?.Trim(),
        JsonValueKind.Number => value.GetRawText(),
        _ => null,
    };

    /// <summary>A finite number, or a string holding one; anything else means the answer is unknown.</summary>
    private static double? GroundTruth(JsonElement item)
    {
        if (!item.TryGetProperty("ground_truth", out var value))
        {
            return null;
        }

        double number;
        if (value.ValueKind == JsonValueKind.Number)
        {
            number = value.GetDouble();
        }
        else if (value.ValueKind != JsonValueKind.String ||
                 !double.TryParse(value.GetString()?.Replace(",", string.Empty, StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out number))
        {
            return null;
        }

        return double.IsFinite(number) ? number : null;
    }
}
