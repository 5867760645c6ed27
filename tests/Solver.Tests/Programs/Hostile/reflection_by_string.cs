public sealed class Model : IOptModel
{
    public void Build(IModelContext ctx)
    {
        var file = Type.GetType("System.IO.File");
        var read = file.GetMethod("ReadAllText", new[] { typeof(string) });
        Console.WriteLine(read.Invoke(null, new object[] { "/etc/passwd" }));
    }
}
