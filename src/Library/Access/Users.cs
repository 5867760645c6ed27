using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Storage;

namespace OptLib.Library.Access;

/// <summary>
/// People who sign in to the admin UI. Passwords go through ASP.NET Core Identity's hasher (PBKDF2 with a salt and a
/// version marker, so a future format upgrade rehashes on the next sign-in).
/// </summary>
public static class Users
{
    public const int MinPasswordLength = 12;
    public const int MaxPasswordLength = 200;
    public const int MaxNameLength = 100;

    private static readonly PasswordHasher<User> Hasher = new();

    public static string Normalize(string userName) => userName.Trim().ToUpperInvariant();

    /// <summary>A password for a generated account: 24 characters from an alphabet without look-alikes.</summary>
    public static string NewPassword() => RandomNumberGenerator.GetString("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789", 24);

    public static User New(string userName, string password, Role role) => SetPassword(new User
    {
        UserName = userName.Trim(),
        NormalizedUserName = Normalize(userName),
        PasswordHash = string.Empty,
        Role = role,
        CreatedAt = DateTimeOffset.UtcNow,
    }, password);

    public static User SetPassword(User user, string password)
    {
        user.PasswordHash = Hasher.HashPassword(user, password);
        return user;
    }

    /// <summary>
    /// The enabled user with this name and password, or null. An unknown name costs one hash too, so the answer's
    /// timing does not tell which names exist.
    /// </summary>
    public static async Task<User?> VerifyAsync(OptLibDbContext db, string? userName, string? password, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(userName) || string.IsNullOrEmpty(password) || userName.Length > MaxNameLength || password.Length > MaxPasswordLength)
        {
            return null;
        }

        var normalized = Normalize(userName);
        var user = await db.Users.FirstOrDefaultAsync(u => u.NormalizedUserName == normalized, ct);
        if (user is null)
        {
            Hasher.VerifyHashedPassword(Placeholder, Placeholder.PasswordHash, password);
            return null;
        }

        var result = Hasher.VerifyHashedPassword(user, user.PasswordHash, password);
        if (result == PasswordVerificationResult.Failed || user.Disabled)
        {
            return null;
        }

        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            SetPassword(user, password);
        }

        user.LastLoginAt = DateTimeOffset.UtcNow;
        await db.SaveChangesAsync(ct);
        return user;
    }

    public static IEnumerable<(string Field, string Error)> ValidateName(string? userName)
    {
        if (string.IsNullOrWhiteSpace(userName))
        {
            yield return ("UserName", "A user needs a name to sign in with.");
        }
        else if (userName.Trim().Length > MaxNameLength)
        {
            yield return ("UserName", $"The name is longer than {MaxNameLength} characters.");
        }
        else if (userName.Any(char.IsControl))
        {
            yield return ("UserName", "The name may not contain control characters.");
        }
    }

    public static IEnumerable<(string Field, string Error)> ValidatePassword(string? password)
    {
        if (string.IsNullOrEmpty(password) || password.Length < MinPasswordLength)
        {
            yield return ("Password", $"A password has at least {MinPasswordLength} characters.");
        }
        else if (password.Length > MaxPasswordLength)
        {
            yield return ("Password", $"A password has at most {MaxPasswordLength} characters.");
        }
    }

    private static readonly User Placeholder = New("placeholder", NewPassword(), Role.Viewer);
}
