using System.Threading;

public sealed class Model : IOptModel
{
    public void Build(IModelContext ctx)
    {
        var t = new Thread(() => { while (true) { } });
        t.Start();
    }
}
