using Google.OrTools.LinearSolver;

// Multi-period inventory with set-up costs (capacitated lot sizing), big-M links production to set-ups.
public sealed class LotSizing : IOptModel
{
    public void Build(IModelContext ctx)
    {
        int[] demand = { 20, 30, 10, 40 };
        int[] unitCost = { 2, 2, 3, 3 };
        const int setupCost = 50;
        const int capacity = 60;
        var solver = Solver.CreateSolver("SCIP");
        var make = solver.MakeIntVarArray(4, 0, capacity, "make");
        var stock = solver.MakeIntVarArray(4, 0, 100, "stock");
        var setup = solver.MakeBoolVarArray(4, "setup");
        var cost = new LinearExpr();
        for (var t = 0; t < 4; t++)
        {
            LinearExpr before = t == 0 ? new LinearExpr() : (LinearExpr)stock[t - 1];
            solver.Add(before + make[t] - stock[t] == demand[t]);
            solver.Add(make[t] <= capacity * setup[t]);
            cost += setupCost * setup[t] + unitCost[t] * make[t] + stock[t];
        }
        solver.Add(stock[3] == 0);
        solver.Minimize(cost);
        ctx.Use(solver);
    }
}
