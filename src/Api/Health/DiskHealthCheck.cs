using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OptLib.Library.Storage;
using OptLib.Platform.Database;

namespace OptLib.Api.Health;

/// <summary>Settings under "Health": what /health/ready demands beyond answering dependencies.</summary>
public sealed class HealthOptions
{
    public const string Section = "Health";

    /// <summary>Free space the data folder's disk must have (the embedded database and the logs live there).</summary>
    [Range(0, 10_000_000)]
    public int MinFreeDiskMegabytes { get; set; } = 256;
}

/// <summary>Ready means the data folder's disk has room for writes; a full disk otherwise shows only as failed writes.</summary>
internal sealed class DiskHealthCheck(IOptions<OptLibOptions> storage, IOptions<HealthOptions> health) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var folder = storage.Value.DataDirectoryFullPath;
        var freeMb = new DriveInfo(folder).AvailableFreeSpace / (1024 * 1024);
        var minimum = health.Value.MinFreeDiskMegabytes;
        var data = new Dictionary<string, object> { ["folder"] = folder, ["freeMb"] = freeMb, ["minFreeMb"] = minimum };
        return Task.FromResult(freeMb >= minimum
            ? HealthCheckResult.Healthy($"{freeMb} MB free.", data)
            : HealthCheckResult.Unhealthy($"Only {freeMb} MB free on the data folder's disk; writes may fail. Free space, or lower Health:MinFreeDiskMegabytes.", data: data));
    }
}
