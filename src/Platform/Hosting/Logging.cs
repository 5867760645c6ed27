using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OptLib.Platform.Database;
using Serilog;
using Serilog.Events;

namespace OptLib.Platform.Hosting;

public static class Logging
{
    /// <summary>
    /// Serilog: structured console output and a daily rolling file under &lt;data dir&gt;/logs. Levels come from the
    /// "Serilog" configuration section (Serilog:MinimumLevel:Default, Serilog:MinimumLevel:Override:...).
    /// </summary>
    internal static IHostApplicationBuilder AddOptLibLogging(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSerilog((services, logger) => logger
            .ReadFrom.Configuration(services.GetRequiredService<IConfiguration>())
            .MinimumLevel.Override("Microsoft.EntityFrameworkCore.Database.Command", LogEventLevel.Warning)
            .Enrich.FromLogContext()
            // A start-up failure the operator can fix is printed once, as one line, by the host's Program; the generic
            // host would log it again with a stack trace.
            .Filter.ByExcluding(e => e.Exception is not null && StartupFailure.Explain(e.Exception) is not null)
            .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}")
            .WriteTo.File(
                Path.Combine(services.GetRequiredService<IOptions<OptLibOptions>>().Value.DataDirectoryFullPath, "logs", "optlib-.log"),
                rollingInterval: RollingInterval.Day,
                retainedFileCountLimit: 14,
                outputTemplate: "{Timestamp:o} [{Level:u3}] {SourceContext}: {Message:lj} {Properties:j}{NewLine}{Exception}"));
        return builder;
    }
}
