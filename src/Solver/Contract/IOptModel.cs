namespace OptLib.Solver.Contract;

/// <summary>
/// What a model-written program implements. It only builds a model; the harness solves it with the time limit
/// and reads status, objective, bound and values from the solver itself.
/// </summary>
public interface IOptModel
{
    void Build(IModelContext ctx);
}
