public sealed class Model : IOptModel
{
    private static int Depth(int n) => Depth(n + 1) + 1;

    public void Build(IModelContext ctx) => Console.WriteLine(Depth(0));
}
