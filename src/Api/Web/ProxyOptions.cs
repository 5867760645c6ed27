using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace OptLib.Api.Web;

/// <summary>
/// Settings under "OptLib:ForwardedHeaders": whether the service sits behind a reverse proxy whose X-Forwarded-For and
/// X-Forwarded-Proto it believes. Off by default, since a client could otherwise claim any address or scheme.
/// </summary>
public sealed class ProxyOptions : IValidatableObject
{
    public const string Section = "OptLib:ForwardedHeaders";

    /// <summary>Honour X-Forwarded-For and X-Forwarded-Proto from the proxies below (loopback when none is listed).</summary>
    public bool Enabled { get; set; }

    /// <summary>Addresses of the proxies, comma-separated, e.g. "10.0.0.5, fd00::5".</summary>
    public string KnownProxies { get; set; } = string.Empty;

    /// <summary>Networks of the proxies in CIDR notation, comma-separated, e.g. "10.0.0.0/8".</summary>
    public string KnownNetworks { get; set; } = string.Empty;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var proxy in List(KnownProxies).Where(p => !IPAddress.TryParse(p, out _)))
            yield return new ValidationResult($"'{proxy}' in {Section}:KnownProxies is not an IP address.", [nameof(KnownProxies)]);
        foreach (var network in List(KnownNetworks).Where(n => !System.Net.IPNetwork.TryParse(n, out _)))
            yield return new ValidationResult($"'{network}' in {Section}:KnownNetworks is not a network in CIDR notation (10.0.0.0/8).", [nameof(KnownNetworks)]);
    }

    internal void ApplyTo(ForwardedHeadersOptions forwarded)
    {
        forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
        foreach (var proxy in List(KnownProxies))
            forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
        foreach (var network in List(KnownNetworks))
            forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
    }

    private static string[] List(string value) => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>The service behind a TLS proxy: the client's address and scheme come from the proxy when configured, so cookies are Secure.</summary>
public static class ReverseProxy
{
    public static IHostApplicationBuilder AddReverseProxy(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ProxyOptions>().BindConfiguration(ProxyOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ProxyOptions>>((forwarded, proxy) => proxy.Value.ApplyTo(forwarded));
        return builder;
    }

    /// <summary>First in the pipeline, before anything reads the scheme or the client's address.</summary>
    public static IApplicationBuilder UseReverseProxy(this WebApplication app) =>
        app.Services.GetRequiredService<IOptions<ProxyOptions>>().Value.Enabled ? app.UseForwardedHeaders() : app;
}
