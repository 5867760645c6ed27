using Google.OrTools.Sat;

// One machine, five jobs: minimise the weighted sum of completion times (intervals and no-overlap).
public sealed class Sequencing : IOptModel
{
    public void Build(IModelContext ctx)
    {
        int[] duration = { 3, 1, 4, 2, 5 };
        long[] weight = { 2, 5, 1, 4, 3 };
        var horizon = duration.Sum();
        var model = new CpModel();
        var ends = new List<IntVar>();
        var intervals = new List<IntervalVar>();
        for (var j = 0; j < duration.Length; j++)
        {
            var start = model.NewIntVar(0, horizon, $"start_{j}");
            var end = model.NewIntVar(0, horizon, $"end_{j}");
            intervals.Add(model.NewIntervalVar(start, duration[j], end, $"job_{j}"));
            ends.Add(end);
        }
        model.AddNoOverlap(intervals);
        model.Minimize(LinearExpr.WeightedSum(ends, weight));
        ctx.Use(model);
    }
}
