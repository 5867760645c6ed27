using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;
using OptLib.Platform.Database;
using OptLib.Tests.Infrastructure;

namespace OptLib.Tests.Foundation;

/// <summary>
/// A terminal's Ctrl+C, `timeout` and systemd signal the whole process group, the embedded server included, while the
/// service still needs its database to shut down (Hangfire removes its servers last). The server keeps serving after
/// a signal and stops as soon as the service closes its standard input.
/// </summary>
public sealed class EmbeddedShutdownTests
{
    [Fact]
    public async Task ASignalledServerKeepsServingUntilTheServiceLetsItGo()
    {
        var log = new ListLogger();
        var server = await EmbeddedPostgres.StartAsync(
            new EmbeddedPostgresOptions { DataDirectory = Path.GetTempPath(), InMemory = true }, log, CancellationToken.None);
        var pid = server.ProcessId!.Value;
        try
        {
            using (var kill = Process.Start("kill", ["-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
                Assert.Equal(0, kill.ExitCode);
            }

            // A negative check, so a window and not a wait: the server shows no sign of having had the signal, so a new
            // connection is made and queried again and again for 2 s, far longer than a server stopping on it would last.
            var unpooled = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Pooling = false }.ConnectionString;
            await Eventually.ThroughoutAsync(async () =>
            {
                await using var connection = new NpgsqlConnection(unpooled);
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand("SELECT 41 + 1", connection);
                return await command.ExecuteScalarAsync();
            }, answer => answer is 42, TimeSpan.FromSeconds(2), "the signalled server to keep answering");
        }
        finally
        {
            await server.DisposeAsync();
        }

        Assert.Contains("The embedded PostgreSQL stopped", log.Messages); // on closed input, not killed after the grace
        Assert.Throws<ArgumentException>(() => Process.GetProcessById(pid));
    }

    private sealed class ListLogger : ILogger
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Enqueue(formatter(state, exception));
    }
}
