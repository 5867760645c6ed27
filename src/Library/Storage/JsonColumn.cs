using System.Text.Json;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace OptLib.Library.Storage;

/// <summary>
/// A typed value kept in a jsonb column, written and read with the given options. It goes to the database as a
/// JsonDocument, Npgsql's own jsonb mapping, so the column and the migrations' model are those of a JsonDocument
/// property. Values are compared by their JSON, so a change inside a list or a record is saved.
/// </summary>
internal static class JsonColumn
{
    public static PropertyBuilder<T?> HasJsonConversion<T>(this PropertyBuilder<T?> property, JsonSerializerOptions options) where T : class =>
        property.HasConversion(
            new ValueConverter<T?, JsonDocument?>(v => JsonSerializer.SerializeToDocument(v, options), d => d!.Deserialize<T>(options)),
            new ValueComparer<T?>(
                (a, b) => JsonSerializer.Serialize(a, options) == JsonSerializer.Serialize(b, options),
                v => JsonSerializer.Serialize(v, options).GetHashCode(StringComparison.Ordinal),
                v => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(v, options), options)));
}
