using System.Text.RegularExpressions;

namespace OptLib.Solver;

/// <summary>
/// The program contract as a model is shown it (the program, self-explore and repair prompts). It is the source of
/// the interfaces a program is compiled against, Contract/*.cs embedded by the build, so it cannot drift from them:
/// the namespace line and plain comments are left out, and doc comments become plain comments a model reads.
/// </summary>
public static partial class ContractPrompt
{
    // IOptModel first: it is what a program implements.
    private static readonly string[] Files = ["IOptModel.cs", "IModelContext.cs"];

    public static string Text { get; } = string.Join("\n\n", Files.Select(file => Render(Read(file))));

    private static string Read(string file)
    {
        using var stream = typeof(ContractPrompt).Assembly.GetManifestResourceStream("OptLib.Solver.Contract." + file)
            ?? throw new InvalidOperationException($"The contract source {file} is not embedded in OptLib.Solver.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static string Render(string source)
    {
        var lines = new List<string>();
        foreach (var line in source.ReplaceLineEndings("\n").Split('\n'))
        {
            var code = line.TrimStart();
            var indent = line[..(line.Length - code.Length)];
            if (code.StartsWith("///", StringComparison.Ordinal))
            {
                var text = DocTag().Replace(code[3..], tag => tag.Groups[1].Value).Trim();
                if (text.Length > 0)
                {
                    lines.Add(indent + "// " + text);
                }
            }
            else if (code.StartsWith("//", StringComparison.Ordinal) || code.StartsWith("namespace ", StringComparison.Ordinal) || code.StartsWith("using ", StringComparison.Ordinal))
            {
                continue;
            }
            else if (code.Length > 0 || (lines.Count > 0 && lines[^1].Length > 0))
            {
                lines.Add(line.TrimEnd());
            }
        }

        return string.Join('\n', lines).Trim('\n');
    }

    // <summary> and <c> go; <see cref="X"/> and <paramref name="X"/> become X.
    [GeneratedRegex("""</?(?:summary|c)>|<(?:see cref|paramref name)="([^"]*)"\s*/>""")]
    private static partial Regex DocTag();
}
