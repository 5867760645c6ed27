using Google.OrTools.ModelBuilder;

// An unbounded LP through ModelBuilder and GLOP.
public sealed class Unbounded : IOptModel
{
    public void Build(IModelContext ctx)
    {
        var model = new Model();
        var x = model.NewNumVar(0, double.PositiveInfinity, "x");
        var y = model.NewNumVar(0, double.PositiveInfinity, "y");
        model.Add(x - 2 * y <= 4);
        model.Maximize(x);
        ctx.Use(model, "glop");
    }
}
