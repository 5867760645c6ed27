using Mediator;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Storage;

namespace OptLib.Library.Access;

public sealed record ListUsers : IRequest<IReadOnlyList<UserDto>>;

/// <summary>The current role of an enabled user, or null: checked on every cookie request, so a change takes effect at once.</summary>
public sealed record GetActiveUser(long Id) : IRequest<UserDto?>;

public sealed class ListUsersHandler(OptLibDbContext db) : IRequestHandler<ListUsers, IReadOnlyList<UserDto>>, IRequestHandler<GetActiveUser, UserDto?>
{
    public async ValueTask<IReadOnlyList<UserDto>> Handle(ListUsers request, CancellationToken cancellationToken)
    {
        var users = await db.Users.AsNoTracking().OrderBy(u => u.Id).ToListAsync(cancellationToken);
        return users.Select(UserDto.From).ToList();
    }

    public async ValueTask<UserDto?> Handle(GetActiveUser request, CancellationToken cancellationToken) =>
        await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == request.Id && !u.Disabled, cancellationToken) is { } user ? UserDto.From(user) : null;
}
