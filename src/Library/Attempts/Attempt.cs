using System.Text.Json;

namespace OptLib.Library.Attempts;

public enum AttemptStatus
{
    Running,
    Correct,
    WrongAnswer,
    Solved,
    Infeasible,
    Unbounded,
    ProgramFailed,
    ModelFailed,
    Cancelled,
}

/// <summary>One run of the formulate, program and solve pipeline over a problem, with everything it did.</summary>
public sealed class Attempt
{
    public long Id { get; set; }

    public long ProblemId { get; set; }

    public AttemptStatus Status { get; set; }

    public string? Formulation { get; set; }

    /// <summary>The final program; every version with its diagnostics is in <see cref="Programs"/>.</summary>
    public string? Program { get; set; }

    public JsonDocument? Programs { get; set; }

    public JsonDocument? SolverResult { get; set; }

    public double? Objective { get; set; }

    /// <summary>The retrieved insights with all their scores and reasons, per stage.</summary>
    public JsonDocument? RetrievedInsights { get; set; }

    /// <summary>Model usage per call: model, tokens in and out, latency, outcome.</summary>
    public JsonDocument? ModelUsage { get; set; }

    public JsonDocument? Timings { get; set; }

    public JsonDocument? PromptVersions { get; set; }

    public int PromptTokens { get; set; }

    public int CompletionTokens { get; set; }

    public decimal CostEstimate { get; set; }

    public string? Error { get; set; }

    /// <summary>Set when a failure with a known answer waits for the learning cycle.</summary>
    public bool QueuedForLearning { get; set; }

    /// <summary>Why the attempt waits for learning or never will (held out, a side run, no known answer, ...).</summary>
    public string? LearningNote { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }
}
