extern alias runner;
using runner::OptLib.Solver.Runner.Compiling;

namespace OptLib.Solver.Tests;

/// <summary>The policy walker and compiler in-process, for what needs no sandbox to show.</summary>
public sealed class PolicyTests
{
    private static string Wrap(string body) => $$"""
        using Google.OrTools.LinearSolver;
        using System.Text;
        public sealed class M : IOptModel
        {
            public void Build(IModelContext ctx)
            {
                {{body}}
            }
        }
        """;

    [Theory]
    [InlineData("var names = new List<string> { \"a\", \"b\" }.Select(n => n.ToUpperInvariant()).OrderBy(n => n).ToArray();")]
    [InlineData("var d = new Dictionary<string, double>(); d[\"x\"] = Math.Sqrt(2) + Math.Max(1, 2);")]
    [InlineData("var sb = new StringBuilder(); sb.Append($\"{1.5:F2}\"); Console.WriteLine(sb.ToString());")]
    [InlineData("var s = Solver.CreateSolver(\"SCIP\"); var x = s.MakeIntVarArray(3, 0, 4, \"x\"); s.Add(x.Sum() <= 5); ctx.Use(s);")]
    [InlineData("var t = (a: 1, b: 2.0); var (p, q) = t; Console.WriteLine(string.Join(\",\", new[] { p, (int)q }));")]
    [InlineData("Func<int, int> sq = v => v * v; var r = new Random(7).Next(10); Console.WriteLine(sq(r).ToString(System.Globalization.CultureInfo.InvariantCulture));")]
    public void OrdinaryModelCodeIsAllowed(string body)
    {
        var outcome = ProgramCompiler.Compile(Wrap(body));

        Assert.True(outcome.Assembly is not null, string.Join("; ", outcome.Diagnostics.Select(d => $"{d.Symbol}: {d.Message}")));
        Assert.Empty(outcome.Diagnostics);
    }

    [Fact]
    public void CompileErrorsComeBackWithLineColumnAndMessage()
    {
        var outcome = ProgramCompiler.Compile(Wrap("var x = 1\nConsole.WriteLine(y);"));

        Assert.Equal("CompileError", outcome.Status);
        var error = Assert.Single(outcome.Diagnostics);
        Assert.Equal(("Compile", 7, 18, "CS1002"), (error.Kind, error.Line, error.Column, error.Symbol));
        Assert.Equal("; expected", error.Message);
    }

    [Fact]
    public void BindingErrorsNameTheUnknownSymbol()
    {
        var outcome = ProgramCompiler.Compile(Wrap("Console.WriteLine(undefinedThing);"));

        var error = Assert.Single(outcome.Diagnostics);
        Assert.Equal(("CS0103", 7, 27), (error.Symbol, error.Line, error.Column));
        Assert.Contains("undefinedThing", error.Message);
    }

    [Fact]
    public void EveryViolationIsListedNotJustTheFirst()
    {
        var outcome = ProgramCompiler.Compile(Wrap("System.IO.File.Delete(\"/x\");\nSystem.Threading.Thread.Sleep(1);"));

        Assert.Equal("Rejected", outcome.Status);
        Assert.Contains(outcome.Diagnostics, d => d.Line == 7 && d.Symbol == "System.IO.File.Delete");
        Assert.Contains(outcome.Diagnostics, d => d.Line == 8 && d.Symbol == "System.Threading.Thread.Sleep");
    }

    [Fact]
    public void TheWalkerIsQuickOnceWarm()
    {
        var source = Wrap("var s = Solver.CreateSolver(\"SCIP\"); var x = s.MakeIntVarArray(10, 0, 4, \"x\"); s.Add(x.Sum() <= 5); ctx.Use(s);");
        ProgramCompiler.Compile(source);

        var outcome = ProgramCompiler.Compile(source);

        Assert.True(outcome.PolicyMs < 250, $"policy took {outcome.PolicyMs} ms");
    }
}
