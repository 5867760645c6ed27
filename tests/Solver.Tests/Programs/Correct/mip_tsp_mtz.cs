using Google.OrTools.LinearSolver;

// TSP on seven cities with Miller-Tucker-Zemlin subtour elimination.
public sealed class Tour : IOptModel
{
    public void Build(IModelContext ctx)
    {
        int[,] d =
        {
            { 0, 29, 20, 21, 16, 31, 100 }, { 29, 0, 15, 29, 28, 40, 72 }, { 20, 15, 0, 15, 14, 25, 81 },
            { 21, 29, 15, 0, 4, 12, 92 }, { 16, 28, 14, 4, 0, 16, 94 }, { 31, 40, 25, 12, 16, 0, 95 },
            { 100, 72, 81, 92, 94, 95, 0 },
        };
        const int n = 7;
        var solver = Solver.CreateSolver("SCIP");
        var x = solver.MakeBoolVarMatrix(n, n, "x");
        var order = solver.MakeNumVarArray(n, 1, n - 1, "u");
        for (var i = 0; i < n; i++)
        {
            solver.Add(x[i, i] == 0);
            var outgoing = new LinearExpr();
            var incoming = new LinearExpr();
            for (var j = 0; j < n; j++)
            {
                outgoing += x[i, j];
                incoming += x[j, i];
            }
            solver.Add(outgoing == 1);
            solver.Add(incoming == 1);
        }
        for (var i = 1; i < n; i++)
            for (var j = 1; j < n; j++)
                if (i != j)
                    solver.Add(order[i] - order[j] + (n - 1) * x[i, j] <= n - 2);
        var length = new LinearExpr();
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
                length += d[i, j] * x[i, j];
        solver.Minimize(length);
        ctx.Use(solver);
    }
}
