namespace OptLib.Library.Access;

/// <summary>What a caller may do: viewers read, analysts also edit the library and start jobs, admins also manage access.</summary>
public enum Role
{
    Viewer,
    Analyst,
    Admin,
}

public static class Roles
{
    public const string Viewer = "viewer";
    public const string Analyst = "analyst";
    public const string Admin = "admin";

    public static string Name(this Role role) => role.ToString().ToLowerInvariant();

    public static bool TryParse(string? value, out Role role) =>
        Enum.TryParse(value?.Trim(), ignoreCase: true, out role) && Enum.IsDefined(role);

    /// <summary>The role names that include <paramref name="role"/>'s rights, for role-based authorization.</summary>
    public static string[] AtLeast(Role role) =>
        Enum.GetValues<Role>().Where(r => r >= role).Select(Name).ToArray();
}
