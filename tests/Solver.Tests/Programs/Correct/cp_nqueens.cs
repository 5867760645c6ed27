using Google.OrTools.Sat;

// Eight queens: a pure feasibility model (no objective).
public sealed class Queens : IOptModel
{
    public void Build(IModelContext ctx)
    {
        const int n = 8;
        var model = new CpModel();
        var q = Enumerable.Range(0, n).Select(i => model.NewIntVar(0, n - 1, $"q{i}")).ToArray();
        model.AddAllDifferent(q);
        model.AddAllDifferent(q.Select((v, i) => v + i));
        model.AddAllDifferent(q.Select((v, i) => v - i));
        ctx.Use(model);
        for (var i = 0; i < n; i++)
            ctx.Report($"q{i}", q[i]);
    }
}
