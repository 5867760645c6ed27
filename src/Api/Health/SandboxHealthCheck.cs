using Microsoft.Extensions.Diagnostics.HealthChecks;
using OptLib.Solver.Sandbox;

namespace OptLib.Api.Health;

/// <summary>
/// Which isolation the solver sandbox has. Without bubblewrap the service still runs programs (unshare and limits),
/// so that is Degraded, still a 200, with the sentence that says what to install.
/// </summary>
internal sealed class SandboxHealthCheck(ISandboxInfo sandbox) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["isolation"] = sandbox.Isolation, ["degraded"] = sandbox.Degraded };
        return Task.FromResult(sandbox.Degraded
            ? HealthCheckResult.Degraded(sandbox.Detail, data: data)
            : HealthCheckResult.Healthy(sandbox.Detail, data));
    }
}
