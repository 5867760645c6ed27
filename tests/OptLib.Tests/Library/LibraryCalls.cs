using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using OptLib.Library.Access;
using OptLib.Library.Retrieval;
using OptLib.Tests.Infrastructure;

namespace OptLib.Tests.Library;

/// <summary>The library calls several test classes make, over HTTP as a client would.</summary>
internal static class LibraryCalls
{
    private static readonly ConcurrentDictionary<(OptLibApp, LibraryFiles), Lazy<Task>> Imports = new();

    /// <summary>Imports the fixture library and its taxonomy into the app once, however many tests ask.</summary>
    public static Task ImportFixtureOnceAsync(OptLibApp app) => ImportOnceAsync(app, LibraryFiles.Fixture);

    /// <summary>Imports a library into the app once, however many tests ask.</summary>
    public static Task ImportOnceAsync(OptLibApp app, LibraryFiles files) => Imports.GetOrAdd((app, files), _ => new Lazy<Task>(async () =>
    {
        using var analyst = app.ClientWithKey(await app.CreateKeyAsync(Role.Analyst));
        var response = await analyst.PostAsync("/api/library/import", new StringContent(files.ImportBody(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    })).Value;

    public static async Task<RetrievalResult> RetrieveAsync(OptLibApp app, string problem, string stage, int k)
    {
        using var viewer = app.ClientWithKey(await app.CreateKeyAsync(Role.Viewer));
        var response = await viewer.PostAsJsonAsync("/api/library/retrieve", new { problem, stage, k });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<RetrievalResult>())!;
    }
}
