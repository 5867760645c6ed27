using Google.OrTools.LinearSolver;

// The transportation problem with whole truckloads, solved by CBC.
public sealed class Transport : IOptModel
{
    public void Build(IModelContext ctx)
    {
        int[] supply = { 50, 60 };
        int[] demand = { 30, 40, 35 };
        int[,] cost = { { 4, 6, 9 }, { 5, 3, 8 } };
        var solver = Solver.CreateSolver("CBC");
        var ship = solver.MakeIntVarMatrix(2, 3, 0, 100, "ship");
        for (var i = 0; i < 2; i++)
        {
            var c = solver.MakeConstraint(double.NegativeInfinity, supply[i], $"supply_{i}");
            for (var j = 0; j < 3; j++)
                c.SetCoefficient(ship[i, j], 1);
        }
        for (var j = 0; j < 3; j++)
        {
            var c = solver.MakeConstraint(demand[j], demand[j], $"demand_{j}");
            for (var i = 0; i < 2; i++)
                c.SetCoefficient(ship[i, j], 1);
        }
        var objective = solver.Objective();
        for (var i = 0; i < 2; i++)
            for (var j = 0; j < 3; j++)
                objective.SetCoefficient(ship[i, j], cost[i, j]);
        objective.SetMinimization();
        ctx.Use(solver);
    }
}
