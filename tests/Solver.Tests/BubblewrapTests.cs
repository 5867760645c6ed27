using System.Diagnostics;
using OptLib.Solver.Sandbox;

namespace OptLib.Solver.Tests;

/// <summary>
/// Defence in depth: even code that got past the policy finds, inside the sandbox, a read-only file system, a
/// private /tmp and no network. These run a shell under the same command prefix the runners get.
/// </summary>
public sealed class BubblewrapTests
{
    private static readonly IsolationPlan Plan = IsolationPlan.Resolve(SandboxMode.Bwrap, [], IsolationPlan.Starts);

    private static (int ExitCode, string Output) Inside(string script)
    {
        var psi = new ProcessStartInfo(Plan.Prefix[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in Plan.Prefix.Skip(1).Concat(["/bin/sh", "-c", script]))
            psi.ArgumentList.Add(arg);
        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }

    [Fact]
    public void TheFileSystemIsReadOnlyOutsideThePrivateTmp()
    {
        var marker = $"/var/tmp/optlib-probe-{Guid.NewGuid():N}";

        var (code, output) = Inside($"touch {marker}");

        Assert.NotEqual(0, code);
        Assert.Contains("Read-only file system", output);
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
        // bubblewrap's init, the shell, ls and grep: nothing of the host.
        Assert.True(int.Parse(output.Trim(), System.Globalization.CultureInfo.InvariantCulture) <= 5, output);
        Assert.True(Directory.EnumerateDirectories("/proc").Count(d => int.TryParse(Path.GetFileName(d), out _)) > 10);
    }
}
