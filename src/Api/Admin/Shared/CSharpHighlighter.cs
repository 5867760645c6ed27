using System.Text.RegularExpressions;

namespace OptLib.Api.Admin.Shared;

/// <summary>
/// Just enough C# highlighting to read a model-written program: comments, strings, numbers, keywords and
/// capitalised names. Tokens are rendered as text, so nothing in a program can become markup.
/// </summary>
public static partial class CSharpHighlighter
{
    private static readonly HashSet<string> Keywords =
    [
        "abstract", "as", "base", "bool", "break", "case", "catch", "class", "const", "continue", "default", "do", "double",
        "else", "enum", "false", "finally", "for", "foreach", "if", "in", "int", "interface", "internal", "is", "long", "namespace",
        "new", "null", "out", "override", "private", "protected", "public", "readonly", "record", "ref", "return", "sealed",
        "static", "string", "struct", "switch", "this", "throw", "true", "try", "using", "var", "void", "while", "yield",
    ];

    public static IEnumerable<(string? Class, string Text)> Tokens(string source)
    {
        foreach (Match m in Token().Matches(source))
        {
            var text = m.Value;
            string? kind = m.Groups["com"].Success ? "com"
                : m.Groups["str"].Success ? "str"
                : m.Groups["num"].Success ? "num"
                : m.Groups["id"].Success && Keywords.Contains(text) ? "kw"
                : m.Groups["id"].Success && char.IsUpper(text[0]) ? "type"
                : null;
            yield return (kind, text);
        }
    }

    [GeneratedRegex("""(?<com>//[^\n]*|/\*[\s\S]*?\*/)|(?<str>@?"(?:[^"\\\n]|\\.|"")*"|'(?:[^'\\\n]|\\.)')|(?<num>\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[dDfFmMlL]?\b)|(?<id>[A-Za-z_]\w*)|(?<other>[^A-Za-z_0-9"'/@]+|.)""", RegexOptions.Singleline)]
    private static partial Regex Token();
}
