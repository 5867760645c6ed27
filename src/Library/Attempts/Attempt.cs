using OptLib.Library.Models;
using OptLib.Library.Retrieval;
using OptLib.Solver.Runs;

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

    /// <summary>Solved, but a second solver disagreed (the solver result's crossCheck): not Correct, and not learning work.</summary>
    Unverified,

    /// <summary>The formulation step found data missing or the problem ambiguous, and asked instead of guessing.</summary>
    NeedsClarification,
}

/// <summary>One run of the formulate, program and solve pipeline over a problem, with everything it did.</summary>
public sealed class Attempt
{
    public long Id { get; set; }

    public long ProblemId { get; set; }

    /// <summary>The attempt a what-if changed; set only on what-if attempts, which never stand for the problem's answer.</summary>
    public long? ParentAttemptId { get; set; }

    /// <summary>The change a what-if attempt was asked to make ("demand is 10% higher").</summary>
    public string? WhatIf { get; set; }

    public AttemptStatus Status { get; set; }

    public string? Formulation { get; set; }

    /// <summary>The final program; every version with its diagnostics is in <see cref="Programs"/>.</summary>
    public string? Program { get; set; }

    public List<AttemptProgram>? Programs { get; set; }

    /// <summary>What the sandbox said of the final program.</summary>
    public RunResult? SolverResult { get; set; }

    public double? Objective { get; set; }

    /// <summary>The retrieved insights with all their scores and reasons, per stage.</summary>
    public AttemptRetrieval? RetrievedInsights { get; set; }

    /// <summary>Model usage per call: model, tokens in and out, latency, outcome.</summary>
    public List<ModelUsage>? ModelUsage { get; set; }

    /// <summary>Milliseconds per step (retrieveFormulation, formulate, retrieveProgram, program, sandbox) and in total.</summary>
    public Dictionary<string, double>? Timings { get; set; }

    /// <summary>The templates' ids ("formulation@2"), formulation, program and self-debug.</summary>
    public List<string>? PromptVersions { get; set; }

    public int PromptTokens { get; set; }

    public int CompletionTokens { get; set; }

    public decimal CostEstimate { get; set; }

    public string? Error { get; set; }

    /// <summary>How many independent programs reached the answer's objective (Pipeline:Samples past 1).</summary>
    public AnswerConfidence? Confidence { get; set; }

    /// <summary>The questions the formulation step asked instead of guessing (status NeedsClarification).</summary>
    public Problems.ClarificationRequest? Clarification { get; set; }

    /// <summary>Set when a failure with a known answer waits for the learning cycle.</summary>
    public bool QueuedForLearning { get; set; }

    /// <summary>Why the attempt waits for learning or never will (held out, a side run, no known answer, ...).</summary>
    public string? LearningNote { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }
}

/// <summary>One program an attempt ran: round 0 is the first, each self-debug round adds one.</summary>
public sealed record AttemptProgram(int Round, string Source, RunStatus Status, IReadOnlyList<Diagnostic> Diagnostics);

/// <summary>
/// The agreement of independent programs for one problem: each sample's objective (null when it did not solve), the
/// answer's first; <see cref="Confidence"/> is the share that match the answer's objective.
/// </summary>
public sealed record AnswerConfidence(IReadOnlyList<double?> Objectives, int Agreeing, double Confidence);

/// <summary>What retrieval gave each stage, and the purpose of a side run (null for a problem's own solve).</summary>
public sealed record AttemptRetrieval(RetrievalResult Formulation, RetrievalResult Program, string? Purpose);
