using System.Text.Json;
using Microsoft.AspNetCore.Http;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using OptLib.Api.Errors;

namespace OptLib.Api.Mcp;

/// <summary>
/// The MCP side of the one error path: what the REST API answers with a 4xx ProblemDetails becomes a tool error with
/// the same words (from <see cref="ProblemExceptionHandler.Describe"/>), and arguments that do not fit a tool's schema
/// are named. The SDK answers anything else with its generic tool error, never an HTTP 500.
/// </summary>
internal static class McpErrors
{
    public static McpRequestHandler<CallToolRequestParams, CallToolResult> Filter(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        async (request, cancellationToken) =>
        {
            try
            {
                return await next(request, cancellationToken);
            }
            catch (Exception e) when (ProblemExceptionHandler.Describe(e) is { } problem)
            {
                var errors = problem is HttpValidationProblemDetails v ? v.Errors.SelectMany(f => f.Value.Select(m => $" {f.Key}: {m}")) : [];
                throw new McpException($"{problem.Title}{(problem.Detail is { } detail ? " " + detail : string.Empty)}{string.Concat(errors)}", e);
            }
            catch (JsonException e) when (request.MatchedPrimitive is McpServerTool tool)
            {
                // The SDK could not bind an argument; its own message does not say which one.
                throw new McpException($"The arguments do not fit {tool.ProtocolTool.Name}: {Mismatches(tool.ProtocolTool.InputSchema, request.Params?.Arguments)}", e);
            }
        };

    /// <summary>Each argument whose JSON type is not the one the schema names, e.g. "id must be integer, not string".</summary>
    private static string Mismatches(JsonElement schema, IDictionary<string, JsonElement>? arguments)
    {
        var wrong = new List<string>();
        if (schema.TryGetProperty("properties", out var properties))
        {
            foreach (var property in properties.EnumerateObject())
            {
                if (arguments is null || !arguments.TryGetValue(property.Name, out var value) || !property.Value.TryGetProperty("type", out var type))
                {
                    continue;
                }

                var allowed = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToList() : [type.GetString()!];
                if (!allowed.Contains(JsonType(value)) && !(JsonType(value) == "integer" && allowed.Contains("number")))
                {
                    wrong.Add($"{property.Name} must be {string.Join(" or ", allowed)}, not {JsonType(value)}");
                }
            }
        }

        return wrong.Count > 0 ? string.Join("; ", wrong) + "." : "an argument has the wrong type.";
    }

    private static string JsonType(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => value.TryGetInt64(out _) ? "integer" : "number",
        JsonValueKind.String => "string",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Array => "array",
        JsonValueKind.Object => "object",
        _ => "null",
    };
}
