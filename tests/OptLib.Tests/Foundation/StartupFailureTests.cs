using OptLib.Tests.Infrastructure;

namespace OptLib.Tests.Foundation;

/// <summary>An instance whose embedded database lives on disk, in a data folder a second instance will try to use.</summary>
public sealed class OnDiskApp : OptLibApp
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["OptLib:Embedded:InMemory"] = "false",
    };
}

public sealed class StartupFailureTests(OnDiskApp running) : IClassFixture<OnDiskApp>
{
    [Fact]
    public async Task ASecondInstanceOnTheSameDataFolderFailsWithOneClearLine()
    {
        Assert.NotNull(running.Database.Embedded); // the first instance holds the folder

        var outcome = await ApiProcess.RunUntilExitAsync(
            new Dictionary<string, string> { ["OptLib__DataDirectory"] = running.DataDirectory },
            TimeSpan.FromSeconds(90));

        Assert.Equal(1, outcome.ExitCode);
        var line = Assert.Single(outcome.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("OptLib cannot start: The data folder", line, StringComparison.Ordinal);
        Assert.Contains("in use by another running OptLib instance", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", outcome.StandardOutput + outcome.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutNodeTheEmbeddedDefaultFailsWithOneLineThatSaysWhatToDo()
    {
        var folder = Directory.CreateTempSubdirectory("optlib-nonode-").FullName;
        var outcome = await ApiProcess.RunUntilExitAsync(
            new Dictionary<string, string> { ["OptLib__DataDirectory"] = folder, ["PATH"] = folder },
            TimeSpan.FromSeconds(90));

        Assert.Equal(1, outcome.ExitCode);
        var line = Assert.Single(outcome.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("needs Node.js 20+", line, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings:OptLib", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", outcome.StandardOutput + outcome.StandardError, StringComparison.Ordinal);
    }
}
