using System.Security.Cryptography;
using System.Text.Json;

namespace OptLib.Library.Reads;

/// <summary>
/// A read and its entity tag: a digest of everything read, so a client's copy can be checked (If-None-Match) without
/// being sent again, and any change that shows in the read (a count, a renamed label) gives a new tag.
/// </summary>
public sealed record Tagged<T>(T Value, string ETag);

public static class Tagged
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The value with its tag: <c>"digest"</c>, or <c>"prefix.digest"</c> (an insight's version comes first).</summary>
    public static Tagged<T> Of<T>(T value, string? prefix = null)
    {
        var digest = Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(value, Json)).AsSpan(0, 8));
        return new Tagged<T>(value, prefix is null ? $"\"{digest}\"" : $"\"{prefix}.{digest}\"");
    }
}
