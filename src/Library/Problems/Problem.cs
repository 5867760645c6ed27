using System.Text.Json;

namespace OptLib.Library.Problems;

public enum ProblemStatus
{
    Queued,
    Running,
    Solved,
    Failed,
    Cancelled,

    /// <summary>Cancel was asked while it ran; the solve stops at its next check and records a cancelled attempt.</summary>
    Cancelling,

    /// <summary>The model asked questions instead of guessing; <c>POST /api/problems/{id}/clarify</c> answers them and solves it again.</summary>
    NeedsClarification,
}

/// <summary>An optimization problem in plain language, with the answer it should reach when that is known.</summary>
public sealed class Problem
{
    public long Id { get; set; }

    public required string Text { get; set; }

    public double? ExpectedObjective { get; set; }

    public double? ToleranceRelative { get; set; }

    public double? ToleranceAbsolute { get; set; }

    /// <summary>Optional tables given with the problem, as CSV text with a name each.</summary>
    public JsonDocument? Tables { get; set; }

    public string? Dataset { get; set; }

    public string? Split { get; set; }

    public string? ExternalId { get; set; }

    /// <summary>Notes on the data, such as "no ground truth" for an imported item without one.</summary>
    public List<string> Flags { get; set; } = [];

    public ProblemStatus Status { get; set; }

    /// <summary>Each round of questions the model asked, with the user's answers once given, oldest first.</summary>
    public List<Clarification>? Clarifications { get; set; }

    /// <summary>The job of kind "solve" that solves it: its progress, log and cancel are the job's.</summary>
    public long? JobId { get; set; }

    public Jobs.Job? Job { get; set; }

    public string CreatedBy { get; set; } = "system";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

public static class ProblemStatuses
{
    public static IReadOnlyList<string> Names { get; } = Enum.GetValues<ProblemStatus>().Select(Name).ToList();

    public static string Name(ProblemStatus status) => status.ToString().ToLowerInvariant();

    /// <summary>A status by its name, ignoring case; numbers are not names.</summary>
    public static ProblemStatus? Parse(string? status) =>
        Enum.GetValues<ProblemStatus>().Cast<ProblemStatus?>().FirstOrDefault(s => string.Equals(Name(s!.Value), status?.Trim(), StringComparison.OrdinalIgnoreCase));
}
