using Google.OrTools.LinearSolver;

public sealed class Model : IOptModel
{
    public void Build(IModelContext ctx)
    {
        var solver = Solver.CreateSolver("SCIP");
        solver.SetSolverSpecificParametersAsString("write/genericnamesoffset = 1");
        ctx.Use(solver);
    }
}
