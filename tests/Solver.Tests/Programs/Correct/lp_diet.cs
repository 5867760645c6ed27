using Google.OrTools.LinearSolver;

// Diet: three foods, three nutrient minimums, least cost.
public sealed class Diet : IOptModel
{
    public void Build(IModelContext ctx)
    {
        var solver = Solver.CreateSolver("GLOP");
        var bread = solver.MakeNumVar(0, double.PositiveInfinity, "bread");
        var milk = solver.MakeNumVar(0, double.PositiveInfinity, "milk");
        var beans = solver.MakeNumVar(0, double.PositiveInfinity, "beans");
        solver.Add(10 * bread + 20 * milk + 5 * beans >= 100);
        solver.Add(2 * bread + milk + 3 * beans >= 24);
        solver.Add(4 * milk + beans >= 12);
        solver.Minimize(2 * bread + 3 * milk + beans);
        ctx.Use(solver);
    }
}
