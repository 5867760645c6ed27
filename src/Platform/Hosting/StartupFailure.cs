using Microsoft.Extensions.Options;

namespace OptLib.Platform.Hosting;

public static class StartupFailure
{
    /// <summary>
    /// The one line an operator needs for a start-up failure they can fix (a missing prerequisite, a locked data
    /// folder, a wrong setting), or null for a genuine bug, which keeps its stack trace.
    /// </summary>
    public static string? Explain(Exception ex) => ex switch
    {
        StartupException s => s.Message,
        OptionsValidationException o => $"Invalid configuration: {string.Join("; ", o.Failures)}",
        AggregateException a => a.InnerExceptions.Select(Explain).FirstOrDefault(m => m is not null),
        _ when ex.InnerException is not null => Explain(ex.InnerException),
        _ => null,
    };
}
