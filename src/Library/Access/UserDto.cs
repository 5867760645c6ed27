namespace OptLib.Library.Access;

public sealed record UserDto(long Id, string UserName, string Role, bool Disabled, DateTimeOffset CreatedAt, DateTimeOffset? LastLoginAt)
{
    public static UserDto From(User u) => new(u.Id, u.UserName, u.Role.Name(), u.Disabled, u.CreatedAt, u.LastLoginAt);
}
