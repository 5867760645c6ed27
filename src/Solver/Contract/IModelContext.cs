namespace OptLib.Solver.Contract;

// This source is also the contract text the model is shown (OptLib.Solver.ContractPrompt): full type names, since a
// program has no aliases, and comments a model can read.

/// <summary>
/// Handed to <see cref="IOptModel.Build"/>. Register exactly one model, then name the variables to report.
/// When nothing is named, every variable of a linear model is reported under its own name.
/// </summary>
public interface IModelContext
{
    /// <summary>A linear solver made with <c>Solver.CreateSolver("SCIP" | "CBC" | "GLOP" | "PDLP")</c>.</summary>
    void Use(Google.OrTools.LinearSolver.Solver solver);

    /// <summary>A CP-SAT model; the harness solves it with CP-SAT.</summary>
    void Use(Google.OrTools.Sat.CpModel model);

    /// <summary>A ModelBuilder model, solved by <paramref name="solverName"/> ("scip", "glop", "pdlp", "cbc", "highs", "sat").</summary>
    void Use(Google.OrTools.ModelBuilder.Model model, string solverName = "scip");

    void Report(string name, Google.OrTools.LinearSolver.Variable variable);

    void Report(string name, Google.OrTools.Sat.IntVar variable);

    void Report(string name, Google.OrTools.ModelBuilder.Variable variable);
}
