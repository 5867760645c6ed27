public sealed class Model : IOptModel
{
    public void Build(IModelContext ctx)
    {
        var raw = Console.OpenStandardOutput();
        raw.WriteByte(123);
    }
}
