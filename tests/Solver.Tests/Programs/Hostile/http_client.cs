public sealed class Model : IOptModel
{
    public void Build(IModelContext ctx)
    {
        using var http = new System.Net.Http.HttpClient();
        Console.WriteLine(http.GetStringAsync("http://127.0.0.1/").Result);
    }
}
