using System.ComponentModel.DataAnnotations;

namespace OptLib.Library.Evolution;

/// <summary>Settings under "Evolution": diagnosing retrieval on solved problems and refining conditions.</summary>
public sealed class EvolutionOptions
{
    public const string Section = "Evolution";

    /// <summary>Insights ranked just below those retrieved that a failed problem is re-run with, one at a time.</summary>
    [Range(0, 10)]
    public int UnretrievedCandidates { get; set; } = 3;

    /// <summary>Candidate conditions asked for per refinement.</summary>
    [Range(1, 10)]
    public int ConditionCandidates { get; set; } = 3;
}
