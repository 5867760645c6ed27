using System.Diagnostics;

public sealed class Model : IOptModel
{
    public void Build(IModelContext ctx)
    {
        Process.Start("/bin/sh", "-c 'echo pwned > /tmp/pwned'");
    }
}
