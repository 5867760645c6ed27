using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using OptLib.Library;

namespace OptLib.Worker;

/// <summary>The worker's host: the library, the solver and a Hangfire server, with no HTTP.</summary>
internal static class WorkerHost
{
    /// <param name="quiet">An operator command: the console shows its own output and warnings, the log file the rest.</param>
    public static IHost Build(string[] args, bool runJobServer, bool migrate = true, bool quiet = false)
    {
        var builder = Host.CreateApplicationBuilder(args);
        var overrides = new Dictionary<string, string?>
        {
            ["Worker:InProcess"] = runJobServer ? "true" : "false",
            ["OptLib:MigrateOnStart"] = migrate ? "true" : "false",
        };
        if (quiet)
        {
            overrides["Serilog:MinimumLevel:Default"] = "Warning";
            overrides["Worker:Schedules"] = "false"; // the daemon owns the schedules
        }

        builder.Configuration.AddInMemoryCollection(overrides);
        builder.AddLibrary();
        return builder.Build();
    }
}
