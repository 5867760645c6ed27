using System.Text.Json;
using System.Text.Json.Serialization;

namespace OptLib.Library.Interchange;

/// <summary>
/// AlphaOPT's files, read and written as they are: <c>library.json</c> (an array of insights) and a taxonomy JSON
/// (<c>{stage: {level1: {level2: {definition, condition}}}}</c>). The import body and the export carry both.
/// </summary>
public sealed class AlphaOptDocument
{
    [JsonPropertyName("library")]
    public List<AlphaOptInsight>? Library { get; set; }

    [JsonPropertyName("taxonomy")]
    public Dictionary<string, Dictionary<string, Dictionary<string, AlphaOptLabel>>>? Taxonomy { get; set; }
}

public sealed class AlphaOptLabel
{
    [JsonPropertyName("definition")]
    public string? Definition { get; set; }

    [JsonPropertyName("condition")]
    public string? Condition { get; set; }
}

public sealed class AlphaOptInsight
{
    [JsonPropertyName("insight_id")]
    public long InsightId { get; set; }

    /// <summary>{stage: {level1: [level2, ...]}}.</summary>
    [JsonPropertyName("taxonomy")]
    public Dictionary<string, Dictionary<string, List<string>>>? Taxonomy { get; set; }

    [JsonPropertyName("condition")]
    public string? Condition { get; set; }

    [JsonPropertyName("explanation")]
    public string? Explanation { get; set; }

    [JsonPropertyName("example")]
    public string? Example { get; set; }

    [JsonPropertyName("iteration")]
    public int? Iteration { get; set; }

    [JsonPropertyName("version")]
    public int? Version { get; set; }

    /// <summary>A task id, or a list of them (AlphaOPT writes both).</summary>
    [JsonPropertyName("task_id")]
    public JsonElement TaskId { get; set; }

    [JsonPropertyName("occurrence")]
    public int? Occurrence { get; set; }

    [JsonPropertyName("distribution")]
    public AlphaOptDistribution? Distribution { get; set; }

    /// <summary>OptLib's addition: proposed, active or retired. Absent in AlphaOPT's files (their insights are in use).</summary>
    [JsonPropertyName("status")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Status { get; set; }

    /// <summary>OptLib's addition: "optlib" for insights learned here, whose insight_id is our id; absent for AlphaOPT's.</summary>
    [JsonPropertyName("source")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Source { get; set; }
}

public sealed class AlphaOptDistribution
{
    [JsonPropertyName("positive")]
    public List<string>? Positive { get; set; }

    [JsonPropertyName("negative")]
    public List<string>? Negative { get; set; }

    [JsonPropertyName("unretrieved")]
    public List<string>? Unretrieved { get; set; }

    [JsonPropertyName("irrelevant")]
    public List<string>? Irrelevant { get; set; }

    [JsonPropertyName("invalid")]
    public List<string>? Invalid { get; set; }
}

public static class AlphaOptSources
{
    public const string AlphaOpt = "alphaopt";
    public const string OptLib = "optlib";

    public static List<string> TaskIds(JsonElement taskId) => taskId.ValueKind switch
    {
        JsonValueKind.String => [taskId.GetString()!],
        JsonValueKind.Array => [.. taskId.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)],
        _ => [],
    };

    /// <summary>One id as a string unless the source wrote it as a list; none or several as a list.</summary>
    public static JsonElement TaskIdElement(IReadOnlyList<string> ids, bool? asList) =>
        ids.Count == 1 && asList != true ? JsonSerializer.SerializeToElement(ids[0]) : JsonSerializer.SerializeToElement(ids);
}
