using System.Collections;
using System.Reflection;
using System.Text.RegularExpressions;
using OptLib.Library.Storage;
using OptLib.Solver;
using OptLib.Tests.Jobs;
using OptLib.Platform.Database;

namespace OptLib.Tests.Foundation;

/// <summary>docs/configuration.md lists every setting of the options classes, and nothing they do not have.</summary>
public sealed partial class ConfigurationDocsTests
{
    private static readonly string Root = RepositoryRoot();

    [Fact]
    public void EveryOptionsClassBoundFromConfigurationIsOneThisTestReads()
    {
        // The classes bound with BindConfiguration(X.Section) anywhere in src/, against those this test walks.
        var bound = Directory.GetFiles(Path.Combine(Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => BindConfiguration().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .ToHashSet();

        Assert.True(bound.Count >= 10, $"only {bound.Count} BindConfiguration calls found: {string.Join(", ", bound)}");
        Assert.Equal(bound.Order(), OptionsClasses().Select(t => t.Name).Order());
    }

    [Fact]
    public void TheConfigurationPageListsEveryOptionAndNothingElse()
    {
        var code = OptionsClasses().SelectMany(t => Keys(t, (string)t.GetField("Section")!.GetValue(null)!)).ToHashSet();
        var rows = DocumentedRows();

        Assert.Empty(code.Except(rows.Keys).Order()); // options the page does not mention
        Assert.Empty(rows.Keys.Except(code).Order()); // rows for keys no options class has
        Assert.All(rows, r => Assert.Equal(r.Key.Replace(":", "__", StringComparison.Ordinal), r.Value));
        Assert.Contains("Datasets:Sources:alphaopt:BaseUrl", code);
        Assert.Contains("Model:Prices:<>:InputPerMillion", code);
    }

    /// <summary>The options classes of the platform's, the library's, the solver's, the service's and the worker's assemblies: public, named *Options, with a Section.</summary>
    private static List<Type> OptionsClasses() =>
    [
        .. new[] { typeof(OptLibOptions).Assembly, typeof(OptLib.Library.LibraryRegistration).Assembly, typeof(SolverOptions).Assembly, typeof(Program).Assembly, Assembly.LoadFrom(WorkerProcess.Assembly) }
            .SelectMany(a => a.GetExportedTypes())
            .Where(t => t.Name.EndsWith("Options", StringComparison.Ordinal) && t.GetField("Section", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true }),
    ];

    /// <summary>Every key under <paramref name="prefix"/>: settable scalars, nested settings classes, and dictionaries as &lt;&gt;.</summary>
    private static IEnumerable<string> Keys(Type type, string prefix)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true }))
        {
            var key = $"{prefix}:{property.Name}";
            var kind = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (kind.IsPrimitive || kind.IsEnum || kind == typeof(string) || kind == typeof(decimal))
            {
                yield return key;
            }
            else if (kind.IsGenericType && kind.GetGenericTypeDefinition() == typeof(Dictionary<,>))
            {
                foreach (var inner in Keys(kind.GetGenericArguments()[1], key + ":<>"))
                {
                    yield return inner;
                }
            }
            else if (kind.IsClass && !typeof(IEnumerable).IsAssignableFrom(kind))
            {
                foreach (var inner in Keys(kind, key))
                {
                    yield return inner;
                }
            }
            else
            {
                throw new InvalidOperationException($"{key}: this test does not know how to list a {kind.Name}; teach it.");
            }
        }
    }

    /// <summary>The "Options" table: each row's setting (placeholders as &lt;&gt;) and its environment variable.</summary>
    private static Dictionary<string, string> DocumentedRows()
    {
        var page = File.ReadAllText(Path.Combine(Root, "docs", "configuration.md"));
        var start = page.IndexOf("\n## Options\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/configuration.md has no '## Options' section");
        var end = page.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = page[start..(end < 0 ? page.Length : end)];
        var rows = Row().Matches(section).Select(m => (Key: Placeholder().Replace(m.Groups[1].Value, "<>"), Variable: Placeholder().Replace(m.Groups[2].Value, "<>"))).ToList();
        Assert.Equal(rows.Count, rows.Select(r => r.Key).Distinct().Count()); // no setting twice
        return rows.ToDictionary(r => r.Key, r => r.Variable);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OptLib.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"OptLib.sln was not found above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex(@"BindConfiguration\((\w+)\.Section\)")]
    private static partial Regex BindConfiguration();

    [GeneratedRegex(@"^\| `([^`]+)` \| `([^`]+)` \|", RegexOptions.Multiline)]
    private static partial Regex Row();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Placeholder();
}
