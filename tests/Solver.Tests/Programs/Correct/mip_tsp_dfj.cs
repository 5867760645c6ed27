using Google.OrTools.LinearSolver;

// TSP on six cities with every subtour-elimination constraint written out (Dantzig-Fulkerson-Johnson).
public sealed class Tour : IOptModel
{
    public void Build(IModelContext ctx)
    {
        int[,] d =
        {
            { 0, 12, 10, 19, 8, 14 }, { 12, 0, 3, 7, 2, 11 }, { 10, 3, 0, 6, 20, 4 },
            { 19, 7, 6, 0, 4, 9 }, { 8, 2, 20, 4, 0, 13 }, { 14, 11, 4, 9, 13, 0 },
        };
        const int n = 6;
        var solver = Solver.CreateSolver("SCIP");
        var x = solver.MakeBoolVarMatrix(n, n, "x");
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
        for (var mask = 1; mask < (1 << n) - 1; mask++)
        {
            var members = Enumerable.Range(0, n).Where(i => (mask >> i & 1) == 1).ToArray();
            if (members.Length < 2)
                continue;
            var inside = new LinearExpr();
            foreach (var i in members)
                foreach (var j in members)
                    if (i != j)
                        inside += x[i, j];
            solver.Add(inside <= members.Length - 1);
        }
        var length = new LinearExpr();
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
                length += d[i, j] * x[i, j];
        solver.Minimize(length);
        ctx.Use(solver);
    }
}
