using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using OptLib.Tests.Infrastructure;
using OptLib.Tests.Library;

namespace OptLib.Tests.Jobs;

/// <summary>`optlib-worker datasets pull alphaopt` against a mirror on 127.0.0.1, then the import commands on what it wrote.</summary>
public sealed class DatasetPullTests(NoInProcessWorkerApp app) : IClassFixture<NoInProcessWorkerApp>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task PullWritesEveryCheckedFileAndTheImportCommandsTakeThem()
    {
        var tasks = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new object[]
        {
            new { task_id = "P1", description = "Pack crates into a van of 900 kg to carry the most value.", ground_truth = 410 },
            new { task_id = "P2", description = "Staff a kiosk over four shifts at least cost.", ground_truth = "96.5" },
        }));
        var files = new Dictionary<string, byte[]>
        {
            ["library/library.json"] = await File.ReadAllBytesAsync(LibraryFiles.Fixture.LibraryPath),
            ["library/taxonomy.json"] = await File.ReadAllBytesAsync(LibraryFiles.Fixture.TaxonomyPath),
            ["tasks/pull_train.json"] = tasks,
        };
        await using var mirror = await FileMirror.StartAsync(files.ToDictionary(f => "repo/" + f.Key, f => f.Value));
        var folder = Directory.CreateTempSubdirectory("optlib-pull-").FullName;
        var target = Path.Combine(folder, "alphaopt");
        var manifest = await ManifestAsync(folder, files.Select(f => (f.Key, "repo/" + f.Key, f.Value)));

        var pull = await PullAsync(mirror, target, manifest);

        Assert.True(pull.ExitCode == 0, pull.StandardOutput + pull.StandardError);
        Assert.All(files, f => Assert.Equal(f.Value, File.ReadAllBytes(Path.Combine(target, f.Key))));
        Assert.DoesNotContain('\r', pull.StandardOutput); // redirected: plain lines, no in-place bar
        var lines = pull.StandardOutput.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("library/library.json (1 of 3 files", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("tasks/pull_train.json (3 of 3 files", StringComparison.Ordinal));
        Assert.Contains($"{target}: 3 file(s) downloaded", pull.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(["alphaopt"], Directory.GetFileSystemEntries(folder).Select(Path.GetFileName).Where(n => n != "manifest.json"));

        // A second pull finds every file already right and fetches nothing.
        var requests = mirror.Requests.Count;
        var again = await PullAsync(mirror, target, manifest);
        Assert.True(again.ExitCode == 0, again.StandardOutput + again.StandardError);
        Assert.Contains("0 file(s) downloaded (0.0 MB), 3 already there", again.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(requests, mirror.Requests.Count);

        var library = await WorkerProcess.RunCommandAsync(app.Database.ConnectionString, Timeout,
            "import-library", Path.Combine(target, "library", "library.json"), "--taxonomy", Path.Combine(target, "library", "taxonomy.json"));
        Assert.True(library.ExitCode == 0, library.StandardOutput + library.StandardError);
        Assert.Contains($"Imported library.json: {LibraryFiles.Fixture.Library().Count} created", library.StandardOutput, StringComparison.Ordinal);

        var imported = await WorkerProcess.RunCommandAsync(app.Database.ConnectionString, Timeout,
            "import-tasks", Path.Combine(target, "tasks", "pull_train.json"), "--dataset", "pulled", "--split", "train");
        Assert.True(imported.ExitCode == 0, imported.StandardOutput + imported.StandardError);
        var expected = await app.WithDbAsync(db => db.Problems.Where(p => p.Dataset == "pulled").OrderBy(p => p.ExternalId).Select(p => p.ExpectedObjective).ToListAsync());
        Assert.Equal([410, 96.5], expected);
    }

    [Fact]
    public async Task AFileWithAWrongChecksumIsRefusedAndNothingIsWritten()
    {
        var good = Encoding.UTF8.GetBytes("""[{"task_id": "G1", "description": "A good file."}]""");
        var served = Encoding.UTF8.GetBytes("""[{"task_id": "T1", "description": "Not the file the manifest names."}]""");
        var meant = Encoding.UTF8.GetBytes("""[{"task_id": "T1", "description": "The file the manifest names....."}]""");
        await using var mirror = await FileMirror.StartAsync(new() { ["good.json"] = good, ["tampered.json"] = served });
        var folder = Directory.CreateTempSubdirectory("optlib-pull-").FullName;
        var target = Path.Combine(folder, "alphaopt");
        var manifest = await ManifestAsync(folder, [("tasks/good.json", "good.json", good), ("tasks/tampered.json", "tampered.json", meant)]);
        Assert.Equal(served.Length, meant.Length); // refused for its checksum, not its size

        var pull = await PullAsync(mirror, target, manifest);

        Assert.Equal(1, pull.ExitCode);
        var error = Assert.Single(pull.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("tasks/tampered.json: SHA-256 " + Convert.ToHexStringLower(SHA256.HashData(served)) + " is not the manifest's " +
            Convert.ToHexStringLower(SHA256.HashData(meant)), error, StringComparison.Ordinal);
        Assert.EndsWith($"nothing was written to {target}.", error, StringComparison.Ordinal);
        Assert.Contains(mirror.Requests, r => r == "/tampered.json"); // it was fetched, and refused
        Assert.False(Directory.Exists(target), "the good file was written although the pull failed");
        Assert.Equal(["manifest.json"], Directory.GetFileSystemEntries(folder).Select(Path.GetFileName)); // no staging folder left
    }

    [Fact]
    public async Task ABaseUrlThatIsNoHttpUrlStopsTheCommandWithOneLineNamingTheKey()
    {
        var outcome = await WorkerProcess.RunCommandAsync(app.Database.ConnectionString, Timeout,
            "datasets", "pull", "alphaopt", "--to", Path.Combine(Path.GetTempPath(), "optlib-never"), "--Datasets:Sources:alphaopt:BaseUrl=ftp://mirror.example/alphaopt");

        Assert.Equal(2, outcome.ExitCode);
        Assert.Equal("OptLib cannot start: Invalid configuration: Datasets:Sources:alphaopt:BaseUrl must be an absolute http or https URL.", outcome.StandardError.Trim());
    }

    /// <summary>The built-in manifest's checksums are those of the reference data, served in the AlphaOPT repository's layout.</summary>
    [ReferenceDataFact]
    public async Task TheBuiltInManifestMatchesAlphaOptsFiles()
    {
        var root = ReferenceData.AlphaOpt;
        var local = Directory.GetFiles(root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(p => p == "LICENSE" || p.StartsWith("library/", StringComparison.Ordinal) || p.StartsWith("tasks/", StringComparison.Ordinal)).ToList();
        static string Source(string path) => path switch
        {
            _ when path.StartsWith("library/", StringComparison.Ordinal) => "data/experience_library/" + path["library/".Length..],
            _ when path.StartsWith("tasks/", StringComparison.Ordinal) => "data/optimization_tasks/split/" + path["tasks/".Length..],
            _ => path,
        };
        await using var mirror = await FileMirror.StartAsync(local.ToDictionary(Source, p => File.ReadAllBytes(Path.Combine(root, p))));
        var target = Path.Combine(Directory.CreateTempSubdirectory("optlib-pull-").FullName, "alphaopt");

        var pull = await WorkerProcess.RunCommandAsync(app.Database.ConnectionString, Timeout,
            "datasets", "pull", "alphaopt", "--to", target, $"--Datasets:Sources:alphaopt:BaseUrl={mirror.BaseUrl}");

        Assert.True(pull.ExitCode == 0, pull.StandardOutput + pull.StandardError);
        Assert.Contains($"{target}: 9 file(s) downloaded", pull.StandardOutput, StringComparison.Ordinal);
        Assert.All(local, p => Assert.Equal(File.ReadAllBytes(Path.Combine(root, p)), File.ReadAllBytes(Path.Combine(target, p))));
    }

    private Task<WorkerProcess.Outcome> PullAsync(FileMirror mirror, string target, string manifest) =>
        WorkerProcess.RunCommandAsync(app.Database.ConnectionString, Timeout, "datasets", "pull", "alphaopt", "--to", target,
            $"--Datasets:Sources:alphaopt:BaseUrl={mirror.BaseUrl}", $"--Datasets:Sources:alphaopt:Manifest={manifest}");

    private static async Task<string> ManifestAsync(string folder, IEnumerable<(string Path, string Source, byte[] Content)> files)
    {
        var path = System.IO.Path.Combine(folder, "manifest.json");
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(files.Select(f => new
        {
            path = f.Path,
            source = f.Source,
            sha256 = Convert.ToHexStringLower(SHA256.HashData(f.Content)),
            size = f.Content.Length,
        })));
        return path;
    }

    /// <summary>A raw-file mirror on 127.0.0.1: GET /{path} answers the bytes given for that path, else 404.</summary>
    private sealed class FileMirror : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private FileMirror(WebApplication app) => _app = app;

        public string BaseUrl => _app.Urls.First();

        public ConcurrentQueue<string> Requests { get; } = new();

        public static async Task<FileMirror> StartAsync(Dictionary<string, byte[]> files)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var mirror = new FileMirror(app);
            app.MapGet("/{**path}", (string path, HttpContext http) =>
            {
                mirror.Requests.Enqueue(http.Request.Path);
                return files.TryGetValue(path, out var bytes) ? Results.Bytes(bytes, "application/octet-stream") : Results.NotFound();
            });
            await app.StartAsync();
            return mirror;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
