public sealed class Model : IOptModel
{
    public void Build(IModelContext ctx)
    {
        try { throw new InvalidOperationException(); }
        catch (Exception e) { Console.WriteLine(e.TargetSite.DeclaringType.Assembly.Location); }
    }
}
