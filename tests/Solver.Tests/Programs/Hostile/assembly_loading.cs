using System.Runtime.Loader;

public sealed class Model : IOptModel
{
    public void Build(IModelContext ctx)
    {
        var asm = AssemblyLoadContext.Default.LoadFromAssemblyPath("/tmp/evil.dll");
    }
}
