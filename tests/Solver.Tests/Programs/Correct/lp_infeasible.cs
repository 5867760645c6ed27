using Google.OrTools.LinearSolver;

// x + y cannot be both at most 1 and at least 2.
public sealed class Impossible : IOptModel
{
    public void Build(IModelContext ctx)
    {
        var solver = Solver.CreateSolver("GLOP");
        var x = solver.MakeNumVar(0, 10, "x");
        var y = solver.MakeNumVar(0, 10, "y");
        solver.Add(x + y <= 1);
        solver.Add(x + y >= 2);
        solver.Maximize(x);
        ctx.Use(solver);
    }
}
