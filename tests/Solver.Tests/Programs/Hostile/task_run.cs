public sealed class Model : IOptModel
{
    public void Build(IModelContext ctx)
    {
        System.Threading.Tasks.Task.Run(() => Console.WriteLine("background"));
    }
}
