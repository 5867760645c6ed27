using Google.OrTools.LinearSolver;

public sealed class Model : IOptModel
{
    public void Build(IModelContext ctx)
    {
        var solver = Solver.CreateSolver("SCIP");
        var x = solver.MakeBoolVarArray(200_000_000);
        var all = new LinearExpr();
        foreach (var v in x)
            all += v;
        solver.Add(all <= 1);
        ctx.Use(solver);
    }
}
