using System.Text.RegularExpressions;

namespace OptLib.Library.Prompts;

/// <summary>
/// A versioned prompt: a template file under Prompts/Templates with a name and a version in its header, and
/// {{placeholders}}. The version is recorded on every attempt that used it, so results can be traced to wording.
/// </summary>
public sealed partial class PromptTemplate
{
    private PromptTemplate(string name, int version, string text)
    {
        Name = name;
        Version = version;
        Text = text;
        Placeholders = PlaceholderPattern().Matches(text).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal).ToList();
    }

    public string Name { get; }

    public int Version { get; }

    public string Text { get; }

    public IReadOnlyList<string> Placeholders { get; }

    /// <summary>"formulation@1": how attempts record which wording they used.</summary>
    public string Id => $"{Name}@{Version}";

    /// <summary>Fills every placeholder; a missing value is a bug in the caller, never a literal "{{x}}" sent to a model.</summary>
    public string Render(IReadOnlyDictionary<string, string> values)
    {
        var missing = Placeholders.Where(p => !values.ContainsKey(p)).ToList();
        if (missing.Count > 0)
        {
            throw new ArgumentException($"Prompt {Id} needs values for: {string.Join(", ", missing)}.", nameof(values));
        }

        return PlaceholderPattern().Replace(Text, m => values[m.Groups[1].Value]).Trim() + "\n";
    }

    public static PromptTemplate Parse(string source)
    {
        var header = HeaderPattern().Match(source);
        if (!header.Success)
        {
            throw new FormatException("A prompt template starts with a header: ---, name: ..., version: ..., ---.");
        }

        var fields = header.Groups[1].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split(':', 2, StringSplitOptions.TrimEntries))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        if (!fields.TryGetValue("name", out var name) || !fields.TryGetValue("version", out var v) || !int.TryParse(v, out var version))
        {
            throw new FormatException("A prompt template header needs a name and a whole-number version.");
        }

        return new PromptTemplate(name, version, source[header.Length..]);
    }

    [GeneratedRegex(@"\{\{([a-z_]+)\}\}")]
    private static partial Regex PlaceholderPattern();

    [GeneratedRegex(@"\A---\r?\n(.*?)\r?\n---\r?\n", RegexOptions.Singleline)]
    private static partial Regex HeaderPattern();
}
