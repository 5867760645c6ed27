namespace OptLib.Library.Learning;

/// <summary>A program that reached the expected answer where an attempt had failed, beside what it replaced.</summary>
/// <param name="Kind">"program" for a repaired program failure, "formulation" for a self-explored wrong answer.</param>
/// <param name="Feedback">The diagnosis or the solver feedback that led to it.</param>
/// <param name="Tries">Model calls it took.</param>
public sealed record Breakthrough(
    string Kind,
    string FailedFormulation,
    string FailedProgram,
    string Formulation,
    string Program,
    double Objective,
    string Feedback,
    int Tries);
