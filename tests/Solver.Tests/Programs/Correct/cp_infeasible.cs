using Google.OrTools.Sat;

// Two variables in [0, 2] cannot sum to 5.
public sealed class Impossible : IOptModel
{
    public void Build(IModelContext ctx)
    {
        var model = new CpModel();
        var x = model.NewIntVar(0, 2, "x");
        var y = model.NewIntVar(0, 2, "y");
        model.Add(x + y == 5);
        model.Maximize(x);
        ctx.Use(model);
    }
}
