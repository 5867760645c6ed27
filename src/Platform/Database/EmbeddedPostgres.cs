using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Npgsql;
using OptLib.Platform.Hosting;

namespace OptLib.Platform.Database;

/// <summary>
/// OptLib's zero set-up database: PGlite (PostgreSQL 18 compiled to WASM) with pgvector, run by Node.js and served
/// over the PostgreSQL wire protocol on a free loopback port. It is owned by one process: it follows that process's
/// death (its standard input closes) and can be restarted in place on the same port when it stops answering.
/// </summary>
public sealed class EmbeddedPostgres : IAsyncDisposable
{
    private const string ReadyMarker = "OPTLIB_PGLITE_READY";
    private const string ErrorMarker = "OPTLIB_PGLITE_ERROR";

    private readonly EmbeddedPostgresOptions _options;
    private readonly ILogger _logger;
    private readonly string _launcherDirectory;
    private readonly string _node;
    private readonly DataDirectoryLock? _lock;
    private readonly SemaphoreSlim _restartGate = new(1, 1);
    private Process? _process;

    private EmbeddedPostgres(EmbeddedPostgresOptions options, ILogger logger, string launcherDirectory, string node,
        DataDirectoryLock? @lock, int port)
    {
        _options = options;
        _logger = logger;
        _launcherDirectory = launcherDirectory;
        _node = node;
        _lock = @lock;
        Port = port;
        ConnectionString = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Username = "postgres",
            Password = "postgres",
            Database = "postgres",
            // PGlite runs one statement at a time; a small pool queues politely instead of piling up sockets.
            MaxPoolSize = 10,
            // All client connections share PGlite's one session, so resetting "this connection's" state on close
            // would only reset everybody's.
            NoResetOnClose = true,
            Timeout = 30,
            CommandTimeout = 120,
        }.ConnectionString;
    }

    public int Port { get; }

    public string ConnectionString { get; }

    /// <summary>The server's process id while it runs; null once it has exited or is being replaced.</summary>
    public int? ProcessId
    {
        get
        {
            var process = _process;
            try
            {
                return process is { HasExited: false } ? process.Id : null;
            }
            catch (InvalidOperationException)
            {
                // A restart or Kill disposed it between the read and the question: the health check and the
                // dashboard ask from other threads, and a throw here would stop the supervisor.
                return null;
            }
        }
    }

    /// <summary>How many times the server was restarted after it stopped answering.</summary>
    public int Restarts { get; private set; }

    /// <summary>The supervisor's checks in a row that got no answer (0 while it answers).</summary>
    public int UnansweredChecks { get; internal set; }

    /// <summary>The resident memory of the server process, in bytes, where the platform reports it.</summary>
    public long? ResidentMemoryBytes
    {
        get
        {
            var pid = ProcessId;
            if (pid is null || !OperatingSystem.IsLinux())
            {
                return null;
            }

            try
            {
                var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
                var kb = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
                return kb is null ? null : long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
            }
            catch (IOException)
            {
                return null;
            }
        }
    }

    public static async Task<EmbeddedPostgres> StartAsync(EmbeddedPostgresOptions options, ILogger logger, CancellationToken ct)
    {
        var node = FindNode(options);
        var launcher = FindLauncher(options);
        var @lock = options.InMemory ? null : DataDirectoryLock.Acquire(options.DataDirectory);
        try
        {
            var server = new EmbeddedPostgres(options, logger, launcher, node, @lock, FreeLoopbackPort());
            await server.LaunchAsync(ct);
            return server;
        }
        catch
        {
            @lock?.Dispose();
            throw;
        }
    }

    /// <summary>Kills the server and starts it again on the same port and data, for a server that stopped answering.</summary>
    public async Task RestartAsync(string reason, CancellationToken ct)
    {
        await _restartGate.WaitAsync(ct);
        try
        {
            _logger.LogWarning("Restarting the embedded PostgreSQL (pid {Pid}) because {Reason}", ProcessId, reason);
            Kill();
            await LaunchAsync(ct);
            Restarts++;
            _logger.LogWarning("The embedded PostgreSQL is back on 127.0.0.1:{Port} (pid {Pid}) after restart {Restarts}",
                Port, ProcessId, Restarts);
        }
        finally
        {
            _restartGate.Release();
        }
    }

    /// <summary>Stops the server abruptly; used by tests that prove the service notices a dead database.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }

        _process?.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            // Closing standard input asks the launcher to stop the socket server and flush PGlite's files.
            try
            {
                process.StandardInput.Close();
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                await process.WaitForExitAsync(grace.Token);
                _logger.LogInformation("The embedded PostgreSQL stopped");
            }
            catch (OperationCanceledException)
            {
                _logger.LogWarning("The embedded PostgreSQL did not stop within 15 s and was killed");
            }
        }

        Kill();
        _lock?.Dispose();
        _restartGate.Dispose();
    }

    private async Task LaunchAsync(CancellationToken ct)
    {
        var dataArgument = _options.InMemory ? "memory://" : Path.Combine(_options.DataDirectory, "pgdata");
        var start = new ProcessStartInfo(_node)
        {
            WorkingDirectory = _launcherDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     Path.Combine(_launcherDirectory, "server.mjs"),
                     "--data", dataArgument,
                     "--port", Port.ToString(CultureInfo.InvariantCulture),
                     "--max-connections", _options.MaxConnections.ToString(CultureInfo.InvariantCulture),
                 })
        {
            start.ArgumentList.Add(argument);
        }

        if (_options is { InMemory: true, TemplateDirectory: { } templates })
        {
            start.ArgumentList.Add("--template-dir");
            start.ArgumentList.Add(templates);
        }

        var clock = Stopwatch.StartNew();
        var ready = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new List<string>();
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.StartsWith(ReadyMarker, StringComparison.Ordinal) == true)
            {
                ready.TrySetResult(true);
            }
            else if (!string.IsNullOrWhiteSpace(e.Data))
            {
                _logger.LogDebug("pglite: {Line}", e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (string.IsNullOrWhiteSpace(e.Data))
            {
                return;
            }

            lock (errors)
            {
                errors.Add(e.Data.Replace(ErrorMarker, string.Empty, StringComparison.Ordinal).Trim());
            }

            _logger.LogWarning("pglite: {Line}", e.Data);
        };
        process.Exited += (_, _) => ready.TrySetResult(false);

        if (!process.Start())
        {
            throw new StartupException($"Could not start '{_node}' for the embedded database.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.StartTimeout);
        bool started;
        try
        {
            started = await ready.Task.WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Kill();
            throw new StartupException(
                $"The embedded database did not start within {_options.StartTimeout.TotalSeconds:0} s. " +
                "Check the log above, or set ConnectionStrings:OptLib to a PostgreSQL server with pgvector.");
        }

        if (!started)
        {
            string detail;
            lock (errors)
            {
                detail = errors.Count > 0 ? errors[^1] : "no message";
            }

            Kill();
            throw new StartupException($"The embedded database exited during start-up ({detail}). " +
                $"If the data folder '{_options.DataDirectory}' is damaged, move it aside and start again.");
        }

        _logger.LogInformation("Embedded PostgreSQL (PGlite + pgvector) listening on 127.0.0.1:{Port}, pid {Pid}, data {Data}, started in {Ms} ms",
            Port, process.Id, dataArgument, clock.ElapsedMilliseconds);
    }

    private static string FindNode(EmbeddedPostgresOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.NodeExecutable))
        {
            return File.Exists(options.NodeExecutable)
                ? options.NodeExecutable
                : throw new StartupException($"OptLib:Embedded:NodeExecutable points at '{options.NodeExecutable}', which does not exist.");
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, OperatingSystem.IsWindows() ? "node.exe" : "node");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new StartupException(
            "The embedded database needs Node.js 20+, and 'node' is not on PATH. Install Node.js, " +
            "or set ConnectionStrings:OptLib to a PostgreSQL 16+ server with pgvector.");
    }

    private static string FindLauncher(EmbeddedPostgresOptions options)
    {
        var candidates = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.LauncherDirectory))
        {
            candidates.Add(options.LauncherDirectory);
        }

        candidates.Add(Path.Combine(AppContext.BaseDirectory, "pglite"));
        var fromBuild = typeof(EmbeddedPostgres).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "OptLib.PgliteDirectory")?.Value;
        if (!string.IsNullOrWhiteSpace(fromBuild))
        {
            candidates.Add(fromBuild);
        }

        foreach (var directory in candidates)
        {
            if (File.Exists(Path.Combine(directory, "server.mjs")) &&
                File.Exists(Path.Combine(directory, "node_modules", "@electric-sql", "pglite-socket", "package.json")))
            {
                return Path.GetFullPath(directory);
            }
        }

        throw new StartupException(
            $"The embedded database's packages are not installed. Run 'npm ci' in '{fromBuild ?? candidates[0]}' " +
            "(the build does this when Node.js is present), or set ConnectionStrings:OptLib to a PostgreSQL server with pgvector.");
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
