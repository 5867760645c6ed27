using Mediator;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Audit;
using OptLib.Library.Storage;

namespace OptLib.Library.Access;

/// <summary>Revokes a key; it stays listed, so the audit trail keeps its name. Null when there is no such key.</summary>
public sealed record RevokeApiKey(long Id, string Actor) : IRequest<ApiKeyDto?>;

public sealed class RevokeApiKeyHandler(OptLibDbContext db) : IRequestHandler<RevokeApiKey, ApiKeyDto?>
{
    public async ValueTask<ApiKeyDto?> Handle(RevokeApiKey request, CancellationToken cancellationToken)
    {
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == request.Id, cancellationToken);
        if (key is null)
        {
            return null;
        }

        if (key.RevokedAt is null)
        {
            key.RevokedAt = DateTimeOffset.UtcNow;
            await db.SaveChangesAsync(cancellationToken);
            await AuditLog.WriteAsync(db, request.Actor, "revoke", "api_key", key.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), null, cancellationToken);
        }

        return ApiKeyDto.From(key);
    }
}
