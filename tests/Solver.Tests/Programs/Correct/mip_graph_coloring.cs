using Google.OrTools.LinearSolver;

// Colour the Petersen graph with as few colours as possible (its chromatic number is 3).
public sealed class Coloring : IOptModel
{
    public void Build(IModelContext ctx)
    {
        var edges = new (int, int)[]
        {
            (0, 1), (1, 2), (2, 3), (3, 4), (4, 0), (0, 5), (1, 6), (2, 7), (3, 8), (4, 9),
            (5, 7), (7, 9), (9, 6), (6, 8), (8, 5),
        };
        const int n = 10;
        const int k = 4;
        var solver = Solver.CreateSolver("SCIP");
        var color = solver.MakeBoolVarMatrix(n, k, "color");
        var used = solver.MakeBoolVarArray(k, "used");
        for (var v = 0; v < n; v++)
        {
            var one = new LinearExpr();
            for (var c = 0; c < k; c++)
            {
                one += color[v, c];
                solver.Add(color[v, c] <= used[c]);
            }
            solver.Add(one == 1);
        }
        foreach (var (a, b) in edges)
            for (var c = 0; c < k; c++)
                solver.Add(color[a, c] + color[b, c] <= 1);
        var count = new LinearExpr();
        for (var c = 0; c < k; c++)
            count += used[c];
        solver.Minimize(count);
        ctx.Use(solver);
    }
}
