using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OptLib.Solver.Runs;
using OptLib.Solver.Sandbox;

namespace OptLib.Solver;

public static class SolverHostingExtensions
{
    /// <summary>
    /// Registers the sandbox (a pool of warm, single-use runner processes), its isolation report for health checks
    /// and the <see cref="RunProgram"/> handler. Settings come from the <c>Solver</c> section.
    /// </summary>
    public static IHostApplicationBuilder AddSolver(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SolverOptions>()
            .BindConfiguration(SolverOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.DefaultTimeLimitSeconds <= o.MaxTimeLimitSeconds,
                "Solver:DefaultTimeLimitSeconds must not exceed Solver:MaxTimeLimitSeconds")
            .ValidateOnStart();
        builder.Services.AddSingleton(sp => RunnerLaunch.Create(sp.GetRequiredService<IOptions<SolverOptions>>().Value));
        builder.Services.AddSingleton(sp => new RunnerPool(sp.GetRequiredService<RunnerLaunch>(), sp.GetRequiredService<ILogger<RunnerPool>>()));
        builder.Services.AddSingleton<ISandbox>(sp => sp.GetRequiredService<RunnerPool>());
        builder.Services.AddSingleton<ISandboxInfo>(sp => sp.GetRequiredService<RunnerLaunch>().Plan);
        builder.Services.AddTransient<RunProgramHandler>();
        return builder;
    }
}
