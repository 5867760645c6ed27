using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Storage;

namespace OptLib.Library.Access;

/// <summary>Creates and checks API keys. Keys are 240 random bits, so one fast SHA-256 is a safe hash for them.</summary>
public static class ApiKeys
{
    private const string Scheme = "olk_";
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    public static string NewSecret() => Scheme + RandomNumberGenerator.GetString(Alphabet, 40);

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public static async Task<(ApiKey Key, string Secret)> CreateAsync(OptLibDbContext db, string name, Role role, string actor, CancellationToken ct)
    {
        var secret = NewSecret();
        var key = new ApiKey
        {
            Name = name,
            Prefix = secret[..10],
            Hash = Hash(secret),
            Role = role,
            CreatedBy = actor,
            CreatedAt = DateTimeOffset.UtcNow,
        };
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(ct);
        return (key, secret);
    }

    /// <summary>The live key with this secret, or null for an unknown, revoked or malformed one.</summary>
    public static async Task<ApiKey?> FindAsync(OptLibDbContext db, string? secret, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(secret) || !secret.StartsWith(Scheme, StringComparison.Ordinal) || secret.Length > 100)
        {
            return null;
        }

        var hash = Hash(secret.Trim());
        return await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Hash == hash && k.RevokedAt == null, ct);
    }
}
