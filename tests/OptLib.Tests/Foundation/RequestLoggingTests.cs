using Microsoft.AspNetCore.Http;
using OptLib.Api.Hosting;
using Serilog.Events;

namespace OptLib.Tests.Foundation;

/// <summary>Routine reads leave the request log's Information level; refusals, changes, slow answers and failures stay in it.</summary>
public sealed class RequestLoggingTests
{
    [Theory]
    [InlineData("GET", 200, 3, LogEventLevel.Debug)]
    [InlineData("GET", 304, 3, LogEventLevel.Debug)]
    [InlineData("HEAD", 200, 3, LogEventLevel.Debug)]
    [InlineData("GET", 200, 1500, LogEventLevel.Information)]
    [InlineData("GET", 401, 3, LogEventLevel.Information)]
    [InlineData("GET", 403, 3, LogEventLevel.Information)]
    [InlineData("GET", 404, 3, LogEventLevel.Information)]
    [InlineData("POST", 200, 3, LogEventLevel.Information)]
    [InlineData("PUT", 200, 3, LogEventLevel.Information)]
    [InlineData("DELETE", 200, 3, LogEventLevel.Information)]
    [InlineData("GET", 503, 3, LogEventLevel.Error)]
    public void EachRequestIsLoggedAtTheLevelItsOutcomeDeserves(string method, int status, double milliseconds, LogEventLevel expected)
    {
        var http = new DefaultHttpContext();
        http.Request.Method = method;
        http.Response.StatusCode = status;

        Assert.Equal(expected, RequestLogging.Level(http, milliseconds, null));
    }

    [Fact]
    public void AReadThatThrewIsAnError()
    {
        var http = new DefaultHttpContext();
        http.Request.Method = "GET";
        http.Response.StatusCode = 200;

        Assert.Equal(LogEventLevel.Error, RequestLogging.Level(http, 3, new InvalidOperationException("boom")));
    }
}
