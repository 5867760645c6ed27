using OptLib.Api.Hosting;
using OptLib.Library;
using OptLib.Platform.Hosting;

try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddLibrary().AddApi();
    await builder.Build().UseApi().RunAsync();
    return 0;
}
catch (Exception ex) when (StartupFailure.Explain(ex) is { } reason)
{
    // A problem the operator can fix gets one line that says what to do, not a stack trace.
    await Console.Error.WriteLineAsync($"OptLib cannot start: {reason}");
    return 1;
}

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
