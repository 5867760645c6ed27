using System.Text.Json.Serialization;

namespace OptLib.Solver.Runs;

[JsonConverter(typeof(JsonStringEnumConverter<ProgramLanguage>))]
public enum ProgramLanguage
{
    CSharp,
    Lp,
    Mps,
}

/// <summary>How an objective is compared with the expected one.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ToleranceRule>))]
public enum ToleranceRule
{
    /// <summary>|got - expected| within max(absolute, relative * |expected|), from <see cref="SolverOptions"/> (1e-6 / 1e-4).</summary>
    Default,

    /// <summary>AlphaOPT's rule, absolute 0.1, so that benchmark figures are comparable with theirs.</summary>
    AlphaOpt,
}

/// <summary>One program to compile, police, run and check. A null time limit takes the configured default.</summary>
public sealed record RunRequest(
    ProgramLanguage Language,
    string Source,
    double? TimeLimitSeconds = null,
    double? ExpectedObjective = null,
    ToleranceRule Tolerance = ToleranceRule.Default,
    bool CrossCheck = false);
