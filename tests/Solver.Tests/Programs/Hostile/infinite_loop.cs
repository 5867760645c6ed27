public sealed class Model : IOptModel
{
    public void Build(IModelContext ctx)
    {
        long i = 0;
        while (true)
            i++;
    }
}
