using Serilog;
using Serilog.Events;

namespace OptLib.Api.Hosting;

/// <summary>
/// One line per request, at a level that says how much it matters: a server error is an Error; a refusal (4xx), a
/// change or a slow answer is Information, as before; a read answered at once (GET or HEAD, 2xx or 3xx, under a second)
/// is Debug. At thousands of reads a second, writing each of them to the console and the file cost 6 to 22 % of the
/// reads' throughput (bench/Reads/REPORT.md). To log them too, set
/// Serilog:MinimumLevel:Override:Serilog.AspNetCore.RequestLoggingMiddleware to Debug.
/// </summary>
public static class RequestLogging
{
    private const double SlowMilliseconds = 1000;

    public static IApplicationBuilder UseRequestLogging(this IApplicationBuilder app) =>
        app.UseSerilogRequestLogging(options => options.GetLevel = Level);

    public static LogEventLevel Level(HttpContext http, double elapsedMilliseconds, Exception? error) =>
        error is not null || http.Response.StatusCode >= StatusCodes.Status500InternalServerError ? LogEventLevel.Error
        : (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method))
          && http.Response.StatusCode < StatusCodes.Status400BadRequest
          && elapsedMilliseconds < SlowMilliseconds ? LogEventLevel.Debug
        : LogEventLevel.Information;
}
