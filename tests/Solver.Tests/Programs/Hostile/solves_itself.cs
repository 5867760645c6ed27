using Google.OrTools.LinearSolver;

public sealed class Model : IOptModel
{
    public void Build(IModelContext ctx)
    {
        var solver = Solver.CreateSolver("GLOP");
        var x = solver.MakeNumVar(0, 10, "x");
        solver.Maximize(x);
        solver.Solve();
        ctx.Use(solver);
    }
}
