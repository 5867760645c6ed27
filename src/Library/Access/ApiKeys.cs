using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Reads;
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

    /// <summary>
    /// The live key with this secret, or null for an unknown, revoked or malformed one. Live keys are kept in the read
    /// model, so a revocation takes effect in this process at once and in others within ReadModel:CheckMilliseconds;
    /// unknown secrets are not kept, so guessing fills no memory.
    /// </summary>
    public static async Task<ApiKeyIdentity?> FindAsync(OptLibDbContext db, ReadModel reads, string? secret, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(secret) || !secret.StartsWith(Scheme, StringComparison.Ordinal) || secret.Length > 100)
        {
            return null;
        }

        var hash = Hash(secret.Trim());
        var access = (await reads.CurrentAsync(db, ct)).Access;
        return await access.GetOrLoadAsync(new KeyHash(hash), () => db.ApiKeys.AsNoTracking()
            .Where(k => k.Hash == hash && k.RevokedAt == null)
            .Select(k => new ApiKeyIdentity(k.Id, k.Name, k.Role))
            .FirstOrDefaultAsync(ct));
    }

    private sealed record KeyHash(string Hash);
}

/// <summary>Who a live key speaks for.</summary>
public sealed record ApiKeyIdentity(long Id, string Name, Role Role);
