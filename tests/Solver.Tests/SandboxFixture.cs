using OptLib.Solver.Runs;
using OptLib.Solver.Sandbox;

namespace OptLib.Solver.Tests;

/// <summary>One warm pool for all end-to-end tests, with the isolation this machine offers (bubblewrap in CI).</summary>
public sealed class SandboxFixture : IAsyncLifetime
{
    public static SolverOptions TestOptions(SandboxMode mode = SandboxMode.Auto, int poolSize = 2) => new()
    {
        Sandbox = mode,
        PoolSize = poolSize,
        GraceSeconds = 3,
        DefaultTimeLimitSeconds = 10,
        MaxTimeLimitSeconds = 30,
        MemoryLimitMb = 512,
        OutputLimitChars = 64 * 1024,
    };

    internal RunnerPool Pool { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Pool = new RunnerPool(RunnerLaunch.Create(TestOptions()));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Pool.DisposeAsync();

    public static string Program(string relativePath) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Programs", relativePath));

    public Task<RunResult> RunFileAsync(string relativePath, double? timeLimit = null, double? expected = null)
    {
        var language = Path.GetExtension(relativePath) switch
        {
            ".lp" => ProgramLanguage.Lp,
            ".mps" => ProgramLanguage.Mps,
            _ => ProgramLanguage.CSharp,
        };
        return Pool.RunAsync(new RunRequest(language, Program(relativePath), timeLimit, expected), CancellationToken.None);
    }
}

[CollectionDefinition(Name)]
public sealed class SandboxCollection : ICollectionFixture<SandboxFixture>
{
    public const string Name = "Sandbox";
}
