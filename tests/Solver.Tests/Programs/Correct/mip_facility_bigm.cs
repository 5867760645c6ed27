using Google.OrTools.LinearSolver;

// Uncapacitated facility location: open facilities (fixed cost), serve each customer from an open one.
// The link "serve only from open facilities" is a big-M constraint per facility.
public sealed class Facilities : IOptModel
{
    public void Build(IModelContext ctx)
    {
        double[] fixedCost = { 100, 120, 90 };
        double[,] serve = { { 10, 25, 30, 18 }, { 22, 8, 14, 25 }, { 28, 20, 9, 12 } };
        const int customers = 4;
        const double bigM = customers;
        var solver = Solver.CreateSolver("SCIP");
        var open = solver.MakeBoolVarArray(3, "open");
        var assign = solver.MakeNumVarMatrix(3, customers, 0, 1, "assign");
        for (var j = 0; j < customers; j++)
        {
            var served = new LinearExpr();
            for (var i = 0; i < 3; i++)
                served += assign[i, j];
            solver.Add(served == 1);
        }
        for (var i = 0; i < 3; i++)
        {
            var load = new LinearExpr();
            for (var j = 0; j < customers; j++)
                load += assign[i, j];
            solver.Add(load <= bigM * open[i]);
        }
        var cost = new LinearExpr();
        for (var i = 0; i < 3; i++)
        {
            cost += fixedCost[i] * open[i];
            for (var j = 0; j < customers; j++)
                cost += serve[i, j] * assign[i, j];
        }
        solver.Minimize(cost);
        ctx.Use(solver);
        for (var i = 0; i < 3; i++)
            ctx.Report($"open_{i}", open[i]);
    }
}
