using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OptLib.Solver.Runs;
using OptLib.Solver.Wire;

namespace OptLib.Solver.Sandbox;

/// <summary>
/// Keeps <see cref="SolverOptions.PoolSize"/> runners warm. Each runner serves exactly one program and is then
/// killed; a replacement starts warming as soon as one is taken. With PoolSize 0 every program starts cold.
/// </summary>
internal sealed class RunnerPool : ISandbox, IAsyncDisposable
{
    private static readonly TimeSpan WarmupTimeout = TimeSpan.FromSeconds(60);
    private const int MaxConsecutiveFailures = 5;

    private readonly RunnerLaunch _launch;
    private readonly SolverOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<RunnerProcess> _ready = Channel.CreateBounded<RunnerProcess>(1);
    private readonly ConcurrentDictionary<int, RunnerProcess> _alive = new();

    // Served runners being reaped in the background; disposal waits for them, so no process outlives the pool.
    private readonly ConcurrentDictionary<int, Task> _reaping = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task[] _fillers;
    private volatile string? _broken;
    private int _warming;
    private int _inFlight;
    private int _disposed;

    // A replacement runner waits this long at most for running programs to finish before it starts warming, so
    // that on a lightly loaded host its start-up never competes with a program; under load it starts anyway.
    private static readonly TimeSpan QuietWait = TimeSpan.FromMilliseconds(250);

    public RunnerPool(RunnerLaunch launch, ILogger<RunnerPool>? logger = null)
    {
        _launch = launch;
        _options = launch.Options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _fillers = Enumerable.Range(0, _options.PoolSize).Select(_ => Task.Run(FillAsync)).ToArray();
    }

    public ISandboxInfo Info => _launch.Plan;

    /// <summary>True when a warm runner is waiting, so the next program starts at once.</summary>
    internal bool HasReadyRunner => _ready.Reader.Count > 0;

    /// <summary>Runners started but not yet warm; they compete for CPU with the program being run.</summary>
    internal int WarmingCount => _warming;

    /// <summary>Processes alive now (warming, waiting or running); for tests that check nothing leaks.</summary>
    public IReadOnlyCollection<int> AliveProcessIds => _alive.Keys.ToArray();

    /// <summary>Completes when every runner that has served a program so far is killed and reaped.</summary>
    internal Task ReapedAsync() => Task.WhenAll(_reaping.Values);

    public async Task<RunResult> RunAsync(RunRequest request, CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        var timeLimit = Math.Min(request.TimeLimitSeconds ?? _options.DefaultTimeLimitSeconds, _options.MaxTimeLimitSeconds);
        var job = new RunnerJob(
            request.Language switch { ProgramLanguage.Lp => "lp", ProgramLanguage.Mps => "mps", _ => "csharp" },
            request.Source, timeLimit, _options.OutputLimitChars, _options.SolverMemoryLimitMb, _options.CpSatWorkers, request.CrossCheck);

        RunnerProcess? runner;
        try
        {
            runner = await TakeAsync(cancellationToken);
        }
        catch (InvalidOperationException e)
        {
            return Verdicts.Failure(request, _options, Info, RunnerStatus.RuntimeError, "Sandbox", e.Message, total.Elapsed.TotalMilliseconds);
        }

        Interlocked.Increment(ref _inFlight);
        try
        {
            var outcome = await runner.RunAsync(job, TimeSpan.FromSeconds(timeLimit + _options.GraceSeconds), cancellationToken);
            return Verdicts.Conclude(request, outcome, _options, Info, total.Elapsed.TotalMilliseconds);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            // The runner exits by itself after answering; reaping it is not the caller's wait.
            var reap = Task.Run(() => Retire(runner), CancellationToken.None);
            _reaping[runner.Id] = reap;
            _ = reap.ContinueWith(_ => _reaping.TryRemove(runner.Id, out Task? _), TaskScheduler.Default);
        }
    }

    private async Task<RunnerProcess> TakeAsync(CancellationToken ct)
    {
        if (_options.PoolSize == 0)
        {
            RunnerProcess? fresh;
            try
            {
                fresh = await StartWarmAsync(ct);
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
            {
                throw new InvalidOperationException("a solver runner could not be started: " + e.Message, e);
            }
            return fresh ?? throw new InvalidOperationException("a solver runner failed to start: " + (_broken ?? "unknown reason"));
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(WarmupTimeout * 2);
        while (true)
        {
            if (_broken is { } reason)
                throw new InvalidOperationException("solver runners keep failing to start: " + reason);
            RunnerProcess runner;
            try
            {
                runner = await _ready.Reader.ReadAsync(cts.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new InvalidOperationException("no solver runner became ready in time");
            }
            if (!runner.HasExited)
                return runner;
            Retire(runner);
        }
    }

    private async Task FillAsync()
    {
        var failures = 0;
        while (!_stopping.IsCancellationRequested)
        {
            RunnerProcess? runner = null;
            try
            {
                var quietBy = DateTime.UtcNow + QuietWait;
                while (Volatile.Read(ref _inFlight) > 0 && DateTime.UtcNow < quietBy)
                    await Task.Delay(5, _stopping.Token);
                runner = await StartWarmAsync(_stopping.Token);
                if (runner is null)
                {
                    if (++failures >= MaxConsecutiveFailures)
                        return;
                    await Task.Delay(TimeSpan.FromMilliseconds(200 * failures), _stopping.Token);
                    continue;
                }
                failures = 0;
                await _ready.Writer.WriteAsync(runner, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                if (runner is not null)
                    Retire(runner);
                return;
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Solver runner pool filler failed");
                _broken = e.Message;
                return;
            }
        }
    }

    private async Task<RunnerProcess?> StartWarmAsync(CancellationToken ct)
    {
        RunnerProcess runner;
        bool ready;
        Interlocked.Increment(ref _warming);
        try
        {
            runner = RunnerProcess.Start(_launch);
            _alive[runner.Id] = runner;
            ready = await runner.WaitReadyAsync(WarmupTimeout, ct);
        }
        finally
        {
            Interlocked.Decrement(ref _warming);
        }
        if (ready)
        {
            _broken = null;
            return runner;
        }
        _broken = "a runner did not warm up: " + runner.StderrTail.Trim();
        _logger.LogWarning("Solver runner {Pid} did not warm up: {Stderr}", runner.Id, runner.StderrTail);
        Retire(runner);
        return null;
    }

    private void Retire(RunnerProcess runner)
    {
        _alive.TryRemove(runner.Id, out _);
        runner.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        // The container disposes this instance once as RunnerPool and once more as ISandbox.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        await _stopping.CancelAsync();
        _ready.Writer.TryComplete();
        await Task.WhenAll(_fillers).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        while (_ready.Reader.TryRead(out var runner))
            Retire(runner);
        foreach (var runner in _alive.Values)
            Retire(runner);
        await ReapedAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }
}
