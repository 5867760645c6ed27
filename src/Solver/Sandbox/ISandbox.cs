using OptLib.Solver.Runs;

namespace OptLib.Solver.Sandbox;

/// <summary>Runs one program out of process, under limits, and checks its answer. Never throws for a bad program.</summary>
public interface ISandbox
{
    Task<RunResult> RunAsync(RunRequest request, CancellationToken cancellationToken);
}

/// <summary>The isolation actually in force, for results and for <c>/health/ready</c>.</summary>
public interface ISandboxInfo
{
    /// <summary>"bwrap", "unshare" or "none".</summary>
    string Isolation { get; }

    /// <summary>True when bubblewrap is not in force: no read-only file system, weaker separation.</summary>
    bool Degraded { get; }

    /// <summary>One sentence a person can act on, for example which package to install.</summary>
    string Detail { get; }
}
