using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using OptLib.Solver.Wire;

namespace OptLib.Solver.Runner.Policing;

/// <summary>
/// Walks the bound program and allows only what an optimisation model needs. Everything not on the allow-list is
/// rejected, so a new dangerous API in a future runtime is blocked by default rather than by someone remembering it.
/// </summary>
internal static class ProgramPolicy
{
    private static readonly HashSet<string> AllowedNamespaces =
    [
        "System.Collections.Generic",
        "System.Linq",
        "Google.OrTools.LinearSolver",
        "Google.OrTools.Sat",
        "Google.OrTools.ModelBuilder",
        "Google.OrTools.Util",
        "Google.Protobuf.Collections",
        "OptLib.Solver.Contract",
    ];

    // Types outside the allowed namespaces that a model may use. System.Type is deliberately absent: without it
    // there is no way into reflection.
    private static readonly HashSet<string> AllowedTypes =
    [
        "System.Object", "System.String", "System.Boolean", "System.Char", "System.Byte", "System.SByte",
        "System.Int16", "System.UInt16", "System.Int32", "System.UInt32", "System.Int64", "System.UInt64",
        "System.Single", "System.Double", "System.Decimal", "System.Void", "System.Math", "System.MathF", "System.Console",
        "System.Array", "System.Nullable", "System.Nullable`1", "System.Tuple", "System.ValueTuple",
        "System.Func", "System.Action", "System.Predicate`1", "System.Comparison`1", "System.Converter`2",
        "System.IComparable", "System.IComparable`1", "System.IEquatable`1", "System.IDisposable",
        "System.IFormattable", "System.IFormatProvider", "System.FormattableString", "System.Enum",
        "System.StringComparison", "System.StringComparer", "System.StringSplitOptions", "System.MidpointRounding",
        "System.Convert", "System.Random", "System.Range", "System.Index", "System.TimeSpan",
        "System.Span`1", "System.ReadOnlySpan`1", "System.MemoryExtensions",
        "System.Exception", "System.ArgumentException", "System.ArgumentNullException",
        "System.ArgumentOutOfRangeException", "System.InvalidOperationException", "System.NotSupportedException",
        "System.NotImplementedException", "System.ArithmeticException", "System.OverflowException",
        "System.DivideByZeroException", "System.IndexOutOfRangeException", "System.FormatException",
        "System.Collections.IEnumerable", "System.Collections.IEnumerator",
        "System.Text.StringBuilder", "System.Globalization.CultureInfo", "System.Globalization.NumberStyles",
        "System.Runtime.CompilerServices.DefaultInterpolatedStringHandler",
        "System.Runtime.CompilerServices.IsExternalInit",
    ];

    // Allowed namespaces still hold a few members that would start threads or touch the file system.
    private static readonly HashSet<string> BlockedTypes =
    [
        "System.Linq.ParallelEnumerable", "System.Linq.ParallelQuery", "System.Linq.ParallelQuery`1",
        "Google.OrTools.Sat.CpSolver", "Google.OrTools.ModelBuilder.Solver",
        "Google.OrTools.ModelBuilder.ModelBuilderHelper", "Google.OrTools.Sat.SolutionCallback",
        "Google.OrTools.Sat.CpSolverSolutionCallback",
    ];

    // OR-Tools members that write or read files, or solve behind the harness's back (and so around its limits).
    private static readonly string[] BlockedMemberWords = ["File", "Dump", "Parameters", "Callback"];

    private static readonly HashSet<string> BlockedMembers =
    [
        "Solve", "SolveWithProto", "InterruptSolve", "SetTimeLimit", "SetNumThreads", "LoadModelFromProto",
        "LoadModelFromProtoWithUniqueNamesOrDie", "LoadSolutionFromProto", "ExportModelToProto",
    ];

    private static readonly HashSet<string> AllowedConsoleMembers = ["Write", "WriteLine"];

    public static List<RunnerDiagnostic> Check(SyntaxTree tree, SemanticModel model)
    {
        var found = new List<RunnerDiagnostic>();
        var root = tree.GetRoot();
        foreach (var node in root.DescendantNodesAndSelf())
        {
            var verdict = CheckSyntax(node) ?? CheckSymbols(node, model);
            if (verdict is { } v)
            {
                var pos = node.GetLocation().GetLineSpan().StartLinePosition;
                if (!found.Any(d => d.Line == pos.Line + 1 && d.Symbol == v.Symbol))
                    found.Add(new RunnerDiagnostic("Policy", pos.Line + 1, pos.Character + 1, v.Symbol, v.Message));
            }
        }
        return found;
    }

    private static Verdict? CheckSyntax(SyntaxNode node) => node switch
    {
        UnsafeStatementSyntax => new Verdict("unsafe", "'unsafe' code is not allowed"),
        PointerTypeSyntax or FunctionPointerTypeSyntax => new Verdict("pointer", "pointers are not allowed"),
        StackAllocArrayCreationExpressionSyntax or ImplicitStackAllocArrayCreationExpressionSyntax
            => new Verdict("stackalloc", "'stackalloc' is not allowed"),
        MemberDeclarationSyntax m when m.Modifiers.Any(SyntaxKind.UnsafeKeyword)
            => new Verdict("unsafe", "'unsafe' code is not allowed"),
        MemberDeclarationSyntax m when m.Modifiers.Any(SyntaxKind.ExternKeyword)
            => new Verdict("extern", "'extern' methods are not allowed"),
        LocalFunctionStatementSyntax f when f.Modifiers.Any(SyntaxKind.UnsafeKeyword) || f.Modifiers.Any(SyntaxKind.ExternKeyword)
            => new Verdict("extern", "'unsafe' and 'extern' local functions are not allowed"),
        ExternAliasDirectiveSyntax => new Verdict("extern alias", "extern aliases are not allowed"),
        _ => null,
    };

    private static Verdict? CheckSymbols(SyntaxNode node, SemanticModel model)
    {
        if (node is not (ExpressionSyntax or TypeSyntax or AttributeSyntax or UsingDirectiveSyntax))
            return null;
        // 'var' is judged by its initializer, which names what it calls; reporting the inferred type is less useful.
        if (node is IdentifierNameSyntax { IsVar: true })
            return null;
        if (node is UsingDirectiveSyntax u)
            return u.Alias is null ? null : CheckSymbol(model.GetSymbolInfo(u.Name!).Symbol);

        var info = model.GetSymbolInfo(node);
        if (CheckSymbol(info.Symbol) is { } bad)
            return bad;
        foreach (var candidate in info.CandidateSymbols)
            if (CheckSymbol(candidate) is { } badCandidate)
                return badCandidate;

        if (node is ExpressionSyntax)
        {
            var type = model.GetTypeInfo(node);
            return CheckType(type.Type) ?? CheckType(type.ConvertedType);
        }
        return null;
    }

    private static Verdict? CheckSymbol(ISymbol? symbol)
    {
        switch (symbol)
        {
            case null:
                return null;
            case ITypeSymbol type:
                return CheckType(type);
            case INamespaceSymbol:
                return null;
            case IAliasSymbol alias:
                return CheckSymbol(alias.Target);
            case ILocalSymbol local:
                return CheckType(local.Type);
            case IParameterSymbol parameter:
                return CheckType(parameter.Type);
            case IRangeVariableSymbol or ILabelSymbol or IDiscardSymbol:
                return null;
        }

        if (symbol is IMethodSymbol { MethodKind: MethodKind.FunctionPointerSignature })
            return new Verdict("pointer", "function pointers are not allowed");
        if (symbol is IMethodSymbol method)
        {
            foreach (var argument in method.TypeArguments)
                if (CheckType(argument) is { } badArgument)
                    return badArgument;
            if (method.IsExtern)
                return new Verdict(Describe(symbol), "'extern' methods are not allowed");
        }

        var container = symbol.ContainingType;
        if (container is null)
            return null;
        if (CheckType(container) is { } badContainer)
            return badContainer with { Symbol = Describe(symbol) };

        var containerName = FullName(Outermost(container));
        if (containerName == "System.Console" && !AllowedConsoleMembers.Contains(symbol.Name))
            return new Verdict(Describe(symbol), "only Console.Write and Console.WriteLine are allowed");
        if (containerName.StartsWith("Google.OrTools.", StringComparison.Ordinal)
            && (BlockedMembers.Contains(symbol.Name) || BlockedMemberWords.Any(w => symbol.Name.Contains(w, StringComparison.Ordinal))))
            return new Verdict(Describe(symbol),
                "the harness solves the model and no program may write, read or dump files; remove this call");
        return null;
    }

    private static Verdict? CheckType(ITypeSymbol? type)
    {
        switch (type)
        {
            case null or ITypeParameterSymbol or IErrorTypeSymbol:
                return null;
            case IDynamicTypeSymbol:
                return new Verdict("dynamic", "'dynamic' is not allowed");
            case IPointerTypeSymbol or IFunctionPointerTypeSymbol:
                return new Verdict("pointer", "pointers are not allowed");
            case IArrayTypeSymbol array:
                return CheckType(array.ElementType);
        }

        if (type is INamedTypeSymbol named)
        {
            foreach (var argument in named.TypeArguments)
                if (CheckType(argument) is { } badArgument)
                    return badArgument;
            if (named.IsTupleType)
                return null;
        }

        if (type!.Locations.Any(l => l.IsInSource))
            return null;

        var outer = Outermost(type);
        var name = FullName(outer);
        if (BlockedTypes.Contains(name))
            return new Verdict(name, $"'{name}' is not allowed: {Reason(name)}");
        var ns = outer.ContainingNamespace?.ToDisplayString() ?? "";
        if (AllowedNamespaces.Contains(ns) || AllowedTypes.Contains(name) || AllowedTypes.Contains(StripArity(name)))
            return null;
        return new Verdict(name, $"'{name}' is not allowed: {Reason(name)}");
    }

    private static string Reason(string typeName) => typeName switch
    {
        _ when typeName.StartsWith("System.IO", StringComparison.Ordinal) => "no file system access",
        _ when typeName.StartsWith("System.Net", StringComparison.Ordinal) => "no network access",
        _ when typeName.StartsWith("System.Diagnostics", StringComparison.Ordinal) => "no processes or diagnostics",
        _ when typeName.StartsWith("System.Reflection", StringComparison.Ordinal) || typeName is "System.Type" or "System.Activator"
            => "no reflection",
        _ when typeName.StartsWith("System.Runtime.Loader", StringComparison.Ordinal) => "no assembly loading",
        _ when typeName.StartsWith("System.Runtime.InteropServices", StringComparison.Ordinal) => "no native interop",
        _ when typeName.StartsWith("System.Runtime.CompilerServices", StringComparison.Ordinal) => "no runtime internals",
        _ when typeName.StartsWith("System.Threading", StringComparison.Ordinal) || typeName.StartsWith("System.Linq.Parallel", StringComparison.Ordinal)
            => "no threads, tasks or timers",
        "System.Environment" or "System.AppDomain" or "System.AppContext" or "System.GC" => "no access to the process or runtime",
        _ when typeName.StartsWith("Google.OrTools", StringComparison.Ordinal) => "the harness solves the model, not the program",
        _ => "not on the allow-list (System.Math, System.Linq, System.Collections.Generic, string formatting, Google.OrTools)",
    };

    private static ITypeSymbol Outermost(ITypeSymbol type)
    {
        var t = type;
        while (t.ContainingType is { } parent)
            t = parent;
        return t.OriginalDefinition;
    }

    private static string FullName(ITypeSymbol type)
    {
        var ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() + "." : "";
        return type is INamedTypeSymbol { Arity: > 0 } named ? $"{ns}{named.MetadataName}" : ns + type.Name;
    }

    private static string StripArity(string name) => name.IndexOf('`') is var i and > 0 ? name[..i] : name;

    private static string Describe(ISymbol symbol) => symbol is IMethodSymbol { MethodKind: MethodKind.Constructor or MethodKind.StaticConstructor }
        ? FullName(Outermost(symbol.ContainingType))
        : $"{FullName(Outermost(symbol.ContainingType))}.{symbol.Name}";

    private readonly record struct Verdict(string Symbol, string Message);
}
