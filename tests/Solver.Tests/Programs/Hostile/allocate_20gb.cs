public sealed class Model : IOptModel
{
    public void Build(IModelContext ctx)
    {
        var hoard = new List<double[]>();
        for (var i = 0; i < 20 * 1024; i++)
            hoard.Add(new double[128 * 1024]); // 1 MiB each: 20 GiB in all
        Console.WriteLine(hoard.Count);
    }
}
