using Google.OrTools.LinearSolver;

// Assignment: four workers, four tasks, each worker exactly one task.
public sealed class Assignment : IOptModel
{
    public void Build(IModelContext ctx)
    {
        int[,] cost = { { 90, 80, 75, 70 }, { 35, 85, 55, 65 }, { 125, 95, 90, 95 }, { 45, 110, 95, 115 } };
        var solver = Solver.CreateSolver("SCIP");
        var x = solver.MakeBoolVarMatrix(4, 4, "x");
        for (var i = 0; i < 4; i++)
        {
            var row = new LinearExpr();
            var column = new LinearExpr();
            for (var j = 0; j < 4; j++)
            {
                row += x[i, j];
                column += x[j, i];
            }
            solver.Add(row == 1);
            solver.Add(column == 1);
        }
        var total = new LinearExpr();
        for (var i = 0; i < 4; i++)
            for (var j = 0; j < 4; j++)
                total += cost[i, j] * x[i, j];
        solver.Minimize(total);
        ctx.Use(solver);
    }
}
