using System.Diagnostics;
using System.Reflection;
using System.Text;
using OptLib.Tests.Infrastructure;

namespace OptLib.Tests.Jobs;

/// <summary>`optlib-worker run` as its own process against a test's database, as an operator scales out.</summary>
public sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private readonly string _dataDirectory;

    private WorkerProcess(Process process, string dataDirectory)
    {
        _process = process;
        _dataDirectory = dataDirectory;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static string Assembly => typeof(WorkerProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "OptLib.WorkerAssembly").Value!;

    public sealed record Outcome(int ExitCode, string StandardOutput, string StandardError);

    /// <summary>Runs one `optlib-worker` command against <paramref name="connectionString"/> to its end.</summary>
    public static async Task<Outcome> RunCommandAsync(string connectionString, TimeSpan timeout, params string[] arguments)
    {
        var start = StartInfo(connectionString, null);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var run = await ApiProcess.RunToEndAsync(start, timeout);
        DeleteQuietly(start.Environment["OptLib__DataDirectory"]!);
        Assert.True(run.ExitCode is not null, $"optlib-worker {string.Join(' ', arguments)} did not end within {timeout.TotalSeconds} s:\n{run.StandardOutput}\n{run.StandardError}");
        return new Outcome(run.ExitCode!.Value, run.StandardOutput, run.StandardError);
    }

    /// <summary>Starts a worker on <paramref name="connectionString"/> with its own data folder and a short lease.</summary>
    public static WorkerProcess Start(string connectionString, IDictionary<string, string>? settings = null)
    {
        var start = StartInfo(connectionString, settings);
        start.ArgumentList.Add("run");
        return new WorkerProcess(Process.Start(start)!, start.Environment["OptLib__DataDirectory"]!);
    }

    private static ProcessStartInfo StartInfo(string connectionString, IDictionary<string, string>? settings)
    {
        var start = new ProcessStartInfo(ApiProcess.DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Assembly);
        start.Environment["DOTNET_ENVIRONMENT"] = "Testing";
        // Three processes share the embedded server's connection limit.
        start.Environment["ConnectionStrings__OptLib"] = connectionString + ";Maximum Pool Size=6";
        start.Environment["OptLib__DataDirectory"] = Directory.CreateTempSubdirectory("optlib-worker-").FullName;
        start.Environment["Serilog__MinimumLevel__Default"] = "Warning";
        start.Environment["Worker__PollIntervalSeconds"] = "1";
        start.Environment["Worker__WorkerCount"] = "2";
        start.Environment["Worker__SolveConcurrency"] = "1";
        start.Environment["Worker__Schedules"] = "false"; // no hourly learning job in the middle of a test
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        return start;
    }

    /// <summary>As a crash or `kill -9` would: no shutdown, no clean-up.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
        DeleteQuietly(_dataDirectory);
    }

    private static void DeleteQuietly(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // a log file still being flushed; the OS cleans its temp folder
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
