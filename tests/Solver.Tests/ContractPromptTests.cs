extern alias runner;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using runner::OptLib.Solver.Runner.Compiling;

namespace OptLib.Solver.Tests;

/// <summary>The contract text the prompts show a model, held against the contract programs are compiled with.</summary>
public sealed class ContractPromptTests
{
    /// <summary>
    /// Each interface the text shows is implemented explicitly with exactly the members shown (a member the real
    /// interface lacks fails with CS0539, one the text leaves out with CS0535) and each member is called as shown,
    /// once more without its optional arguments, through the runner's own compiler and policy.
    /// </summary>
    [Fact]
    public void AProgramUsingEveryMemberTheTextShowsCompilesAgainstTheRealContract()
    {
        var shown = CSharpSyntaxTree.ParseText(ContractPrompt.Text).GetCompilationUnitRoot().Members.OfType<InterfaceDeclarationSyntax>().ToList();
        Assert.Equal(["IOptModel", "IModelContext"], shown.Select(i => i.Identifier.Text));
        var program = new StringBuilder();
        var calls = new StringBuilder();
        foreach (var face in shown)
        {
            var name = face.Identifier.Text;
            Assert.All(face.Members, m => Assert.IsType<MethodDeclarationSyntax>(m)); // only methods so far: teach this test the rest
            program.AppendLine($"public sealed class Shown{name} : {name}").AppendLine("{");
            calls.AppendLine($"        {name} on{name} = null;");
            foreach (var method in face.Members.Cast<MethodDeclarationSyntax>())
            {
                var parameters = method.ParameterList.Parameters;
                program.AppendLine($"    {method.ReturnType} {name}.{method.Identifier}({string.Join(", ", parameters.Select(p => p.WithDefault(null)))}) => throw null;");
                var arguments = parameters.Select(p => p.Default?.Value.ToString() ?? $"default({p.Type})").ToList();
                calls.AppendLine($"        on{name}.{method.Identifier}({string.Join(", ", arguments)});");
                var required = parameters.Count(p => p.Default is null);
                if (required < parameters.Count)
                {
                    calls.AppendLine($"        on{name}.{method.Identifier}({string.Join(", ", arguments.Take(required))});");
                }
            }

            program.AppendLine("}");
        }

        program.AppendLine("public sealed class UsesEveryMember : IOptModel").AppendLine("{")
            .AppendLine("    public void Build(IModelContext ctx)").AppendLine("    {").Append(calls).AppendLine("    }").AppendLine("}");

        var outcome = ProgramCompiler.Compile(program.ToString());

        Assert.True(outcome.Assembly is not null,
            string.Join('\n', outcome.Diagnostics.Select(d => $"line {d.Line}: {d.Symbol} {d.Message}")) + "\n" + program);
    }

    [Fact]
    public void EveryPublicTypeOfTheContractIsShown()
    {
        var types = typeof(Contract.IOptModel).Assembly.GetExportedTypes();

        Assert.NotEmpty(types);
        Assert.All(types, t => Assert.Contains($"public interface {t.Name}\n", ContractPrompt.Text, StringComparison.Ordinal));
    }

    [Fact]
    public void TheTextIsTheDeclarationsWithTheirDocCommentsAsPlainComments()
    {
        var text = ContractPrompt.Text;

        Assert.StartsWith("// What a model-written program implements.", text, StringComparison.Ordinal);
        Assert.Contains("    // A ModelBuilder model, solved by solverName (\"scip\", \"glop\", \"pdlp\", \"cbc\", \"highs\", \"sat\").\n"
            + "    void Use(Google.OrTools.ModelBuilder.Model model, string solverName = \"scip\");", text, StringComparison.Ordinal);
        Assert.Contains("// Handed to IOptModel.Build.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("namespace", text, StringComparison.Ordinal);
        Assert.DoesNotContain("<", text, StringComparison.Ordinal); // no XML tags left
        Assert.DoesNotContain("///", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\n\n\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("ContractPrompt", text, StringComparison.Ordinal); // the source's own note is for its readers
    }
}
