using System.Runtime.CompilerServices;

public sealed class Model : IOptModel
{
    public void Build(IModelContext ctx)
    {
        object o = "text";
        var forged = Unsafe.As<object, long[]>(ref o);
        Console.WriteLine(forged.Length);
    }
}
