using System.ComponentModel.DataAnnotations;
using System.Text.Json;

namespace OptLib.Worker.Datasets;

/// <summary>Settings under "Datasets:Sources:alphaopt": where <c>datasets pull alphaopt</c> downloads from.</summary>
public sealed class AlphaOptSourceOptions
{
    public const string Section = "Datasets:Sources:alphaopt";

    /// <summary>
    /// The AlphaOPT repository's commit the manifest was taken from (github.com/Minw913/AlphaOPT). The files at this
    /// commit are the ones in <c>../shared/datasets/alphaopt</c>; a branch would move under the checksums.
    /// </summary>
    public const string PinnedCommit = "dd84150c9236885155109cbc0f84506af5648e6c";

    /// <summary>Raw files are fetched as <c>{BaseUrl}/{source path}</c>; a mirror serves the same paths.</summary>
    [Required]
    public string BaseUrl { get; set; } = $"https://raw.githubusercontent.com/Minw913/AlphaOPT/{PinnedCommit}";

    /// <summary>
    /// A JSON manifest to use instead of the built-in one, for a mirror that serves other files:
    /// <c>[{"path": "tasks/x.json", "source": "data/x.json", "sha256": "...", "size": 123}]</c>.
    /// </summary>
    public string? Manifest { get; set; }
}

/// <summary>One file of a dataset: where it goes under the target folder, where it is in the source, and what it must be.</summary>
public sealed record DatasetFile(string Path, string Source, string Sha256, long Size);

/// <summary>What <c>datasets pull alphaopt</c> fetches: AlphaOPT's train task files, its learned library and taxonomies, and its licence.</summary>
internal static class AlphaOptManifest
{
    // SHA-256 and sizes of the files at PinnedCommit (the same bytes as ../shared/datasets/alphaopt).
    public static readonly IReadOnlyList<DatasetFile> BuiltIn =
    [
        new("LICENSE", "LICENSE", "3c8a88763df18e319016767e62dbe827d0c354bbb8b8be62daa371557fca6789", 1068),
        new("library/library.json", "data/experience_library/library.json", "84fef7a0119bced86f1d672fd11a41d66e586126b6c528985263ded18e890d09", 218742),
        new("library/latest_taxonomy_new.json", "data/experience_library/latest_taxonomy_new.json", "4b1b3892b879a301c7c2b0b8c73c7db45142622f188991fe0e368a5a76b2c80d", 12529),
        new("library/fewshot_taxonomy.json", "data/experience_library/fewshot_taxonomy.json", "9db6c5b04ecf0df69be7040bce1e1355fbed0b6943c7b8dd5bf2c8f59987dd85", 12391),
        new("tasks/industryor_train.json", "data/optimization_tasks/split/industryor_train.json", "45633425ac2a523d7e4a2d61a593baec35cb479a461a7ae8e24b03819ba27a48", 356487),
        new("tasks/logior_train.json", "data/optimization_tasks/split/logior_train.json", "f8da9f400f9d740ed4b961aafcb8d6c632af208332f4abc58900e0fa2d5c663b", 342614),
        new("tasks/mamo_complex_train.json", "data/optimization_tasks/split/mamo_complex_train.json", "cca54aa5b06ccd0142cba5b9c5b7fc0d3ec0c7a8d397b2a65269189fccef5189", 208174),
        new("tasks/nl4opt_train.json", "data/optimization_tasks/split/nl4opt_train.json", "df59c7338501005be6674ce106f1b9fac7eeee5cefb3bc79d4e36d2e556f3b24", 206747),
        new("tasks/nlp4lp_train.json", "data/optimization_tasks/split/nlp4lp_train.json", "b6b78494ef54eb4c041a52f6014b90d1c331c33b90a5144fd5b44adba1295f84", 448532),
    ];

    /// <summary>The configured manifest file, else the built-in one; a manifest path that escapes the target folder is refused.</summary>
    public static IReadOnlyList<DatasetFile> For(AlphaOptSourceOptions options)
    {
        if (options.Manifest is not { Length: > 0 } path)
        {
            return BuiltIn;
        }

        if (!File.Exists(path))
        {
            throw new CommandInputException($"{AlphaOptSourceOptions.Section}:Manifest: {Path.GetFullPath(path)} does not exist.");
        }

        List<DatasetFile>? files;
        try
        {
            files = JsonSerializer.Deserialize<List<DatasetFile>>(File.ReadAllText(path), new JsonSerializerOptions(JsonSerializerDefaults.Web));
        }
        catch (JsonException ex)
        {
            throw new CommandInputException($"{AlphaOptSourceOptions.Section}:Manifest: {Path.GetFullPath(path)} is not a manifest: {ex.Message}");
        }

        if (files is not { Count: > 0 } || files.Any(f => string.IsNullOrEmpty(f.Path) || string.IsNullOrEmpty(f.Source) || f.Sha256 is not { Length: 64 }
            || System.IO.Path.IsPathRooted(f.Path) || f.Path.Split('/', '\\').Contains("..")))
        {
            throw new CommandInputException($"{AlphaOptSourceOptions.Section}:Manifest: {Path.GetFullPath(path)} must list files with a relative path, a source and a 64-digit sha256.");
        }

        return files;
    }
}
