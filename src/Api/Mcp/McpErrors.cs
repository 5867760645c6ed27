using System.Text.Json;
using Microsoft.AspNetCore.Http;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using OptLib.Api.Errors;

namespace OptLib.Api.Mcp;

/// <summary>
/// The MCP side of the one error path: what the REST API answers with a 4xx ProblemDetails becomes a tool error with
/// the same words (from <see cref="ProblemExceptionHandler.Describe"/>), and arguments that are missing or do not fit
/// a tool's schema are named. The SDK answers anything else with its generic tool error, never an HTTP 500.
/// </summary>
internal static class McpErrors
{
    public static McpRequestHandler<CallToolRequestParams, CallToolResult> Filter(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        async (request, cancellationToken) =>
        {
            // The SDK's own binding errors do not say which argument is wrong, so the arguments are checked first.
            if (request.MatchedPrimitive is McpServerTool tool && Mismatches(tool.ProtocolTool.InputSchema, request.Params?.Arguments) is { Count: > 0 } wrong)
            {
                throw new McpException($"The arguments do not fit {tool.ProtocolTool.Name}: {string.Join("; ", wrong)}.");
            }

            try
            {
                return await next(request, cancellationToken);
            }
            catch (Exception e) when (ProblemExceptionHandler.Describe(e) is { } problem)
            {
                var errors = problem is HttpValidationProblemDetails v ? v.Errors.SelectMany(f => f.Value.Select(m => $" {f.Key}: {m}")) : [];
                throw new McpException($"{problem.Title}{(problem.Detail is { } detail ? " " + detail : string.Empty)}{string.Concat(errors)}", e);
            }
        };

    /// <summary>
    /// Each required argument that is missing and each whose JSON type is not the one the schema names ("id is
    /// required", "id must be integer, not string"). Only the top-level types are checked: the tools take scalars.
    /// </summary>
    private static List<string> Mismatches(JsonElement schema, IDictionary<string, JsonElement>? arguments)
    {
        var wrong = new List<string>();
        if (schema.TryGetProperty("required", out var required))
        {
            wrong.AddRange(required.EnumerateArray().Select(r => r.GetString()!).Where(r => arguments is null || !arguments.ContainsKey(r)).Select(r => $"{r} is required"));
        }

        if (schema.TryGetProperty("properties", out var properties))
        {
            foreach (var property in properties.EnumerateObject())
            {
                if (arguments is null || !arguments.TryGetValue(property.Name, out var value) || !property.Value.TryGetProperty("type", out var type))
                {
                    continue;
                }

                var allowed = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToList() : [type.GetString()!];
                var actual = JsonType(value);
                if (!allowed.Contains(actual) && !(actual == "integer" && allowed.Contains("number")))
                {
                    wrong.Add($"{property.Name} must be {string.Join(" or ", allowed)}, not {actual}");
                }
            }
        }

        return wrong;
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
