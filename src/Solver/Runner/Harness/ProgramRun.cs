using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;
using OptLib.Solver.Contract;
using OptLib.Solver.Runner.Compiling;
using OptLib.Solver.Wire;

namespace OptLib.Solver.Runner.Harness;

/// <summary>Runs one job inside this runner process: compile, build the model, solve it, report.</summary>
internal static partial class ProgramRun
{
    public static RunnerReport Execute(RunnerJob job)
    {
        var output = new CappedWriter(job.OutputLimitChars);
        Console.SetOut(output);
        Console.SetError(output);

        CompileOutcome? compiled = null;
        var clock = new Stopwatch();
        SolveOutcome outcome;
        try
        {
            if (job.Language == "csharp")
            {
                compiled = ProgramCompiler.Compile(job.Source);
                if (compiled.Assembly is null)
                    return Report(compiled.Status, compiled, null, output, 0, compiled.Diagnostics);
                clock.Start();
                outcome = BuildAndSolve(compiled.Assembly, job);
            }
            else
            {
                clock.Start();
                outcome = ModelSolving.SolveText(job);
            }
        }
        catch (Exception e)
        {
            var (status, diagnostic) = Classify(e);
            outcome = new SolveOutcome(status, "none", null, null, [], null, null, [diagnostic]);
        }

        if (output.Exceeded)
            outcome = outcome with
            {
                Status = RunnerStatus.OutputLimit,
                Diagnostics = [new RunnerDiagnostic("Output", 0, 0, "System.Console", $"the program printed more than {job.OutputLimitChars} characters")],
            };
        return Report(outcome.Status, compiled, outcome, output, clock.Elapsed.TotalMilliseconds, outcome.Diagnostics);
    }

    internal static SolveOutcome BuildAndSolve(Assembly assembly, RunnerJob job)
    {
        var candidates = assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IOptModel).IsAssignableFrom(t))
            .ToList();
        if (candidates.Count != 1)
        {
            var message = candidates.Count == 0
                ? "no class implements IOptModel: write 'public sealed class Model : IOptModel { public void Build(IModelContext ctx) { ... } }'"
                : "more than one class implements IOptModel: keep exactly one";
            return new SolveOutcome(RunnerStatus.CompileError, "none", null, null, [], null, null, [new RunnerDiagnostic("Compile", 1, 1, "IOptModel", message)]);
        }

        var ctx = new ModelContext();
        var program = (IOptModel)Activator.CreateInstance(candidates[0])!;
        program.Build(ctx);
        return ModelSolving.Solve(ctx, job);
    }

    private static (string Status, RunnerDiagnostic Diagnostic) Classify(Exception e)
    {
        while (e is TargetInvocationException or TypeInitializationException && e.InnerException is not null)
            e = e.InnerException!;
        var line = LineOf(e);
        return e switch
        {
            OutOfMemoryException => (RunnerStatus.MemoryLimit, new RunnerDiagnostic("Memory", line, 0, e.GetType().FullName, "the program ran out of its memory limit")),
            OutputLimitException => (RunnerStatus.OutputLimit, new RunnerDiagnostic("Output", line, 0, "System.Console", e.Message)),
            _ => (RunnerStatus.RuntimeError, new RunnerDiagnostic("Runtime", line, 0, e.GetType().FullName, e.Message)),
        };
    }

    // The program is compiled with a portable PDB, so its frames carry "Program.cs:line N".
    private static int LineOf(Exception e) =>
        e.StackTrace is { } trace && ProgramLine().Match(trace) is { Success: true } m ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;

    [GeneratedRegex(@"Program\.cs:line (\d+)")]
    private static partial Regex ProgramLine();

    private static RunnerReport Report(string status, CompileOutcome? compiled, SolveOutcome? outcome, CappedWriter output, double runMs, List<RunnerDiagnostic> diagnostics) =>
        new(status,
            outcome?.Solver,
            Finite(outcome?.Objective),
            Finite(outcome?.Bound),
            outcome?.Variables ?? [],
            diagnostics,
            output.Text,
            output.Exceeded,
            compiled?.PolicyMs ?? 0,
            compiled?.CompileMs ?? 0,
            runMs,
            outcome?.Model,
            outcome?.Solution,
            outcome?.Sensitivity,
            outcome?.Infeasibility,
            outcome?.CrossCheck);

    // JSON has no infinities; an unbounded or absent bound is simply not reported.
    private static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;
}
