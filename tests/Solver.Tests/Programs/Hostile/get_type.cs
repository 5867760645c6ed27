public sealed class Model : IOptModel
{
    public void Build(IModelContext ctx)
    {
        var t = ctx.GetType();
        Console.WriteLine(t.Assembly.FullName);
    }
}
