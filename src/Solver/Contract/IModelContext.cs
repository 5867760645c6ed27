using CpModel = Google.OrTools.Sat.CpModel;
using CpVar = Google.OrTools.Sat.IntVar;
using LinearSolverVar = Google.OrTools.LinearSolver.Variable;
using LinearSolver = Google.OrTools.LinearSolver.Solver;
using MbModel = Google.OrTools.ModelBuilder.Model;
using MbVar = Google.OrTools.ModelBuilder.Variable;

namespace OptLib.Solver.Contract;

/// <summary>
/// Handed to <see cref="IOptModel.Build"/>. Register exactly one model, then name the variables to report.
/// When nothing is named, every variable of a linear model is reported under its own name.
/// </summary>
public interface IModelContext
{
    /// <summary>A linear solver made with <c>Solver.CreateSolver("SCIP" | "CBC" | "GLOP" | "PDLP")</c>.</summary>
    void Use(LinearSolver solver);

    /// <summary>A CP-SAT model; the harness solves it with CP-SAT.</summary>
    void Use(CpModel model);

    /// <summary>A ModelBuilder model, solved by <paramref name="solverName"/> ("scip", "glop", "pdlp", "cbc", "highs", "sat").</summary>
    void Use(MbModel model, string solverName = "scip");

    void Report(string name, LinearSolverVar variable);

    void Report(string name, CpVar variable);

    void Report(string name, MbVar variable);
}
