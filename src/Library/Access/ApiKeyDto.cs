namespace OptLib.Library.Access;

public sealed record ApiKeyDto(long Id, string Name, string Prefix, string Role, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt)
{
    public static ApiKeyDto From(ApiKey k) => new(k.Id, k.Name, k.Prefix, k.Role.Name(), k.CreatedBy, k.CreatedAt, k.RevokedAt);
}

/// <summary>A newly created key: the only time the secret is ever returned.</summary>
public sealed record CreatedApiKeyDto(ApiKeyDto Key, string Secret);
