using OptLib.Api.Access;

namespace OptLib.Api.Mcp;

/// <summary>
/// OptLib as an MCP server: streamable HTTP at /mcp, stateless (no session to pin to one instance), behind the same
/// API keys and policies as the REST API (docs/decisions/0011-mcp-server.md).
/// </summary>
public static class McpApi
{
    public const string Route = "/mcp";

    public static IHostApplicationBuilder AddMcp(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHttpContextAccessor(); // the caller's identity, for the actor of what a tool changes
        builder.Services.AddMcpServer(options => options.ServerInfo = new() { Name = "OptLib", Version = typeof(McpApi).Assembly.GetName().Version?.ToString() ?? "1.0" })
            .WithHttpTransport(options => options.Stateless = true)
            .AddAuthorizationFilters()
            .WithRequestFilters(filters => filters.AddCallToolFilter(McpErrors.Filter))
            .WithTools<OptLibTools>();
        return builder;
    }

    public static IEndpointRouteBuilder MapMcpApi(this IEndpointRouteBuilder app)
    {
        // A viewer's key opens the endpoint; a tool that needs more says so with its own [Authorize] policy.
        app.MapMcp(Route).RequireAuthorization(AccessPolicies.Viewer).WithTags("MCP");
        return app;
    }
}
