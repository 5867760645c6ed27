using System.Diagnostics;

namespace OptLib.Tests.Infrastructure;

/// <summary>Runs the built service as a separate process, as an operator would, and collects what it prints.</summary>
public static class ApiProcess
{
    public sealed record Outcome(int? ExitCode, string StandardOutput, string StandardError);

    public static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : "/usr/share/dotnet/dotnet" is var usual && File.Exists(usual) ? usual : "dotnet";

    /// <summary>Starts the service and waits for it to exit by itself, or kills it after <paramref name="timeout"/>.</summary>
    public static async Task<Outcome> RunUntilExitAsync(IDictionary<string, string> environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return await RunToEndAsync(start, timeout);
    }

    /// <summary>Runs <paramref name="start"/> to its end and collects its output; kills it after <paramref name="timeout"/> (exit code null).</summary>
    public static async Task<Outcome> RunToEndAsync(ProcessStartInfo start, TimeSpan timeout)
    {
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return new Outcome(null, await stdout, await stderr);
        }

        return new Outcome(process.ExitCode, await stdout, await stderr);
    }
}
