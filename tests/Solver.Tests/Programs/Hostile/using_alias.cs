using Disk = System.IO.File;

public sealed class Model : IOptModel
{
    public void Build(IModelContext ctx)
    {
        Console.WriteLine(Disk.Exists("/etc/passwd"));
    }
}
