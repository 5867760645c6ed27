using Google.OrTools.ModelBuilder;

// A three-product LP with ModelBuilder, solved by GLOP.
public sealed class Production : IOptModel
{
    public void Build(IModelContext ctx)
    {
        var model = new Model();
        var x = model.NewNumVar(0, double.PositiveInfinity, "x");
        var y = model.NewNumVar(0, double.PositiveInfinity, "y");
        var z = model.NewNumVar(0, double.PositiveInfinity, "z");
        model.Add(x + y + z <= 10);
        model.Add(2 * x + y <= 12);
        model.Add(y + 3 * z <= 15);
        model.Maximize(2 * x + 3 * y + z);
        ctx.Use(model, "glop");
        ctx.Report("x", x);
        ctx.Report("y", y);
        ctx.Report("z", z);
    }
}
