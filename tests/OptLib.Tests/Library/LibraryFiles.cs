using System.Text.Json.Nodes;
using OptLib.Tests.Infrastructure;

namespace OptLib.Tests.Library;

/// <summary>A library in AlphaOPT's format on disk: its library.json and the taxonomy file that goes with it.</summary>
internal sealed record LibraryFiles(string LibraryPath, string TaxonomyPath)
{
    /// <summary>
    /// OptLib's own small library (tests/OptLib.Tests/Fixtures/library, written for these tests): 20 insights over
    /// the three stages, label spellings that differ from its taxonomy file, and one label the file lacks.
    /// </summary>
    public static LibraryFiles Fixture { get; } = new(
        Path.Combine(AppContext.BaseDirectory, "Fixtures", "library", "library.json"),
        Path.Combine(AppContext.BaseDirectory, "Fixtures", "library", "taxonomy.json"));

    /// <summary>AlphaOPT's learned library, from the reference data (throws when it is absent).</summary>
    public static LibraryFiles AlphaOpt => new(
        Path.Combine(ReferenceData.AlphaOpt, "library", "library.json"),
        Path.Combine(ReferenceData.AlphaOpt, "library", "latest_taxonomy_new.json"));

    /// <summary>
    /// OptLib's paraphrase set (Fixtures/paraphrases): 34 insights whose conditions name a technique, each with a task
    /// (paraphrase_train.json) that describes such a problem in plain words.
    /// </summary>
    public static LibraryFiles Paraphrases { get; } = new(
        Path.Combine(AppContext.BaseDirectory, "Fixtures", "paraphrases", "library.json"),
        Path.Combine(AppContext.BaseDirectory, "Fixtures", "paraphrases", "taxonomy.json"));

    public string ImportBody() => $"{{\"library\": {File.ReadAllText(LibraryPath)}, \"taxonomy\": {File.ReadAllText(TaxonomyPath)}}}";

    public JsonArray Library() => JsonNode.Parse(File.ReadAllText(LibraryPath))!.AsArray();
}
