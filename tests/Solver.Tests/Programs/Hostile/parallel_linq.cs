public sealed class Model : IOptModel
{
    public void Build(IModelContext ctx)
    {
        var sum = Enumerable.Range(0, 1000).AsParallel().Sum();
        Console.WriteLine(sum);
    }
}
