using Google.OrTools.LinearSolver;

// A two-variable integer program whose LP relaxation is fractional, solved by CBC.
public sealed class Furniture : IOptModel
{
    public void Build(IModelContext ctx)
    {
        var solver = Solver.CreateSolver("CBC");
        var x = solver.MakeIntVar(0, 10, "x");
        var y = solver.MakeIntVar(0, 10, "y");
        solver.Add(6 * x + 4 * y <= 24);
        solver.Add(x + 2 * y <= 6);
        solver.Maximize(5 * x + 4 * y);
        ctx.Use(solver);
        ctx.Report("x", x);
        ctx.Report("y", y);
    }
}
