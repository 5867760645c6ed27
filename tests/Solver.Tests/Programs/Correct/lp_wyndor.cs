using Google.OrTools.LinearSolver;

// Hillier & Lieberman's Wyndor Glass problem: optimum 36 at (2, 6).
public sealed class Wyndor : IOptModel
{
    public void Build(IModelContext ctx)
    {
        var solver = Solver.CreateSolver("GLOP");
        var doors = solver.MakeNumVar(0, double.PositiveInfinity, "doors");
        var windows = solver.MakeNumVar(0, double.PositiveInfinity, "windows");
        solver.Add(doors <= 4);
        solver.Add(2 * windows <= 12);
        solver.Add(3 * doors + 2 * windows <= 18);
        solver.Maximize(3 * doors + 5 * windows);
        ctx.Use(solver);
        ctx.Report("doors", doors);
        ctx.Report("windows", windows);
    }
}
