public sealed class Model : IOptModel
{
    private static readonly int Seed;

    static Model()
    {
        while (Seed >= 0)
            Seed = (Seed + 1) % 1000;
    }

    public void Build(IModelContext ctx) => Console.WriteLine(Seed);
}
