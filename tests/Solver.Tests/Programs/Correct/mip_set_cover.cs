using Google.OrTools.LinearSolver;

// Weighted set cover: pick sets covering elements 1..8 at least cost.
public sealed class SetCover : IOptModel
{
    public void Build(IModelContext ctx)
    {
        double[] cost = { 5, 4, 6, 3, 7, 2 };
        int[][] covers = { new[] { 1, 2, 3 }, new[] { 2, 4 }, new[] { 3, 4, 5, 6 }, new[] { 1, 5 }, new[] { 6, 7, 8 }, new[] { 7, 8 } };
        var solver = Solver.CreateSolver("SCIP");
        var pick = solver.MakeBoolVarArray(cost.Length, "pick");
        for (var e = 1; e <= 8; e++)
        {
            var covering = new LinearExpr();
            for (var s = 0; s < covers.Length; s++)
                if (covers[s].Contains(e))
                    covering += pick[s];
            solver.Add(covering >= 1);
        }
        var total = new LinearExpr();
        for (var s = 0; s < cost.Length; s++)
            total += cost[s] * pick[s];
        solver.Minimize(total);
        ctx.Use(solver);
    }
}
