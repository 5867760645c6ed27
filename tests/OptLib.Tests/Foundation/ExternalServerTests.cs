using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using OptLib.Platform.Database;
using OptLib.Tests.Infrastructure;

namespace OptLib.Tests.Foundation;

/// <summary>
/// The connection-string path against a PostgreSQL server that lacks pgvector: a PGlite started here without its
/// vector extension stands in for such a server.
/// </summary>
public sealed class ExternalServerTests
{
    [Fact]
    public async Task AServerWithoutPgvectorIsRefusedWithOneLineThatSaysWhatToInstall()
    {
        var port = FreePort();
        using var server = StartPgliteWithoutVector(port);
        try
        {
            await Eventually.UntilAsync(() => AcceptsAsync(port), TimeSpan.FromSeconds(60), $"the PGlite without pgvector to listen on port {port}");
            var folder = Directory.CreateTempSubdirectory("optlib-novector-").FullName;
            var outcome = await ApiProcess.RunUntilExitAsync(new Dictionary<string, string>
            {
                ["OptLib__DataDirectory"] = folder,
                ["ConnectionStrings__OptLib"] = $"Host=127.0.0.1;Port={port};Username=postgres;Password=postgres;Database=postgres",
            }, TimeSpan.FromSeconds(90));

            Assert.Equal(1, outcome.ExitCode);
            var line = Assert.Single(outcome.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("The pgvector extension is not available on this PostgreSQL server", line, StringComparison.Ordinal);
            Assert.Contains("Install pgvector", line, StringComparison.Ordinal);
            Assert.DoesNotContain("Embedded PostgreSQL", outcome.StandardOutput, StringComparison.Ordinal); // started nothing
        }
        finally
        {
            server.Kill(entireProcessTree: true);
        }
    }

    private static Process StartPgliteWithoutVector(int port)
    {
        var packages = Path.Combine(typeof(EmbeddedPostgres).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "OptLib.PgliteDirectory").Value!, "node_modules", "@electric-sql");
        var script = $$"""
            const { PGlite } = await import('file://{{packages}}/pglite/dist/index.js');
            const { PGLiteSocketServer } = await import('file://{{packages}}/pglite-socket/dist/index.js');
            const db = await PGlite.create({ dataDir: 'memory://' });
            await new PGLiteSocketServer({ db, port: {{port}}, host: '127.0.0.1', maxConnections: 4 }).start();
            """;
        var start = new ProcessStartInfo("node") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--input-type=module", "-e", script })
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
