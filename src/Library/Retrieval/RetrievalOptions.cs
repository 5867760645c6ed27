using System.ComponentModel.DataAnnotations;

namespace OptLib.Library.Retrieval;

/// <summary>
/// Settings under "Retrieval": the model-backed stage of <see cref="RetrieveInsights"/> and the caps that keep its
/// prompts about the same size however large the library grows (docs/decisions/0007-bounded-retrieval-prompt.md).
/// </summary>
public sealed class RetrievalOptions : IValidatableObject
{
    public const string Section = "Retrieval";

    /// <summary>Ask the configured model to label the problem and check the candidates' conditions. Off: lexical ranking only.</summary>
    public bool UseModel { get; set; } = true;

    /// <summary>
    /// At most this many of the best fused candidates are judged, in one call; fewer when the budget is spent first.
    /// With the defaults the budget decides: 30 to 72 candidates (57 on average) for AlphaOPT's task descriptions.
    /// </summary>
    [Range(1, 200)]
    public int ApplicabilityCandidates { get; set; } = 80;

    /// <summary>Each candidate's condition is shown as a digest of at most this many o200k tokens, its exclusions kept.</summary>
    [Range(16, 1000)]
    public int MaxConditionTokens { get; set; } = 30;

    /// <summary>The problem (and, for the program stage, the formulation) is cut to this many tokens in either prompt.</summary>
    [Range(100, 20_000)]
    public int MaxProblemTokens { get; set; } = 600;

    /// <summary>
    /// The ceiling of a retrieval's two prompts together, in o200k tokens. The labelling prompt takes at most half (a
    /// taxonomy whose label list would pass it shows its labels with the most active insights first, as many as fit);
    /// the applicability prompt judges as many candidates as fit in what it left.
    /// </summary>
    [Range(500, 100_000)]
    public int PromptTokenBudget { get; set; } = 2500;

    /// <summary>
    /// Full-text search keeps the problem's rarest words, as many as match at most about this many insights by the
    /// library's document frequencies; a library with no more active insights keeps every word (<see cref="TextQuery"/>).
    /// ts_rank reads every matched row, so this bounds the text query's time: at 100k insights retrieval without a model
    /// took 43 / 63 ms p50 / p95 at 2,000 and 27 / 42 ms at 1,000 (ADR 0018).
    /// </summary>
    [Range(100, 1_000_000)]
    public int MaxTextMatches { get; set; } = 1000;

    /// <summary>How often a reply that is not the JSON asked for is sent back before the lexical ranking stands.</summary>
    [Range(1, 5)]
    public int MaxAttempts { get; set; } = 2;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // Each prompt's fixed parts (instructions, the problem, one candidate) must fit in its half, or no prompt could
        // be built at all.
        var fixedParts = MaxProblemTokens + MaxConditionTokens + 300;
        if (2 * fixedParts > PromptTokenBudget)
        {
            yield return new ValidationResult(
                $"{Section}:PromptTokenBudget ({PromptTokenBudget}) must be at least twice {Section}:MaxProblemTokens + {Section}:MaxConditionTokens + 300 ({2 * fixedParts}): the two prompts share it.",
                [nameof(PromptTokenBudget)]);
        }
    }
}
