using System.Diagnostics;

namespace OptLib.Solver.Sandbox;

/// <summary>How runners are wrapped: the command prefix that puts a runner in its sandbox, and what that gives.</summary>
internal sealed record IsolationPlan(string Isolation, bool Degraded, string Detail, IReadOnlyList<string> Prefix) : ISandboxInfo
{
    public const string BwrapPath = "/usr/bin/bwrap";
    public const string UnsharePath = "/usr/bin/unshare";
    public const string SetprivPath = "/usr/bin/setpriv";

    /// <summary>The system folders a dynamically linked runtime needs (glibc, libstdc++, ICU, OpenSSL), where they exist.</summary>
    public static readonly string[] SystemLibraries = ["/usr/lib", "/usr/lib64", "/lib", "/lib64"];

    /// <summary>The only file of /etc a runner sees: the dynamic linker's cache.</summary>
    public static readonly string[] SystemFiles = ["/etc/ld.so.cache"];

    /// <summary>
    /// Chooses the strongest isolation that actually starts a process here. <paramref name="visible"/> are the
    /// folders and files a runner needs besides the system libraries (runtime, runner, prlimit); bubblewrap shows
    /// nothing else. <paramref name="probe"/> is the command tried inside (default /bin/true, which bubblewrap only
    /// finds if /bin is visible). <paramref name="works"/> runs a command and says whether it exited 0; tests pass a
    /// fake to exercise the fallbacks.
    /// </summary>
    public static IsolationPlan Resolve(SandboxMode mode, IReadOnlyList<string> visible, Func<IReadOnlyList<string>, bool> works,
        IReadOnlyList<string>? probe = null)
    {
        var bwrap = Bwrap(visible);
        // Run as root, bubblewrap's uid 65534 is still host root; setpriv makes it the host's nobody as well. That
        // needs every folder on the way to the runtime and the runner to be open to others, so it is tried first.
        string[] dropped = [SetprivPath, "--reuid=65534", "--regid=65534", "--clear-groups", "--", .. bwrap];
        var unshare = new[] { UnsharePath, "--net", "--ipc", "--uts", "--" };
        var unshareMapped = new[] { UnsharePath, "--map-root-user", "--net", "--ipc", "--uts", "--" };

        const string shows = "read-only view of only the runtime, the runner and the system libraries "
            + "(no /etc but the linker cache, no /home, /root, /var or data), private /tmp, own pid namespace";
        IReadOnlyList<string> inside = probe ?? ["/bin/true"];
        var tryBwrap = mode is SandboxMode.Auto or SandboxMode.Bwrap;
        if (tryBwrap && Environment.IsPrivilegedProcess && File.Exists(SetprivPath) && works([.. dropped, .. inside]))
            return new IsolationPlan("bwrap", false, "bubblewrap: no network, host user nobody (uid 65534), " + shows, dropped);
        if (tryBwrap && works([.. bwrap, .. inside]))
            return new IsolationPlan("bwrap", false,
                "bubblewrap: no network, uid 65534 in its own user namespace"
                + (Environment.IsPrivilegedProcess ? " (host root: the runtime or the runner is in a folder closed to others, so setpriv cannot drop to nobody)" : "")
                + ", " + shows, bwrap);
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

    private static string[] Bwrap(IReadOnlyList<string> visible)
    {
        var args = new List<string>
        {
            BwrapPath, "--unshare-all", "--die-with-parent", "--new-session",
            // nobody:nogroup, in a user namespace that cannot make further ones.
            "--unshare-user", "--uid", "65534", "--gid", "65534", "--disable-userns",
            "--tmpfs", "/tmp", "--dev", "/dev", "--proc", "/proc",
        };
        // After the private /tmp, so that a runner or runtime that lives under /tmp is bound back into it.
        var shown = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in SystemLibraries.Concat(SystemFiles).Concat(visible))
            args.AddRange(Expose(path, shown));
        args.AddRange(["--remount-ro", "/", "--"]);
        return [.. args];
    }

    /// <summary>
    /// The bubblewrap arguments that show <paramref name="path"/>, read-only, at the same place: a symbolic link
    /// becomes the same link plus its target; a path that does not exist shows nothing.
    /// </summary>
    public static IEnumerable<string> Expose(string path, ISet<string>? shown = null)
    {
        FileSystemInfo info = Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path);
        if (!info.Exists || !(shown ?? new HashSet<string>()).Add(info.FullName))
            yield break;
        if (info.LinkTarget is { } target)
        {
            yield return "--symlink";
            yield return target;
            yield return path;
            if (info.ResolveLinkTarget(returnFinalTarget: true) is { Exists: true } final)
                foreach (var arg in Expose(final.FullName, shown))
                    yield return arg;
            yield break;
        }
        yield return "--ro-bind";
        yield return path;
        yield return path;
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
