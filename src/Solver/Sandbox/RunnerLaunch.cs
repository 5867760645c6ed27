using System.Diagnostics;
using System.Globalization;

namespace OptLib.Solver.Sandbox;

/// <summary>Everything needed to start one runner: where it is, how it is wrapped and limited.</summary>
internal sealed record RunnerLaunch(string Dotnet, string RunnerDll, IsolationPlan Plan, SolverOptions Options)
{
    public const string RunnerFileName = "OptLib.Solver.Runner.dll";

    public static RunnerLaunch Create(SolverOptions options, Func<IReadOnlyList<string>, bool>? works = null)
    {
        var runner = LocateRunner(options);
        var dotnet = LocateDotnet();
        // prlimit runs inside the sandbox (nice outside), so it is the one tool a runner's sandbox shows.
        string[] visible = [Path.GetDirectoryName(dotnet)!, Path.GetDirectoryName(runner)!, .. File.Exists(PrlimitPath) ? [PrlimitPath] : Array.Empty<string>()];
        var plan = IsolationPlan.Resolve(options.Sandbox, visible, works ?? IsolationPlan.Starts, [dotnet, "--list-runtimes"]);
        return new RunnerLaunch(dotnet, runner, plan, options);
    }

    public ProcessStartInfo StartInfo()
    {
        var command = new List<string>();
        // Runners warm up at low priority so that they do not slow the program being run; see RunnerProcess.Promote.
        if (File.Exists(NicePath))
            command.AddRange([NicePath, "-n", "10"]);
        command.AddRange(Plan.Prefix);
        if (File.Exists(PrlimitPath))
        {
            // Backstops behind the wall clock and the GC limit: CPU seconds count start-up (about 1-2 s) too.
            var cpu = (int)Math.Ceiling((Options.MaxTimeLimitSeconds + Options.GraceSeconds) * Math.Max(1, Options.CpSatWorkers) + 30);
            command.AddRange([PrlimitPath, $"--cpu={cpu}", $"--as={(long)Options.AddressSpaceLimitMb * 1024 * 1024}", "--"]);
        }
        command.AddRange([Dotnet, RunnerDll]);
        if (Options.PoolSize == 0)
            command.Add("--cold");

        var psi = new ProcessStartInfo(command[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Plan.Isolation == "bwrap" ? "/tmp" : Path.GetTempPath(),
        };
        foreach (var arg in command.Skip(1))
            psi.ArgumentList.Add(arg);
        psi.Environment["DOTNET_GCHeapHardLimit"] = "0x" + ((long)Options.MemoryLimitMb * 1024 * 1024).ToString("X", CultureInfo.InvariantCulture);
        psi.Environment["DOTNET_EnableDiagnostics"] = "0";
        psi.Environment["DOTNET_gcConcurrent"] = "0";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["HOME"] = "/tmp";
        psi.Environment["TMPDIR"] = "/tmp";
        return psi;
    }

    private const string PrlimitPath = "/usr/bin/prlimit";
    private const string NicePath = "/usr/bin/nice";

    private static string LocateRunner(SolverOptions options)
    {
        var candidates = new[]
        {
            options.RunnerPath,
            Path.Combine(AppContext.BaseDirectory, "runner", RunnerFileName),
            Path.Combine(Path.GetDirectoryName(typeof(RunnerLaunch).Assembly.Location) ?? AppContext.BaseDirectory, "runner", RunnerFileName),
        };
        return candidates.FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p))
            ?? throw new InvalidOperationException(
                $"The solver runner was not found (looked for {string.Join(", ", candidates.Where(c => c is not null))}). " +
                "Build OptLib.Solver, which copies it to runner/, or set Solver:RunnerPath.");
    }

    /// <summary>The dotnet host, links followed, so that the sandbox shows the runtime's own folder and not, say, /usr/bin.</summary>
    private static string LocateDotnet()
    {
        var host = FindDotnet();
        return File.ResolveLinkTarget(host, returnFinalTarget: true)?.FullName ?? host;
    }

    private static string FindDotnet()
    {
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet")
            return self;
        var roots = new[] { Environment.GetEnvironmentVariable("DOTNET_ROOT"), "/usr/share/dotnet", "/usr/lib/dotnet", "/usr/local/share/dotnet" };
        foreach (var root in roots.Where(r => !string.IsNullOrEmpty(r)))
            if (File.Exists(Path.Combine(root!, "dotnet")))
                return Path.Combine(root!, "dotnet");
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            if (File.Exists(Path.Combine(dir, "dotnet")))
                return Path.Combine(dir, "dotnet");
        throw new InvalidOperationException("The dotnet host was not found; set DOTNET_ROOT.");
    }
}
