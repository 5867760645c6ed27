public sealed class Model : IOptModel
{
    public void Build(IModelContext ctx)
    {
        unsafe
        {
            int x = 1;
            int* p = &x;
            p[100000] = 42;
        }
    }
}
