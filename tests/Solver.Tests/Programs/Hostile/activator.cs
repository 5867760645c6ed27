public sealed class Model : IOptModel
{
    public void Build(IModelContext ctx)
    {
        var o = Activator.CreateInstance("System.Private.CoreLib", "System.IO.FileInfo");
    }
}
