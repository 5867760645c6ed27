using Google.OrTools.Sat;

public sealed class Model : IOptModel
{
    public void Build(IModelContext ctx)
    {
        var model = new CpModel();
        var x = model.NewIntVar(0, 10, "x");
        model.Maximize(x);
        model.ExportToFile("/tmp/model.pb.txt");
        ctx.Use(model);
    }
}
