using System.Diagnostics;
using System.Text.Json;
using OptLib.Solver.Runner;
using OptLib.Solver.Runner.Harness;
using OptLib.Solver.Wire;

// A single-use runner: warm up, say Ready, take exactly one job from stdin, answer it, exit.
// Whatever the program does, the host kills this process if it overstays; it never serves a second program.
// "--cold" skips the warm-up: a runner started for a program already waiting gains nothing from a dummy compile.
var clock = Stopwatch.StartNew();
using var channel = ProtocolChannel.Open();
var input = Console.In;
if (!args.Contains("--cold"))
    Warmup.Run();
channel.Send(new RunnerReady(true, clock.Elapsed.TotalMilliseconds));

var line = input.ReadLine();
if (string.IsNullOrWhiteSpace(line))
    return 0;
var job = JsonSerializer.Deserialize<RunnerJob>(line, ProtocolChannel.Json)
    ?? throw new InvalidOperationException("empty job");
var report = ProgramRun.Execute(job);
channel.Send(report);
Environment.Exit(0);
return 0;
