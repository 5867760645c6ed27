using Google.OrTools.Sat;

// The same knapsack with CP-SAT.
public sealed class Knapsack : IOptModel
{
    public void Build(IModelContext ctx)
    {
        long[] values = { 60, 100, 120, 80, 30, 70, 40, 90 };
        long[] weights = { 10, 20, 30, 15, 5, 25, 12, 22 };
        var model = new CpModel();
        var take = values.Select((_, i) => model.NewBoolVar($"take_{i}")).ToArray();
        model.Add(LinearExpr.WeightedSum(take, weights) <= 70);
        model.Maximize(LinearExpr.WeightedSum(take, values));
        ctx.Use(model);
        for (var i = 0; i < take.Length; i++)
            ctx.Report($"take_{i}", take[i]);
    }
}
