using System.Diagnostics;

namespace OptLib.Solver.Sandbox;

/// <summary>How runners are wrapped: the command prefix that puts a runner in its sandbox, and what that gives.</summary>
internal sealed record IsolationPlan(string Isolation, bool Degraded, string Detail, IReadOnlyList<string> Prefix) : ISandboxInfo
{
    public const string BwrapPath = "/usr/bin/bwrap";
    public const string UnsharePath = "/usr/bin/unshare";

    /// <summary>
    /// Chooses the strongest isolation that actually starts a process here. <paramref name="works"/> runs a
    /// command and says whether it exited 0; tests pass a fake to exercise the fallbacks.
    /// </summary>
    public static IsolationPlan Resolve(SandboxMode mode, IReadOnlyList<string> visibleDirectories, Func<IReadOnlyList<string>, bool> works)
    {
        var bwrap = Bwrap(visibleDirectories);
        var unshare = new[] { UnsharePath, "--net", "--ipc", "--uts", "--" };
        var unshareMapped = new[] { UnsharePath, "--map-root-user", "--net", "--ipc", "--uts", "--" };

        if (mode is SandboxMode.Auto or SandboxMode.Bwrap && works([.. bwrap, "/bin/true"]))
            return new IsolationPlan("bwrap", false,
                "bubblewrap: no network, read-only file system, private /tmp, own pid namespace", bwrap);
        if (mode == SandboxMode.Bwrap)
            throw new InvalidOperationException($"Solver:Sandbox is Bwrap but {BwrapPath} does not start here; install bubblewrap or set Solver:Sandbox to Auto.");

        if (mode is SandboxMode.Auto or SandboxMode.Unshare)
        {
            foreach (var prefix in new[] { unshare, unshareMapped })
                if (works([.. prefix, "/bin/true"]))
                    return new IsolationPlan("unshare", true,
                        "bubblewrap is missing or does not work (apt-get install bubblewrap): no network, but the file system is writable", prefix);
            if (mode == SandboxMode.Unshare)
                throw new InvalidOperationException($"Solver:Sandbox is Unshare but {UnsharePath} --net does not start here.");
        }

        return new IsolationPlan("none", true,
            "no isolation: runners are plain processes with resource limits only (install bubblewrap)", []);
    }

    private static string[] Bwrap(IReadOnlyList<string> visibleDirectories)
    {
        var args = new List<string>
        {
            BwrapPath, "--unshare-all", "--die-with-parent", "--new-session",
            "--ro-bind", "/", "/", "--tmpfs", "/tmp", "--dev", "/dev", "--proc", "/proc",
        };
        // A runner or runtime that lives under /tmp would be hidden by the private /tmp; bind it back, read-only.
        foreach (var dir in visibleDirectories.Where(d => d.StartsWith("/tmp/", StringComparison.Ordinal)).Distinct())
            args.AddRange(["--ro-bind", dir, dir]);
        args.Add("--");
        return [.. args];
    }

    public static bool Starts(IReadOnlyList<string> command)
    {
        try
        {
            var psi = new ProcessStartInfo(command[0]) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var arg in command.Skip(1))
                psi.ArgumentList.Add(arg);
            using var process = Process.Start(psi)!;
            if (!process.WaitForExit(10_000))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
