using Google.OrTools.LinearSolver;

// Multi-period inventory: produce at most 60 a period, carry stock at 1 a unit a period, meet every demand.
public sealed class Inventory : IOptModel
{
    public void Build(IModelContext ctx)
    {
        double[] demand = { 40, 60, 75, 25 };
        double[] unitCost = { 10, 12, 11, 13 };
        var solver = Solver.CreateSolver("GLOP");
        var make = solver.MakeNumVarArray(4, 0, 60, "make");
        var stock = solver.MakeNumVarArray(4, 0, double.PositiveInfinity, "stock");
        for (var t = 0; t < 4; t++)
        {
            LinearExpr before = t == 0 ? new LinearExpr() : (LinearExpr)stock[t - 1];
            solver.Add(before + make[t] - stock[t] == demand[t]);
        }
        var cost = new LinearExpr();
        for (var t = 0; t < 4; t++)
            cost += unitCost[t] * make[t] + stock[t];
        solver.Minimize(cost);
        ctx.Use(solver);
    }
}
