using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OptLib.Platform.Hosting;

namespace OptLib.Worker.Datasets;

/// <summary><c>datasets pull</c>: a small host of its own (no database), for the options and the HTTP client.</summary>
internal static class DatasetsCommand
{
    public const string DefaultFolder = "reference-data";

    public static IHostApplicationBuilder AddDatasets(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AlphaOptSourceOptions>().BindConfiguration(AlphaOptSourceOptions.Section).ValidateDataAnnotations()
            .Validate(o => Uri.TryCreate(o.BaseUrl, UriKind.Absolute, out var url) && url.Scheme is "http" or "https",
                $"{AlphaOptSourceOptions.Section}:BaseUrl must be an absolute http or https URL.")
            .ValidateOnStart();
        builder.Services.AddSingleton(_ => ProgressView.ForConsole());
        builder.Services.AddHttpClient<DatasetPull>(http => http.Timeout = TimeSpan.FromMinutes(5));
        return builder;
    }

    /// <summary>Pulls AlphaOPT's files into <paramref name="target"/> (default <c>reference-data/alphaopt</c>).</summary>
    public static async Task<int> PullAlphaOptAsync(string[] args, DirectoryInfo? target, CancellationToken ct)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.Logging.ClearProviders();
        builder.AddDatasets();
        using var host = builder.Build();
        try
        {
            await host.StartAsync(ct); // validates the options
        }
        catch (OptionsValidationException ex)
        {
            throw new CommandInputException($"OptLib cannot start: {StartupFailure.Explain(ex)}");
        }

        try
        {
            var options = host.Services.GetRequiredService<IOptions<AlphaOptSourceOptions>>().Value;
            var files = AlphaOptManifest.For(options);
            var folder = target ?? new DirectoryInfo(Path.Combine(DefaultFolder, "alphaopt"));
            return await host.Services.GetRequiredService<DatasetPull>().RunAsync(new Uri(options.BaseUrl), files, folder, ct);
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }
}
