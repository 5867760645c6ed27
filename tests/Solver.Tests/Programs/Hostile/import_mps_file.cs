public sealed class Model : IOptModel
{
    public void Build(IModelContext ctx)
    {
        var model = new Google.OrTools.ModelBuilder.Model();
        model.ImportFromMpsFile("/etc/passwd");
        ctx.Use(model);
    }
}
