using System.Diagnostics;
using OptLib.Solver.Sandbox;

namespace OptLib.Solver.Tests;

/// <summary>
/// Defence in depth: even code that got past the policy finds, inside the sandbox, an unprivileged uid, a read-only
/// view of only the runtime, the runner and the system libraries, a private /tmp and no network. These replay the
/// command a runner is started with (nice, bubblewrap, prlimit), with a shell in place of the runner; the only
/// addition is /usr/bin, for the shell and the tools it probes with.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")] // bubblewrap is Linux's
public sealed class BubblewrapTests
{
    private static readonly RunnerLaunch Launch = RunnerLaunch.Create(SandboxFixture.TestOptions(SandboxMode.Bwrap, poolSize: 0));

    private static string RuntimeDirectory => Path.GetDirectoryName(Launch.Dotnet)!;

    private static string RunnerDirectory => Path.GetDirectoryName(Launch.RunnerDll)!;

    private static (int ExitCode, string Output) Inside(string script, IEnumerable<string>? extraBinds = null)
    {
        var psi = Launch.StartInfo();
        var command = psi.ArgumentList.ToList();
        // The runner's own command starts at the dotnet host; bubblewrap's binds end where it makes / read-only.
        command.RemoveRange(command.IndexOf(Launch.Dotnet), command.Count - command.IndexOf(Launch.Dotnet));
        command.InsertRange(command.IndexOf("--remount-ro"), IsolationPlan.Expose("/bin").Concat(IsolationPlan.Expose("/usr/bin")).Concat(extraBinds ?? []));
        command.AddRange(["/bin/sh", "-c", script]);
        psi.ArgumentList.Clear();
        foreach (var arg in command)
            psi.ArgumentList.Add(arg);
        psi.RedirectStandardInput = false;

        using var process = Process.Start(psi)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd() + error.Result;
        process.WaitForExit();
        return (process.ExitCode, output);
    }

    [Fact]
    public void TheRealLaunchIsBubblewrapUnderAnUnprivilegedUid()
    {
        var (code, output) = Inside("id -u; id -g");

        Assert.Equal("bwrap", Launch.Plan.Isolation);
        Assert.True(code == 0, output);
        Assert.Equal(["65534", "65534"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void RunAsRootTheRunnerIsTheHostsNobodyToo()
    {
        // A file only root may read, shown to the probe on purpose: a host-root runner would read it.
        var secret = Path.Combine(Directory.CreateTempSubdirectory("optlib-rootonly-").FullName, "secret");
        File.WriteAllText(secret, "root only");
        File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.SetUnixFileMode(Path.GetDirectoryName(secret)!, (UnixFileMode)0b111_101_101);
        var (code, output) = Inside($"cat '{secret}' || echo refused", ["--ro-bind", secret, secret]);

        var openToOthers = new[] { Launch.Dotnet, Launch.RunnerDll }.All(OpenToOthers);
        if (Environment.IsPrivilegedProcess && openToOthers)
        {
            Assert.Equal(IsolationPlan.SetprivPath, Launch.Plan.Prefix[0]);
            Assert.True(code == 0, output);
            Assert.Contains("Permission denied", output);
            Assert.DoesNotContain("root only", output);
        }
        else
        {
            // Not root (bubblewrap runs as the service's own user), or a folder on the way is closed to others: the plan says which.
            Assert.NotEqual(IsolationPlan.SetprivPath, Launch.Plan.Prefix[0]);
            Assert.Equal(Environment.IsPrivilegedProcess, Launch.Plan.Detail.Contains("host root", StringComparison.Ordinal));
        }
    }

    private static bool OpenToOthers(string file)
    {
        for (var dir = Path.GetDirectoryName(Path.GetFullPath(file)); dir is not null; dir = Path.GetDirectoryName(dir))
            if (!File.GetUnixFileMode(dir).HasFlag(UnixFileMode.OtherExecute))
                return false;
        return File.GetUnixFileMode(file).HasFlag(UnixFileMode.OtherRead);
    }

    [Fact]
    public void TheRuntimeAndTheRunnerAreReadable()
    {
        var (code, output) = Inside(
            $"cat '{Launch.Dotnet}' > /dev/null && cat '{Launch.RunnerDll}' > /dev/null && ls '{RuntimeDirectory}/shared' && echo readable");

        Assert.Equal(0, code);
        Assert.Contains("Microsoft.NETCore.App", output);
        Assert.EndsWith("readable", output.Trim());
    }

    [Fact]
    public void NothingElseOfTheHostIsVisible()
    {
        // A data folder outside /tmp, a secret beside the runner's folder, and the host user's DataProtection keys.
        var data = Directory.CreateDirectory($"/var/tmp/optlib-data-{Guid.NewGuid():N}").FullName;
        var besideRunner = Path.Combine(Path.GetDirectoryName(RunnerDirectory)!, $"optlib-secret-{Guid.NewGuid():N}");
        File.WriteAllText(Path.Combine(data, "secret"), "secret");
        File.WriteAllText(besideRunner, "secret");
        var aspnet = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".aspnet");
        try
        {
            string[] hidden = ["/etc/shadow", "/etc/passwd", "/root", "/home", "/var", aspnet, data, Path.Combine(data, "secret"), besideRunner];
            var probe = string.Join("; ", hidden.Select(p => $"if test -e '{p}' || cat '{p}' > /dev/null 2>&1; then echo 'visible {p}'; fi"));

            var (code, output) = Inside(probe + "; echo done");

            Assert.Equal(0, code);
            Assert.Equal("done", output.Trim());
            Assert.True(File.Exists("/etc/shadow") && File.Exists(besideRunner), "the host has what the sandbox hides");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
            File.Delete(besideRunner);
        }
    }

    [Fact]
    public void OfWorkOnlyThePathToTheRunnerIsVisible()
    {
        // The runner's folder is bound at its own path, so its ancestors exist inside, empty but for that path.
        var (code, output) = Inside("ls -A /work 2>&1; ls -A / ");

        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var onTheWay = new[] { RunnerDirectory, RuntimeDirectory }
            .Select(d => d.Split('/', StringSplitOptions.RemoveEmptyEntries))
            .Where(parts => parts[0] == "work" && parts.Length > 1)
            .Select(parts => parts[1]).ToHashSet();
        if (onTheWay.Count == 0)
            Assert.Contains("No such file", lines[0]);
        else
            Assert.Equal(onTheWay.Order(), lines.TakeWhile(onTheWay.Contains).Order());
        if (Directory.Exists("/work"))
            Assert.True(Directory.EnumerateFileSystemEntries("/work").Count() > onTheWay.Count, "the host's /work has more than the sandbox shows");
    }

    [Fact]
    public void TheFileSystemIsReadOnlyOutsideThePrivateTmp()
    {
        var marker = Path.Combine(RunnerDirectory, $"optlib-probe-{Guid.NewGuid():N}");

        var (code, output) = Inside($"touch {marker}; touch /optlib-probe");

        Assert.NotEqual(0, code);
        Assert.Contains("Read-only file system", output);
        Assert.DoesNotContain("No such file", output);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void TheSandboxesTmpIsWritableAndPrivate()
    {
        var name = $"optlib-probe-{Guid.NewGuid():N}";

        var (code, _) = Inside($"echo hi > /tmp/{name} && test -s /tmp/{name}");

        Assert.Equal(0, code);
        Assert.False(File.Exists($"/tmp/{name}"));
    }

    [Fact]
    public void TheSandboxHasItsOwnNetworkNamespaceWithOnlyLoopback()
    {
        var (code, output) = Inside("readlink /proc/self/ns/net; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '");

        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEqual(new FileInfo("/proc/self/ns/net").LinkTarget, lines[0]);
        Assert.Equal(["lo"], lines.Skip(1));
    }

    [Fact]
    public void TheHostsProcessesAreInvisible()
    {
        var (code, output) = Inside("ls /proc | grep -c '^[0-9]'");

        Assert.Equal(0, code);
        // bubblewrap's init, prlimit's shell, ls and grep: nothing of the host.
        Assert.True(int.Parse(output.Trim(), System.Globalization.CultureInfo.InvariantCulture) <= 5, output);
        Assert.True(Directory.EnumerateDirectories("/proc").Count(d => int.TryParse(Path.GetFileName(d), out _)) > 10);
    }
}
