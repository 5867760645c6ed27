using System.Globalization;
using Mediator;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Audit;
using OptLib.Library.Storage;
using OptLib.Library.Validation;

namespace OptLib.Library.Access;

/// <summary>Adds a person who signs in to the admin UI with a role.</summary>
public sealed record CreateUser(string UserName, string Password, string Role, string Actor) : IRequest<UserDto>, IValidatable
{
    public IEnumerable<(string Field, string Error)> Validate()
    {
        foreach (var error in Users.ValidateName(UserName).Concat(Users.ValidatePassword(Password)))
        {
            yield return error;
        }

        if (!Roles.TryParse(Role, out _))
        {
            yield return (nameof(Role), "The role must be one of: viewer, analyst, admin.");
        }
    }
}

public sealed class CreateUserHandler(OptLibDbContext db) : IRequestHandler<CreateUser, UserDto>
{
    public async ValueTask<UserDto> Handle(CreateUser request, CancellationToken cancellationToken)
    {
        Roles.TryParse(request.Role, out var role);
        var normalized = Users.Normalize(request.UserName);
        var taken = new ConflictException("The user already exists.", $"There is already a user named '{request.UserName.Trim()}' (names ignore case).");
        if (await db.Users.AnyAsync(u => u.NormalizedUserName == normalized, cancellationToken))
        {
            throw taken;
        }

        var user = Users.New(request.UserName, request.Password, role);
        db.Users.Add(user);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (UniqueKeys.Refused(ex, "ix_users_normalized_user_name"))
        {
            throw taken; // another admin added the same name in between
        }

        await AuditLog.WriteAsync(db, request.Actor, "create", "user", user.Id.ToString(CultureInfo.InvariantCulture),
            new { user.UserName, Role = role.Name() }, cancellationToken);
        return UserDto.From(user);
    }
}
