using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace OptLib.Library.Storage;

/// <summary>Stores enums as their lowercase names ('proposed', 'active'), readable in SQL and stable across reorderings.</summary>
internal static class LowercaseEnum
{
    public static ValueConverter<T, string> Converter<T>() where T : struct, Enum =>
        new(v => v.ToString().ToLowerInvariant(), v => Enum.Parse<T>(v, true));
}
