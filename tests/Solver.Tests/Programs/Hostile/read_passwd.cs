using Google.OrTools.LinearSolver;

public sealed class Model : IOptModel
{
    public void Build(IModelContext ctx)
    {
        var secret = System.IO.File.ReadAllText("/etc/passwd");
        var solver = Solver.CreateSolver("GLOP");
        ctx.Use(solver);
    }
}
