using Google.OrTools.Sat;

// The same six-city TSP with CP-SAT's circuit constraint.
public sealed class Tour : IOptModel
{
    public void Build(IModelContext ctx)
    {
        long[,] d =
        {
            { 0, 12, 10, 19, 8, 14 }, { 12, 0, 3, 7, 2, 11 }, { 10, 3, 0, 6, 20, 4 },
            { 19, 7, 6, 0, 4, 9 }, { 8, 2, 20, 4, 0, 13 }, { 14, 11, 4, 9, 13, 0 },
        };
        const int n = 6;
        var model = new CpModel();
        var circuit = model.AddCircuit();
        var arcs = new List<BoolVar>();
        var lengths = new List<long>();
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
            {
                if (i == j)
                    continue;
                var arc = model.NewBoolVar($"arc_{i}_{j}");
                circuit.AddArc(i, j, arc);
                arcs.Add(arc);
                lengths.Add(d[i, j]);
            }
        model.Minimize(LinearExpr.WeightedSum(arcs, lengths));
        ctx.Use(model);
    }
}
