using Google.OrTools.LinearSolver;

// Blending (the PuLP "Whiskas" cat food): chicken and beef per 100 g can, at least 8 g protein and 6 g fat,
// at most 2 g fibre and 0.4 g salt, at least cost.
public sealed class Blend : IOptModel
{
    public void Build(IModelContext ctx)
    {
        var solver = Solver.CreateSolver("GLOP");
        var chicken = solver.MakeNumVar(0, double.PositiveInfinity, "chicken");
        var beef = solver.MakeNumVar(0, double.PositiveInfinity, "beef");
        solver.Add(chicken + beef == 100);
        solver.Add(0.100 * chicken + 0.200 * beef >= 8.0);
        solver.Add(0.080 * chicken + 0.100 * beef >= 6.0);
        solver.Add(0.001 * chicken + 0.005 * beef <= 2.0);
        solver.Add(0.002 * chicken + 0.005 * beef <= 0.4);
        solver.Minimize(0.013 * chicken + 0.008 * beef);
        ctx.Use(solver);
        ctx.Report("chicken", chicken);
        ctx.Report("beef", beef);
    }
}
