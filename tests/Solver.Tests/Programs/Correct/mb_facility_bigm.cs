using Google.OrTools.ModelBuilder;

// The same facility location with ModelBuilder: binary assignment, big-M link.
public sealed class Facilities : IOptModel
{
    public void Build(IModelContext ctx)
    {
        double[] fixedCost = { 100, 120, 90 };
        double[,] serve = { { 10, 25, 30, 18 }, { 22, 8, 14, 25 }, { 28, 20, 9, 12 } };
        var model = new Model();
        var open = Enumerable.Range(0, 3).Select(i => model.NewBoolVar($"open_{i}")).ToArray();
        var assign = new Variable[3, 4];
        for (var i = 0; i < 3; i++)
            for (var j = 0; j < 4; j++)
                assign[i, j] = model.NewBoolVar($"assign_{i}_{j}");
        for (var j = 0; j < 4; j++)
            model.Add(LinearExpr.Sum(Enumerable.Range(0, 3).Select(i => assign[i, j])) == 1);
        for (var i = 0; i < 3; i++)
            model.Add(LinearExpr.Sum(Enumerable.Range(0, 4).Select(j => assign[i, j])) <= 4 * open[i]);
        var cost = LinearExpr.NewBuilder();
        for (var i = 0; i < 3; i++)
        {
            cost.AddTerm(open[i], fixedCost[i]);
            for (var j = 0; j < 4; j++)
                cost.AddTerm(assign[i, j], serve[i, j]);
        }
        model.Minimize(cost);
        ctx.Use(model);
    }
}
