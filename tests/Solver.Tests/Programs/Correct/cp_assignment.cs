using Google.OrTools.Sat;

// Assignment with CP-SAT: five workers, five tasks.
public sealed class Assignment : IOptModel
{
    public void Build(IModelContext ctx)
    {
        long[,] cost = { { 9, 2, 7, 8, 6 }, { 6, 4, 3, 7, 5 }, { 5, 8, 1, 8, 7 }, { 7, 6, 9, 4, 8 }, { 3, 7, 6, 5, 9 } };
        var model = new CpModel();
        var x = new BoolVar[5, 5];
        for (var i = 0; i < 5; i++)
            for (var j = 0; j < 5; j++)
                x[i, j] = model.NewBoolVar($"x_{i}_{j}");
        for (var i = 0; i < 5; i++)
        {
            model.AddExactlyOne(Enumerable.Range(0, 5).Select(j => x[i, j]));
            model.AddExactlyOne(Enumerable.Range(0, 5).Select(j => x[j, i]));
        }
        var terms = new List<LinearExpr>();
        for (var i = 0; i < 5; i++)
            for (var j = 0; j < 5; j++)
                terms.Add(cost[i, j] * x[i, j]);
        model.Minimize(LinearExpr.Sum(terms));
        ctx.Use(model);
    }
}
