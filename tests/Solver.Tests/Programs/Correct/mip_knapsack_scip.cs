using Google.OrTools.LinearSolver;

// 0/1 knapsack with SCIP.
public sealed class Knapsack : IOptModel
{
    public void Build(IModelContext ctx)
    {
        long[] values = { 60, 100, 120, 80, 30, 70, 40, 90 };
        long[] weights = { 10, 20, 30, 15, 5, 25, 12, 22 };
        var solver = Solver.CreateSolver("SCIP");
        var take = solver.MakeBoolVarArray(values.Length, "take");
        var weight = new LinearExpr();
        var value = new LinearExpr();
        for (var i = 0; i < values.Length; i++)
        {
            weight += weights[i] * take[i];
            value += values[i] * take[i];
        }
        solver.Add(weight <= 70);
        solver.Maximize(value);
        ctx.Use(solver);
    }
}
