namespace OptLib.Tests.Infrastructure;

/// <summary>
/// Test classes whose app runs Hangfire servers in the test process take turns, alone. Hangfire keeps process-wide
/// state (GlobalConfiguration: its log provider, activator and filters), and with another app starting or stopping
/// in the same process one app's jobs were seen to stay queued. A service process holds one host, so this is a limit of hosting several
/// apps in one test process; apps that follow one another are fine since each applies Hangfire's configuration
/// before it builds its storage (see JobEngine).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class JobServerCollection
{
    public const string Name = "in-process job servers";
}
