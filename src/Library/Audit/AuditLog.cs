using System.Text.Json;
using OptLib.Library.Storage;

namespace OptLib.Library.Audit;

public static class AuditLog
{
    public static async Task WriteAsync(OptLibDbContext db, string actor, string action, string entityType, string? entityId, object? detail, CancellationToken ct)
    {
        db.AuditLog.Add(new AuditEntry
        {
            At = DateTimeOffset.UtcNow,
            Actor = actor,
            Action = action,
            EntityType = entityType,
            EntityId = entityId,
            Detail = detail is null ? null : JsonSerializer.SerializeToDocument(detail),
        });
        await db.SaveChangesAsync(ct);
    }
}
