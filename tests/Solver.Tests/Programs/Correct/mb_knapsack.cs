using Google.OrTools.ModelBuilder;

// The same knapsack with ModelBuilder and SCIP.
public sealed class Knapsack : IOptModel
{
    public void Build(IModelContext ctx)
    {
        double[] values = { 60, 100, 120, 80, 30, 70, 40, 90 };
        double[] weights = { 10, 20, 30, 15, 5, 25, 12, 22 };
        var model = new Model();
        var take = values.Select((_, i) => model.NewBoolVar($"take_{i}")).ToArray();
        model.Add(LinearExpr.WeightedSum(take, weights) <= 70);
        model.Maximize(LinearExpr.WeightedSum(take, values));
        ctx.Use(model, "scip");
    }
}
