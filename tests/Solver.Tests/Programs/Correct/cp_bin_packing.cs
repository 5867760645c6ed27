using Google.OrTools.Sat;

// Bin packing: six items, bins of size 10, use as few bins as possible.
public sealed class BinPacking : IOptModel
{
    public void Build(IModelContext ctx)
    {
        long[] size = { 4, 8, 1, 4, 2, 1 };
        const int bins = 6;
        var model = new CpModel();
        var put = new BoolVar[size.Length, bins];
        var used = new BoolVar[bins];
        for (var b = 0; b < bins; b++)
            used[b] = model.NewBoolVar($"used_{b}");
        for (var i = 0; i < size.Length; i++)
        {
            for (var b = 0; b < bins; b++)
                put[i, b] = model.NewBoolVar($"put_{i}_{b}");
            model.AddExactlyOne(Enumerable.Range(0, bins).Select(b => put[i, b]));
        }
        for (var b = 0; b < bins; b++)
        {
            var load = LinearExpr.WeightedSum(Enumerable.Range(0, size.Length).Select(i => put[i, b]), size);
            model.Add(load <= 10 * used[b]);
        }
        model.Minimize(LinearExpr.Sum(used));
        ctx.Use(model);
    }
}
