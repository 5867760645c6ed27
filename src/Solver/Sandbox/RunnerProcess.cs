using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using OptLib.Solver.Wire;

namespace OptLib.Solver.Sandbox;

/// <summary>What came back from one runner: its report, or why there was none.</summary>
internal sealed record RunnerOutcome(RunnerReport? Report, string? FailureStatus, string? FailureMessage, double WallMs);

/// <summary>One single-use runner process: started, warmed, handed one job, then killed with its whole tree.</summary>
internal sealed class RunnerProcess : IDisposable
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private const int StderrKeep = 16 * 1024;

    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly Task _stderrPump;
    private int _killed;

    private RunnerProcess(Process process)
    {
        _process = process;
        Id = process.Id;
        _stderrPump = PumpStderr();
    }

    /// <summary>The process id, kept from the start: <see cref="Process.Id"/> throws once the process is disposed.</summary>
    public int Id { get; }

    public bool HasExited => _process.HasExited;

    public static RunnerProcess Start(RunnerLaunch launch) => new(Process.Start(launch.StartInfo())
        ?? throw new InvalidOperationException("the runner process did not start"));

    /// <summary>Waits for the runner's Ready line; false when it died or did not warm up in time.</summary>
    public async Task<bool> WaitReadyAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            var line = await _process.StandardOutput.ReadLineAsync(cts.Token);
            return line is not null && JsonSerializer.Deserialize<RunnerReady>(line, Json) is { Ready: true };
        }
        catch (Exception e) when (e is OperationCanceledException or JsonException)
        {
            return false;
        }
    }

    public string StderrTail
    {
        get
        {
            lock (_stderr)
                return _stderr.ToString();
        }
    }

    /// <summary>
    /// Raises the runner (started niced, to warm up in the background) back to normal priority for its program.
    /// Lowering a nice value needs root (CAP_SYS_NICE); elsewhere the runner simply stays niced.
    /// </summary>
    public void Promote()
    {
        foreach (var pid in Descendants(Id).Prepend(Id))
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.PriorityClass = ProcessPriorityClass.Normal;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Gone already, or not permitted: not worth failing a run over.
            }
        }
    }

    private static IEnumerable<int> Descendants(int pid)
    {
        var tasks = $"/proc/{pid}/task";
        if (!Directory.Exists(tasks))
            yield break;
        foreach (var task in Directory.EnumerateDirectories(tasks))
        {
            string children;
            try
            {
                children = File.ReadAllText(Path.Combine(task, "children"));
            }
            catch (IOException)
            {
                continue;
            }
            foreach (var child in children.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var childPid = int.Parse(child, System.Globalization.CultureInfo.InvariantCulture);
                yield return childPid;
                foreach (var grandchild in Descendants(childPid))
                    yield return grandchild;
            }
        }
    }

    public async Task<RunnerOutcome> RunAsync(RunnerJob job, TimeSpan wallClock, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        Promote();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(wallClock);
        try
        {
            await _process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(job, Json).AsMemory(), cts.Token);
            await _process.StandardInput.FlushAsync(cts.Token);
            var line = await _process.StandardOutput.ReadLineAsync(cts.Token);
            if (line is not null)
                return new RunnerOutcome(JsonSerializer.Deserialize<RunnerReport>(line, Json), null, null, clock.Elapsed.TotalMilliseconds);

            // No answer: the runner died. Wait for the exit code and the last of stderr to tell how.
            await _process.WaitForExitAsync(cts.Token);
            await _stderrPump.WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            var (status, message) = ExplainDeath(_process.ExitCode, StderrTail);
            return new RunnerOutcome(null, status, message, clock.Elapsed.TotalMilliseconds);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Kill();
            return new RunnerOutcome(null, RunnerStatus.Timeout,
                $"the program ran past its wall-clock limit of {wallClock.TotalSeconds:0.###} s and was killed", clock.Elapsed.TotalMilliseconds);
        }
        catch (IOException)
        {
            // The runner closed its pipes while we wrote: it died at once. Report it like any other death.
            Kill();
            await _process.WaitForExitAsync(CancellationToken.None);
            var (status, message) = ExplainDeath(_process.ExitCode, StderrTail);
            return new RunnerOutcome(null, status, message, clock.Elapsed.TotalMilliseconds);
        }
        catch (JsonException e)
        {
            Kill();
            return new RunnerOutcome(null, RunnerStatus.RuntimeError, "the runner answered with an unreadable report: " + e.Message, clock.Elapsed.TotalMilliseconds);
        }
    }

    internal static (string Status, string Message) ExplainDeath(int exitCode, string stderr)
    {
        if (stderr.Contains("Stack overflow", StringComparison.OrdinalIgnoreCase))
            return (RunnerStatus.RuntimeError, "the program crashed with a stack overflow (unbounded recursion?)");
        if (stderr.Contains("OutOfMemory", StringComparison.OrdinalIgnoreCase) || stderr.Contains("std::bad_alloc", StringComparison.Ordinal)
            || stderr.Contains("Out of memory", StringComparison.OrdinalIgnoreCase))
            return (RunnerStatus.MemoryLimit, "the program ran out of memory and the runner died");
        return exitCode switch
        {
            152 => (RunnerStatus.Timeout, "the program used up its CPU-time limit and was killed"),
            137 => (RunnerStatus.MemoryLimit, "the runner was killed (SIGKILL), most likely for memory"),
            134 => (RunnerStatus.RuntimeError, "the program aborted (SIGABRT) in native code"),
            139 => (RunnerStatus.RuntimeError, "the program crashed with a segmentation fault in native code"),
            _ => (RunnerStatus.RuntimeError, $"the runner exited with code {exitCode} without an answer"),
        };
    }

    public void Kill()
    {
        if (Interlocked.Exchange(ref _killed, 1) == 1)
            return;
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public void Dispose()
    {
        Kill();
        try
        {
            _process.WaitForExit(5_000);
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }

    private async Task PumpStderr()
    {
        var buffer = new char[4096];
        var reader = _process.StandardError;
        try
        {
            int read;
            while ((read = await reader.ReadAsync(buffer)) > 0)
            {
                lock (_stderr)
                {
                    // Keep the head (where the runtime names the crash) and drop the rest.
                    var room = StderrKeep - _stderr.Length;
                    if (room > 0)
                        _stderr.Append(buffer, 0, Math.Min(room, read));
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }
}
