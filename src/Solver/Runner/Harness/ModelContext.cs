using OptLib.Solver.Contract;
using CpModel = Google.OrTools.Sat.CpModel;
using CpVar = Google.OrTools.Sat.IntVar;
using LinearSolver = Google.OrTools.LinearSolver.Solver;
using LinearSolverVar = Google.OrTools.LinearSolver.Variable;
using MbModel = Google.OrTools.ModelBuilder.Model;
using MbVar = Google.OrTools.ModelBuilder.Variable;

namespace OptLib.Solver.Runner.Harness;

/// <summary>What the program registered during Build: one model and the variables it wants reported.</summary>
internal sealed class ModelContext : IModelContext
{
    public LinearSolver? LinearSolver { get; private set; }
    public CpModel? CpModel { get; private set; }
    public MbModel? Model { get; private set; }
    public string ModelBuilderSolver { get; private set; } = "scip";

    public List<(string Name, LinearSolverVar Variable)> LinearReports { get; } = [];
    public List<(string Name, CpVar Variable)> CpReports { get; } = [];
    public List<(string Name, MbVar Variable)> ModelReports { get; } = [];

    public int Registered => (LinearSolver is null ? 0 : 1) + (CpModel is null ? 0 : 1) + (Model is null ? 0 : 1);

    public void Use(LinearSolver solver)
    {
        ArgumentNullException.ThrowIfNull(solver);
        EnsureFirst();
        LinearSolver = solver;
    }

    public void Use(CpModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        EnsureFirst();
        CpModel = model;
    }

    public void Use(MbModel model, string solverName = "scip")
    {
        ArgumentNullException.ThrowIfNull(model);
        EnsureFirst();
        Model = model;
        ModelBuilderSolver = solverName;
    }

    public void Report(string name, LinearSolverVar variable) => LinearReports.Add((name, variable));

    public void Report(string name, CpVar variable) => CpReports.Add((name, variable));

    public void Report(string name, MbVar variable) => ModelReports.Add((name, variable));

    private void EnsureFirst()
    {
        if (Registered > 0)
            throw new InvalidOperationException("IModelContext.Use may be called only once: register exactly one model.");
    }
}
