namespace OptLib.Library.Access;

/// <summary>A person who signs in to the admin UI. Only a salted password hash is stored.</summary>
public sealed class User
{
    public long Id { get; set; }

    public required string UserName { get; set; }

    public required string NormalizedUserName { get; set; }

    public required string PasswordHash { get; set; }

    public Role Role { get; set; }

    public bool Disabled { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? LastLoginAt { get; set; }
}
