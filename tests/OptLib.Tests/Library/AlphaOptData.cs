using System.Text.Json.Nodes;

namespace OptLib.Tests.Library;

/// <summary>AlphaOPT's reference files, read where they are (../shared/datasets/alphaopt from the repository root).</summary>
internal static class AlphaOptData
{
    public static string Directory { get; } = Find();

    public static string LibraryPath => Path.Combine(Directory, "library", "library.json");

    public static string TaxonomyPath => Path.Combine(Directory, "library", "latest_taxonomy_new.json");

    public static string ImportBody() =>
        $"{{\"library\": {File.ReadAllText(LibraryPath)}, \"taxonomy\": {File.ReadAllText(TaxonomyPath)}}}";

    public static JsonArray Library() => JsonNode.Parse(File.ReadAllText(LibraryPath))!.AsArray();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "datasets", "alphaopt");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"shared/datasets/alphaopt was not found above {AppContext.BaseDirectory}.");
    }
}
