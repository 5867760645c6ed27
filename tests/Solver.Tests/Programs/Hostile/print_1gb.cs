public sealed class Model : IOptModel
{
    public void Build(IModelContext ctx)
    {
        var line = new string('x', 1023);
        for (var i = 0; i < 1024 * 1024; i++)
            Console.WriteLine(line);
    }
}
