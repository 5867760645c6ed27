public sealed class Model : IOptModel
{
    public void Build(IModelContext ctx)
    {
        Func<string, string> read = System.IO.File.ReadAllText;
        Console.WriteLine(read("/etc/passwd"));
    }
}
