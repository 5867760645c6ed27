using Mediator;
using OptLib.Library.Storage;

namespace OptLib.Library.Access;

/// <summary>Checks a user name and password; the user when they match an enabled account, otherwise null.</summary>
public sealed record SignInUser(string? UserName, string? Password) : IRequest<UserDto?>;

public sealed class SignInUserHandler(OptLibDbContext db) : IRequestHandler<SignInUser, UserDto?>
{
    public async ValueTask<UserDto?> Handle(SignInUser request, CancellationToken cancellationToken) =>
        await Users.VerifyAsync(db, request.UserName, request.Password, cancellationToken) is { } user ? UserDto.From(user) : null;
}
