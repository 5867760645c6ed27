using System.ComponentModel.DataAnnotations;

namespace OptLib.Library.Solving;

/// <summary>Settings under "Pipeline": how a problem goes from text to a verified answer.</summary>
public sealed class PipelineOptions
{
    public const string Section = "Pipeline";

    /// <summary>Insights retrieved for each stage.</summary>
    [Range(0, 50)]
    public int InsightsPerStage { get; set; } = 6;

    /// <summary>Self-debug rounds after a program fails to compile, is rejected, crashes or times out.</summary>
    [Range(0, 10)]
    public int MaxDebugRounds { get; set; } = 3;

    /// <summary>Asks for a formulation or program before an empty reply, or one without its block, ends the attempt as ModelFailed.</summary>
    [Range(1, 5)]
    public int ReplyAttempts { get; set; } = 2;

    /// <summary>Put each insight's wrong-and-right example in the prompts too (longer prompts).</summary>
    public bool IncludeExamples { get; set; }

    [Range(1, 600)]
    public double SolverTimeLimitSeconds { get; set; } = 10;

    /// <summary>
    /// Solve every solved linear model again with a second solver, and call a disagreement Unverified, never Correct.
    /// Evaluations and comparisons always do; this turns it on for every solve.
    /// </summary>
    public bool CrossCheck { get; set; }

    /// <summary>
    /// Programs written for a solved problem, the answer's own included: past 1, the model writes the others
    /// independently, each is solved, and the attempt's confidence is the share whose objective matches the answer's.
    /// </summary>
    [Range(1, 10)]
    public int Samples { get; set; } = 1;
}
