using System.Runtime.InteropServices;

public sealed class Model : IOptModel
{
    [DllImport("libc")]
    private static extern int system(string command);

    public void Build(IModelContext ctx) => system("id");
}
