using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OptLib.Library.Validation;

/// <summary>
/// Text PostgreSQL cannot store: the NUL character, refused by text columns (22021) and by jsonb (22P05). Every request
/// message is walked once, strings inside lists, dictionaries, nested records and JSON included, so that no field needs
/// its own check and a new field is covered the day it is added.
/// </summary>
public static class StorableText
{
    public const string Error = "The text contains a NUL character (\\u0000), which cannot be stored.";

    private const int MaxDepth = 12;

    private static readonly ConcurrentDictionary<Type, (string Name, PropertyInfo Property)[]> Properties = new();

    /// <summary>The fields (JSON names, with indexes and keys: <c>library[3].condition</c>) whose text holds a NUL.</summary>
    public static IEnumerable<(string Field, string Error)> Check(object message)
    {
        var found = new List<(string, string)>();
        Walk(message, string.Empty, 0, new HashSet<object>(ReferenceEqualityComparer.Instance), found);
        return found;
    }

    public static bool Holds(string? text) => text is not null && text.Contains('\0', StringComparison.Ordinal);

    private static void Walk(object? value, string path, int depth, HashSet<object> seen, List<(string, string)> found)
    {
        switch (value)
        {
            case null:
                return;
            case string text:
                if (Holds(text))
                {
                    found.Add((path.Length == 0 ? "body" : path, Error));
                }

                return;
            case JsonElement json:
                WalkJson(json, path, found);
                return;
        }

        var type = value.GetType();
        if (depth >= MaxDepth || type.IsPrimitive || type.IsEnum || value is decimal or DateTime or DateTimeOffset or TimeSpan or Guid || !seen.Add(value))
        {
            return;
        }

        if (value is IDictionary dictionary)
        {
            foreach (DictionaryEntry entry in dictionary)
            {
                var key = entry.Key.ToString() ?? string.Empty;
                var at = Join(path, key);
                Walk(key, at, depth + 1, seen, found);
                Walk(entry.Value, at, depth + 1, seen, found);
            }

            return;
        }

        // Collections only: a lazy sequence could run a query, or yield something else the second time it is read.
        if (value is ICollection items)
        {
            var index = 0;
            foreach (var item in items)
            {
                Walk(item, $"{path}[{index++}]", depth + 1, seen, found);
            }

            return;
        }

        // Only our own messages and what they carry; a framework object (a stream, a principal) holds no client text.
        if (type.Namespace?.StartsWith("OptLib", StringComparison.Ordinal) != true)
        {
            return;
        }

        foreach (var (name, property) in Properties.GetOrAdd(type, Readable))
        {
            Walk(property.GetValue(value), Join(path, name), depth + 1, seen, found);
        }
    }

    private static void WalkJson(JsonElement json, string path, List<(string, string)> found)
    {
        switch (json.ValueKind)
        {
            case JsonValueKind.String when Holds(json.GetString()):
                found.Add((path.Length == 0 ? "body" : path, Error));
                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in json.EnumerateArray())
                {
                    WalkJson(item, $"{path}[{index++}]", found);
                }

                break;
            case JsonValueKind.Object:
                foreach (var property in json.EnumerateObject())
                {
                    var at = Join(path, property.Name);
                    if (Holds(property.Name))
                    {
                        found.Add((at, Error));
                    }

                    WalkJson(property.Value, at, found);
                }

                break;
        }
    }

    private static (string, PropertyInfo)[] Readable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            // What a client can set (a record's positional properties, a DTO's setters); a computed property only
            // derives from those, and may throw on the very input being refused.
            .Where(p => p.CanRead && p.CanWrite && p.GetIndexParameters().Length == 0
                && p.GetCustomAttribute<JsonIgnoreAttribute>() is not { Condition: JsonIgnoreCondition.Always })
            .Select(p => (p.GetCustomAttribute<RequestBodyAttribute>() is not null ? string.Empty
                : p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(p.Name), p))
            .ToArray();

    private static string Join(string path, string name) => path.Length == 0 || name.Length == 0 ? path + name : $"{path}.{name}";
}

/// <summary>
/// Marks the property of a request message that holds the whole request body, so that <see cref="StorableText"/> names
/// its fields as the client sent them (<c>library[0].condition</c>, not <c>document.library[0].condition</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class RequestBodyAttribute : Attribute;
