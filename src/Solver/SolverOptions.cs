using System.ComponentModel.DataAnnotations;

namespace OptLib.Solver;

public enum SandboxMode
{
    /// <summary>bubblewrap when it works here, else <c>unshare --net</c>, else plain processes (reported as degraded).</summary>
    Auto,
    Bwrap,
    Unshare,
    None,
}

/// <summary>Settings under the <c>Solver</c> section.</summary>
public sealed class SolverOptions
{
    public const string Section = "Solver";

    /// <summary>Solver time limit when a request names none.</summary>
    [Range(0.1, 3600)]
    public double DefaultTimeLimitSeconds { get; set; } = 10;

    /// <summary>The largest time limit a request may ask for.</summary>
    [Range(0.1, 3600)]
    public double MaxTimeLimitSeconds { get; set; } = 60;

    /// <summary>Wall-clock allowance on top of the solver time limit for compiling and building the model.</summary>
    [Range(0.1, 600)]
    public double GraceSeconds { get; set; } = 3;

    /// <summary>Managed heap of a runner (<c>DOTNET_GCHeapHardLimit</c>).</summary>
    [Range(64, 65536)]
    public int MemoryLimitMb { get; set; } = 512;

    /// <summary>Memory the solvers themselves may use (SCIP <c>limits/memory</c>, CP-SAT <c>max_memory_in_mb</c>).</summary>
    [Range(16, 65536)]
    public int SolverMemoryLimitMb { get; set; } = 1024;

    /// <summary>Address-space backstop (<c>prlimit --as</c>); the .NET runtime needs about 2.3 GiB to start.</summary>
    [Range(3072, 1048576)]
    public int AddressSpaceLimitMb { get; set; } = 8192;

    /// <summary>Characters of console output kept; printing more ends the run as OutputLimit.</summary>
    [Range(1, 16 * 1024 * 1024)]
    public int OutputLimitChars { get; set; } = 64 * 1024;

    /// <summary>Largest accepted source; larger requests get 413.</summary>
    [Range(1, 64 * 1024 * 1024)]
    public int MaxSourceBytes { get; set; } = 256 * 1024;

    /// <summary>Warm, single-use runners kept ready. 0 starts a runner per program (cold).</summary>
    [Range(0, 64)]
    public int PoolSize { get; set; } = 2;

    [Range(1, 64)]
    public int CpSatWorkers { get; set; } = 2;

    public SandboxMode Sandbox { get; set; } = SandboxMode.Auto;

    /// <summary>Path of OptLib.Solver.Runner.dll; empty means the runner/ folder beside this assembly.</summary>
    public string? RunnerPath { get; set; }

    /// <summary>Relative tolerance when comparing with an expected objective.</summary>
    [Range(0, 1)]
    public double RelativeTolerance { get; set; } = 1e-4;

    /// <summary>Absolute tolerance when comparing with an expected objective.</summary>
    [Range(0, 1e9)]
    public double AbsoluteTolerance { get; set; } = 1e-6;

    /// <summary>Tolerance for constraint and bound violations when checking a solution.</summary>
    [Range(0, 1)]
    public double FeasibilityTolerance { get; set; } = 1e-6;
}
