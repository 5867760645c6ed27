using Google.OrTools.LinearSolver;

// Nothing stops x + y from growing.
public sealed class Unbounded : IOptModel
{
    public void Build(IModelContext ctx)
    {
        var solver = Solver.CreateSolver("GLOP");
        var x = solver.MakeNumVar(0, double.PositiveInfinity, "x");
        var y = solver.MakeNumVar(0, double.PositiveInfinity, "y");
        solver.Add(x - y <= 1);
        solver.Maximize(x + y);
        ctx.Use(solver);
    }
}
