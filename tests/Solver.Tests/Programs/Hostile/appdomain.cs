public sealed class Model : IOptModel
{
    public void Build(IModelContext ctx)
    {
        Console.WriteLine(AppDomain.CurrentDomain.BaseDirectory);
    }
}
