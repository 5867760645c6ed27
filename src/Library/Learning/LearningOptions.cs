using System.ComponentModel.DataAnnotations;

namespace OptLib.Library.Learning;

/// <summary>Settings under "Learning": how failed attempts become verified insights.</summary>
public sealed class LearningOptions
{
    public const string Section = "Learning";

    /// <summary>New insights wait as proposed until an analyst approves them; off, a verified insight is active at once.</summary>
    public bool RequireApproval { get; set; }

    /// <summary>Diagnose-and-repair rounds for a program that does not compile or run.</summary>
    [Range(1, 10)]
    public int MaxRepairRounds { get; set; } = 3;

    /// <summary>New programs self-exploration may try for a formulation failure.</summary>
    [Range(1, 10)]
    public int MaxExplorePrograms { get; set; } = 3;

    /// <summary>Extractions tried (each verified by re-solving) before the unverified insights are discarded.</summary>
    [Range(1, 5)]
    public int MaxExtractions { get; set; } = 2;

    /// <summary>Insights extracted per try at most.</summary>
    [Range(1, 10)]
    public int MaxInsightsPerExtraction { get; set; } = 3;

    /// <summary>Existing insights offered to the model as merge partners.</summary>
    [Range(0, 10)]
    public int MergeNeighbours { get; set; } = 3;

    /// <summary>Cosine similarity a neighbour needs (besides a shared taxonomy label) to be offered.</summary>
    [Range(0.0, 1.0)]
    public double MergeSimilarity { get; set; } = 0.5;

    /// <summary>
    /// Cosine similarity at which a candidate (or a new insight) says what an existing insight with a shared label says:
    /// it is folded into that insight, which keeps its text, instead of standing beside it.
    /// </summary>
    [Range(0.5, 1.0)]
    public double DuplicateSimilarity { get; set; } = 0.95;

    /// <summary>
    /// Problems a merged text must reach the answer on before it replaces the survivor's: the candidate's own, then
    /// the survivor's newest sources. Each (text, problem) verdict is remembered, so none is solved twice.
    /// </summary>
    [Range(1, 10)]
    public int MergeReverifications { get; set; } = 2;

    /// <summary>Tries of one learn item (a fresh start each, after a write race or a fault) before it counts as failed.</summary>
    [Range(1, 5)]
    public int ItemTries { get; set; } = 3;

    /// <summary>Re-asks when the model's JSON is unusable.</summary>
    [Range(1, 5)]
    public int JsonAttempts { get; set; } = 2;
}
