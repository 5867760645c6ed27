using Google.OrTools.LinearSolver;

// Two products, two resources, solved by the first-order PDLP solver.
public sealed class Production : IOptModel
{
    public void Build(IModelContext ctx)
    {
        var solver = Solver.CreateSolver("PDLP");
        var a = solver.MakeNumVar(0, double.PositiveInfinity, "a");
        var b = solver.MakeNumVar(0, double.PositiveInfinity, "b");
        solver.Add(a + 2 * b <= 40);
        solver.Add(3 * a + b <= 45);
        solver.Maximize(20 * a + 30 * b);
        ctx.Use(solver);
    }
}
