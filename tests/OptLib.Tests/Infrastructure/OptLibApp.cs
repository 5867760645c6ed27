using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using OptLib.Library.Access;
using OptLib.Library.Storage;
using OptLib.Library.Retrieval;
using OptLib.Platform.Database;

namespace OptLib.Tests.Infrastructure;

/// <summary>
/// The real service over HTTP, on its own embedded PostgreSQL + pgvector kept in memory. PGlite serves one database
/// per server, so isolation is one server per test class (see docs/decisions/0002-embedded-postgres.md).
/// </summary>
public class OptLibApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("optlib-test-").FullName;

    /// <summary>Where every test server's in-memory database starts from a snapshot of an initialised one (no initdb each time).</summary>
    public static string SnapshotDirectory { get; } = Path.Combine(Path.GetTempPath(), "optlib-test-pglite-snapshots");

    /// <summary>Extra settings a test class needs, applied over the defaults below.</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>();

    public string AdminKey { get; private set; } = string.Empty;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("OptLib:DataDirectory", DataDirectory);
        builder.UseSetting("OptLib:Embedded:InMemory", "true");
        builder.UseSetting("OptLib:Embedded:TemplateDirectory", SnapshotDirectory);
        builder.UseSetting("ConnectionStrings:OptLib", string.Empty);
        builder.UseSetting("Serilog:MinimumLevel:Default", "Warning");
        builder.UseSetting("Worker:InProcess", "false"); // test classes that run jobs turn the job server on
        builder.UseSetting("Worker:Schedules", "false"); // no hourly learning in the middle of a test; the schedule tests turn it on
        builder.UseSetting("HostOptions:ShutdownTimeout", "00:00:10");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public async Task InitializeAsync()
    {
        // WebApplicationFactory starts the host synchronously; off xUnit's limited thread pool, that cannot deadlock.
        await Task.Run(StartServer); // the database, migrations and the first admin key (a test server, or Kestrel for a browser)
        AdminKey = await ReadCredentialAsync("admin_api_key");
    }

    public OptLibDatabase Database => Services.GetRequiredService<OptLibDatabase>();

    /// <summary>The configured embedding provider: a test that adds insights to the database itself embeds them first, as the library's writers do.</summary>
    public IEmbeddingProvider Embeddings => Services.GetRequiredService<IEmbeddingProvider>();

    public HttpClient ClientWithKey(string? key)
    {
        var client = CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
        }

        return client;
    }

    public HttpClient Admin() => ClientWithKey(AdminKey);

    /// <summary>Creates a key with the role through the REST API, as an admin would.</summary>
    public async Task<string> CreateKeyAsync(Role role)
    {
        using var admin = Admin();
        var response = await admin.PostAsJsonAsync("/api/keys", new { name = $"test {role}", role = role.Name() });
        response.EnsureSuccessStatusCode();
        var created = await response.Content.ReadFromJsonAsync<CreatedApiKeyDto>();
        return created!.Secret;
    }

    public async Task<T> WithDbAsync<T>(Func<OptLibDbContext, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<OptLibDbContext>());
    }

    public async Task<string> ReadCredentialAsync(string name)
    {
        var lines = await File.ReadAllLinesAsync(Path.Combine(DataDirectory, AccessBootstrap.CredentialsFileName));
        return lines.Single(l => l.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..];
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        if (Environment.GetEnvironmentVariable("OPTLIB_KEEP_TEST_DATA") == "1")
        {
            return; // for a look at the logs of a failed run
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // a log file may still be flushing; the temp folder is cleaned by the OS
        }
    }
}
