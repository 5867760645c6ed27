using Xunit.Abstractions;
using Xunit.Sdk;

namespace OptLib.Tests.Infrastructure;

/// <summary>
/// Third-party reference data (AlphaOPT's tasks and library), which this repository does not hold. It is found in
/// <c>$OPTLIB_REFERENCE_DATA</c> (a folder holding <c>alphaopt/</c>), else in a <c>shared/datasets</c> folder above the
/// test binary (CI keeps <c>../shared</c> beside the clone). <c>optlib-worker datasets pull alphaopt --to DIR</c>
/// fetches it.
/// </summary>
public static class ReferenceData
{
    public const string Category = "ReferenceData";
    public const string FolderVariable = "OPTLIB_REFERENCE_DATA";
    public const string RequireVariable = "OPTLIB_REQUIRE_REFERENCE_DATA";

    private static readonly Lazy<string?> Found = new(Find);

    /// <summary>Whether a missing folder fails the tests instead of skipping them (CI sets it).</summary>
    public static bool Required => Environment.GetEnvironmentVariable(RequireVariable) == "1";

    public static bool Present => Found.Value is not null;

    /// <summary>The folder holding AlphaOPT's <c>tasks/</c> and <c>library/</c>; throws, saying where it looked, when there is none.</summary>
    public static string AlphaOpt => Found.Value ?? throw new InvalidOperationException(
        $"AlphaOPT's reference data was not found: set {FolderVariable} to a folder holding alphaopt/ " +
        $"(optlib-worker datasets pull alphaopt --to <folder>/alphaopt), or put shared/datasets/alphaopt above {AppContext.BaseDirectory}.");

    /// <summary>Why a reference-data test is skipped, or null when it runs (data present, or required so that it fails).</summary>
    public static string? SkipReason => Present || Required ? null :
        $"needs AlphaOPT's reference data: set {FolderVariable} (see README, 'Tests'), or {RequireVariable}=1 to fail instead of skipping";

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable(FolderVariable) is { Length: > 0 } configured)
        {
            var alphaopt = Path.Combine(configured, "alphaopt");
            return Directory.Exists(alphaopt) ? alphaopt : null;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "datasets", "alphaopt");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}

/// <summary>A fact that reads third-party reference data: trait Category=ReferenceData, skipped when the data is absent unless required.</summary>
[TraitDiscoverer("OptLib.Tests.Infrastructure.ReferenceDataTraitDiscoverer", "OptLib.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class ReferenceDataFactAttribute : FactAttribute, ITraitAttribute
{
    public ReferenceDataFactAttribute() => Skip = ReferenceData.SkipReason;
}

/// <summary>Puts the reference-data tests in their own category, for <c>dotnet test --filter Category=ReferenceData</c>.</summary>
public sealed class ReferenceDataTraitDiscoverer : ITraitDiscoverer
{
    public IEnumerable<KeyValuePair<string, string>> GetTraits(IAttributeInfo traitAttribute) =>
        [new("Category", ReferenceData.Category)];
}
