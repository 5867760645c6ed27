using System.Globalization;
using System.Security.Cryptography;

namespace OptLib.Worker.Datasets;

/// <summary>
/// Downloads a dataset's files into a folder, each checked against its SHA-256 and size. Files are written to a
/// staging folder beside the target and moved in only when every one of them is right, so a refused or interrupted
/// pull leaves the target as it was. A file already in the target with the right checksum is not fetched again.
/// </summary>
internal sealed class DatasetPull(HttpClient http, ProgressView progress)
{
    public async Task<int> RunAsync(Uri baseUrl, IReadOnlyList<DatasetFile> files, DirectoryInfo target, CancellationToken ct)
    {
        var needed = new List<DatasetFile>();
        foreach (var file in files)
        {
            var existing = new FileInfo(Path.Combine(target.FullName, file.Path));
            if (!existing.Exists || existing.Length != file.Size || !await HasChecksumAsync(existing, file.Sha256, ct))
            {
                needed.Add(file);
            }
        }

        var total = needed.Sum(f => f.Size);
        var staging = new DirectoryInfo(Path.Combine(target.Parent?.FullName ?? target.FullName, $".{target.Name}.pull-{Guid.NewGuid():N}"));
        try
        {
            long done = 0;
            for (var i = 0; i < needed.Count; i++)
            {
                var file = needed[i];
                var status = string.Create(CultureInfo.InvariantCulture, $"{file.Path} ({i + 1} of {needed.Count} files, {Megabytes(total)} MB)");
                progress.Show(done, total, status);
                var at = done;
                var error = await DownloadAsync(new Uri(baseUrl.AbsoluteUri.TrimEnd('/') + "/" + file.Source.TrimStart('/')), file, Path.Combine(staging.FullName, file.Path),
                    bytes => progress.Show(at + bytes, total, status), ct);
                if (error is not null)
                {
                    progress.Done();
                    await Console.Error.WriteLineAsync($"{file.Path}: {error}; nothing was written to {target.FullName}.");
                    return Commands.Failed;
                }

                done += file.Size;
            }

            foreach (var file in needed)
            {
                var destination = Path.Combine(target.FullName, file.Path);
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                File.Move(Path.Combine(staging.FullName, file.Path), destination, overwrite: true);
            }

            progress.Done(string.Create(CultureInfo.InvariantCulture,
                $"{target.FullName}: {needed.Count} file(s) downloaded ({Megabytes(total)} MB), {files.Count - needed.Count} already there, all {files.Count} checked."));
            return Commands.Succeeded;
        }
        finally
        {
            if (staging.Exists)
            {
                staging.Delete(recursive: true);
            }
        }
    }

    /// <summary>Streams one file to <paramref name="path"/>, hashing as it goes; returns why it is refused, or null.</summary>
    private async Task<string?> DownloadAsync(Uri url, DatasetFile file, string path, Action<long> advanced, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        HttpResponseMessage response;
        try
        {
            response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (HttpRequestException ex)
        {
            return $"GET {url} failed: {ex.Message}";
        }

        using var _ = response;
        if (!response.IsSuccessStatusCode)
        {
            return string.Create(CultureInfo.InvariantCulture, $"GET {url} answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using (var source = await response.Content.ReadAsStreamAsync(ct))
        await using (var sink = File.Create(path))
        {
            var buffer = new byte[81920];
            long length = 0;
            int read;
            while ((read = await source.ReadAsync(buffer, ct)) > 0)
            {
                length += read;
                if (length > file.Size)
                {
                    return string.Create(CultureInfo.InvariantCulture, $"{url} is larger than the manifest's {file.Size} bytes");
                }

                hash.AppendData(buffer, 0, read);
                await sink.WriteAsync(buffer.AsMemory(0, read), ct);
                advanced(length);
            }
        }

        var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
        return actual == file.Sha256.ToLowerInvariant() ? null : $"SHA-256 {actual} is not the manifest's {file.Sha256.ToLowerInvariant()}, so the file is refused";
    }

    private static async Task<bool> HasChecksumAsync(FileInfo file, string sha256, CancellationToken ct)
    {
        await using var stream = file.OpenRead();
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct)) == sha256.ToLowerInvariant();
    }

    private static string Megabytes(long bytes) => (bytes / 1_048_576.0).ToString("0.0", CultureInfo.InvariantCulture);
}
