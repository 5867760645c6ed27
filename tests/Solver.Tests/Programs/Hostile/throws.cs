public sealed class Model : IOptModel
{
    public void Build(IModelContext ctx)
    {
        var costs = new double[3];
        Console.WriteLine(costs[5]);
    }
}
