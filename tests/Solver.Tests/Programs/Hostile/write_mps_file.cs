using Google.OrTools.LinearSolver;

public sealed class Model : IOptModel
{
    public void Build(IModelContext ctx)
    {
        var solver = Solver.CreateSolver("SCIP");
        var x = solver.MakeIntVar(0, 10, "x");
        solver.Maximize(x);
        solver.WriteModelToMpsFile("/tmp/model.mps", false, false);
        ctx.Use(solver);
    }
}
