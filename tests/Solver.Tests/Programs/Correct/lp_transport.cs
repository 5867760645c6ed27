using Google.OrTools.LinearSolver;

// Transportation: two plants (capacity 50, 60) ship to three markets (demand 30, 40, 35).
public sealed class Transport : IOptModel
{
    public void Build(IModelContext ctx)
    {
        double[] supply = { 50, 60 };
        double[] demand = { 30, 40, 35 };
        double[,] cost = { { 4, 6, 9 }, { 5, 3, 8 } };
        var solver = Solver.CreateSolver("GLOP");
        var ship = new Variable[2, 3];
        for (var i = 0; i < 2; i++)
            for (var j = 0; j < 3; j++)
                ship[i, j] = solver.MakeNumVar(0, double.PositiveInfinity, $"ship_{i}_{j}");
        for (var i = 0; i < 2; i++)
            solver.Add(Enumerable.Range(0, 3).Select(j => (LinearExpr)ship[i, j]).ToArray().Sum() <= supply[i]);
        for (var j = 0; j < 3; j++)
            solver.Add(Enumerable.Range(0, 2).Select(i => (LinearExpr)ship[i, j]).ToArray().Sum() == demand[j]);
        var total = new LinearExpr();
        for (var i = 0; i < 2; i++)
            for (var j = 0; j < 3; j++)
                total += cost[i, j] * ship[i, j];
        solver.Minimize(total);
        ctx.Use(solver);
    }
}
