public sealed class Model : IOptModel
{
    public void Build(IModelContext ctx)
    {
        GC.Collect();
    }
}
