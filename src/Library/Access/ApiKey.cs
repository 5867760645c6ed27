namespace OptLib.Library.Access;

/// <summary>A REST client's key. Only a SHA-256 hash of the secret is stored; the secret is shown once, at creation.</summary>
public sealed class ApiKey
{
    public long Id { get; set; }

    public required string Name { get; set; }

    /// <summary>The first characters of the key, so people can tell keys apart without the secret.</summary>
    public required string Prefix { get; set; }

    public required string Hash { get; set; }

    public Role Role { get; set; }

    public required string CreatedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }
}
