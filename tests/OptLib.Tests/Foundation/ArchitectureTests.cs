using System.Reflection;
using OptLib.Library;
using OptLib.Platform;

namespace OptLib.Tests.Foundation;

/// <summary>The project boundaries of docs/architecture.md, read from the compiled assemblies.</summary>
public sealed class ArchitectureTests
{
    private static readonly Assembly Platform = typeof(PlatformRegistration).Assembly;
    private static readonly Assembly Library = typeof(LibraryRegistration).Assembly;

    [Fact]
    public void ThePlatformReferencesNoneOfOurProjects()
    {
        var ours = Platform.GetReferencedAssemblies().Select(a => a.Name!).Where(n => n.StartsWith("OptLib", StringComparison.Ordinal));
        Assert.Empty(ours);
    }

    [Fact]
    public void TheLibraryStandsOnThePlatformAndHoldsNoStorageEngineOrEmbeddedDatabase()
    {
        var references = Library.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.Contains("OptLib.Platform", references);
        Assert.DoesNotContain("Hangfire.PostgreSql", references);
        Assert.DoesNotContain(Library.GetCustomAttributes<AssemblyMetadataAttribute>(), a => a.Key == "OptLib.PgliteDirectory");
        Assert.Contains(Platform.GetCustomAttributes<AssemblyMetadataAttribute>(), a => a.Key == "OptLib.PgliteDirectory");
    }

    [Fact]
    public void NoDomainTypeLivesInThePlatform()
    {
        // "If it knows what an insight is, it goes in Library": no platform type names a domain concept.
        string[] domain = ["Insight", "Problem", "Attempt", "Taxonomy", "Learning", "Evolution", "Retriev"];
        var named = Platform.GetTypes().Where(t => domain.Any(d => t.FullName!.Contains(d, StringComparison.Ordinal))).Select(t => t.FullName);
        Assert.Empty(named);
    }
}
