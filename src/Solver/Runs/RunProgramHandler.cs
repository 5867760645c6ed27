using Mediator;
using OptLib.Solver.Sandbox;

namespace OptLib.Solver.Runs;

/// <summary>Runs a validated program in the sandbox. The request pipeline validates first (the library's SolverRunValidation); this handler trusts its input.</summary>
public sealed class RunProgramHandler(ISandbox sandbox) : IRequestHandler<RunProgram, RunResult>
{
    public async ValueTask<RunResult> Handle(RunProgram request, CancellationToken cancellationToken) =>
        await sandbox.RunAsync(request.ToRunRequest(), cancellationToken);
}
