using System.Diagnostics;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Emit;
using Microsoft.CodeAnalysis.Text;
using System.Text;
using OptLib.Solver.Runner.Policing;
using OptLib.Solver.Wire;

namespace OptLib.Solver.Runner.Compiling;

internal sealed record CompileOutcome(
    string Status,
    List<RunnerDiagnostic> Diagnostics,
    Assembly? Assembly,
    double PolicyMs,
    double CompileMs);

/// <summary>Parses, polices, compiles and loads one program. References are read once per runner.</summary>
internal static class ProgramCompiler
{
    private const int MaxDiagnostics = 20;

    // Global usings live in their own tree so that line numbers in diagnostics match what the model wrote.
    private static readonly SyntaxTree GlobalUsings = CSharpSyntaxTree.ParseText(
        "global using System; global using System.Linq; global using System.Collections.Generic; global using OptLib.Solver.Contract;",
        CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest));

    private static readonly Lazy<MetadataReference[]> References = new(LoadReferences);

    private static readonly CSharpCompilationOptions Options = new(
        OutputKind.DynamicallyLinkedLibrary,
        optimizationLevel: OptimizationLevel.Release,
        allowUnsafe: false,
        nullableContextOptions: NullableContextOptions.Disable,
        concurrentBuild: false);

    public static CompileOutcome Compile(string source)
    {
        var clock = Stopwatch.StartNew();
        var tree = CSharpSyntaxTree.ParseText(SourceText.From(source, Encoding.UTF8), CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest), path: "Program.cs");
        var syntaxErrors = tree.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (syntaxErrors.Count > 0)
            return new CompileOutcome(RunnerStatus.CompileError, ToDiagnostics(syntaxErrors), null, 0, clock.Elapsed.TotalMilliseconds);

        var compilation = CSharpCompilation.Create("OptModel_" + Guid.NewGuid().ToString("N"), [GlobalUsings, tree], References.Value, Options);
        var model = compilation.GetSemanticModel(tree);
        var violations = ProgramPolicy.Check(tree, model);
        var policyMs = clock.Elapsed.TotalMilliseconds;
        if (violations.Count > 0)
            return new CompileOutcome(RunnerStatus.Rejected, violations.Take(MaxDiagnostics).ToList(), null, policyMs, 0);

        clock.Restart();
        using var image = new MemoryStream();
        using var symbols = new MemoryStream();
        var emitted = compilation.Emit(image, symbols, options: new EmitOptions(debugInformationFormat: DebugInformationFormat.PortablePdb));
        var errors = emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (!emitted.Success)
            return new CompileOutcome(RunnerStatus.CompileError, ToDiagnostics(errors), null, policyMs, clock.Elapsed.TotalMilliseconds);

        var assembly = Assembly.Load(image.ToArray(), symbols.ToArray());
        return new CompileOutcome(RunnerStatus.Optimal, [], assembly, policyMs, clock.Elapsed.TotalMilliseconds);
    }

    private static List<RunnerDiagnostic> ToDiagnostics(IEnumerable<Diagnostic> diagnostics) =>
        diagnostics.Take(MaxDiagnostics).Select(d =>
        {
            var pos = d.Location.GetLineSpan().StartLinePosition;
            return new RunnerDiagnostic("Compile", pos.Line + 1, pos.Character + 1, d.Id, d.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        }).ToList();

    // What a model needs, plus the assemblies that hostile code reaches for: referencing those lets the policy
    // name the forbidden symbol (File, Socket, Process, Thread...) instead of failing with "type not found".
    // Fewer references make every compile faster; everything else simply does not bind.
    private static readonly HashSet<string> ReferenceNames =
    [
        "System.Private.CoreLib", "System.Runtime", "System.Console", "System.Linq", "System.Collections",
        "System.Memory", "System.Runtime.Extensions", "System.Text.Encoding.Extensions", "netstandard", "Microsoft.CSharp",
        "System.Net.Sockets", "System.Net.Http", "System.Net.Primitives", "System.Diagnostics.Process",
        "System.ComponentModel.Primitives", "System.Threading", "System.Threading.Thread", "System.Threading.ThreadPool",
        "System.Runtime.Loader", "System.Runtime.InteropServices", "System.Linq.Parallel", "System.Linq.Expressions",
        "System.Collections.Concurrent", "System.IO.FileSystem", "System.Reflection.Emit",
        "Google.OrTools", "Google.Protobuf", "OptLib.Solver.Contract",
    ];

    private static MetadataReference[] LoadReferences()
    {
        var paths = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return paths
            .Where(p => ReferenceNames.Contains(Path.GetFileNameWithoutExtension(p)))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToArray();
    }
}
