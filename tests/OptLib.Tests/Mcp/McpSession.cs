using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using OptLib.Tests.Infrastructure;

namespace OptLib.Tests.Mcp;

/// <summary>An MCP client of the service under test, and the two ways a tool call ends.</summary>
internal static class McpSession
{
    /// <summary>An MCP client over the test server's own handler, sending the key as any MCP client configured with it would.</summary>
    public static async Task<McpClient> ConnectAsync(OptLibApp app, string? key)
    {
        var http = app.CreateClient();
        http.Timeout = TimeSpan.FromMinutes(4); // solve_problem waits for the sandbox on a loaded machine
        var options = new HttpClientTransportOptions
        {
            Endpoint = new Uri(http.BaseAddress!, "/mcp"),
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = key is null ? null : new Dictionary<string, string> { ["X-Api-Key"] = key },
        };
        return await McpClient.CreateAsync(new HttpClientTransport(options, http, ownsHttpClient: true));
    }

    public static async Task<JsonObject> CallAsync(McpClient mcp, string tool, Dictionary<string, object?> arguments)
    {
        var result = await mcp.CallToolAsync(tool, arguments);
        var text = string.Concat(result.Content.OfType<TextContentBlock>().Select(c => c.Text));
        Assert.True(result.IsError != true, $"{tool} failed: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>The error text of a refused call, whether the server answered with a tool error or a protocol error.</summary>
    public static async Task<string> RefusalAsync(McpClient mcp, string tool, Dictionary<string, object?> arguments)
    {
        try
        {
            var result = await mcp.CallToolAsync(tool, arguments);
            var text = string.Concat(result.Content.OfType<TextContentBlock>().Select(c => c.Text));
            Assert.True(result.IsError == true, $"{tool} was not refused: {text}");
            return text;
        }
        catch (McpException e)
        {
            return e.Message;
        }
    }
}
