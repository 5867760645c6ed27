using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace OptLib.Library.Storage;

/// <summary>Recognises a save that a unique index refused, for handlers that know what such a race means for them.</summary>
public static class UniqueKeys
{
    /// <summary>The save failed because the unique index <paramref name="index"/> already holds the key.</summary>
    public static bool Refused(DbUpdateException ex, string index) =>
        ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } pg && pg.ConstraintName == index;
}
