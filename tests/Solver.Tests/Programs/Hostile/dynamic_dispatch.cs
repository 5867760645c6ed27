public sealed class Model : IOptModel
{
    public void Build(IModelContext ctx)
    {
        dynamic d = ctx;
        d.Anything();
    }
}
