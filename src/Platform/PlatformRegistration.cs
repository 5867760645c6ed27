using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OptLib.Platform.Database;
using OptLib.Platform.Hosting;
using OptLib.Platform.Jobs;

namespace OptLib.Platform;

public static class PlatformRegistration
{
    /// <summary>
    /// Logging, the database (the configured server, or the embedded one when none is) with its supervisor, and
    /// Hangfire on it. The database starts first, before any other hosted service; then the registered
    /// <see cref="IDatabaseInitializer"/>s run.
    /// </summary>
    public static IHostApplicationBuilder AddPlatform(this IHostApplicationBuilder builder)
    {
        builder.AddOptLibLogging();
        var services = builder.Services;
        services.AddOptions<OptLibOptions>().BindConfiguration(OptLibOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<OptLibDatabase>();
        services.AddHostedService<DatabaseStartup>();
        services.AddHostedService<EmbeddedPostgresSupervisor>();
        builder.AddBackgroundJobs();
        return builder;
    }
}
