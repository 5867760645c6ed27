using System.Globalization;
using Mediator;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Audit;
using OptLib.Library.Storage;
using OptLib.Library.Validation;

namespace OptLib.Library.Access;

/// <summary>
/// Changes a user's role, enables or disables them, or sets a new password (when one is given). The last enabled
/// admin cannot be demoted or disabled, so nobody locks the service out of its own admin UI.
/// </summary>
public sealed record UpdateUser(long Id, string Role, bool Disabled, string? NewPassword, string Actor) : IRequest<UserDto?>, IValidatable
{
    public IEnumerable<(string Field, string Error)> Validate()
    {
        if (!Roles.TryParse(Role, out _))
        {
            yield return (nameof(Role), "The role must be one of: viewer, analyst, admin.");
        }

        if (!string.IsNullOrEmpty(NewPassword))
        {
            foreach (var error in Users.ValidatePassword(NewPassword))
            {
                yield return (nameof(NewPassword), error.Error);
            }
        }
    }
}

public sealed class UpdateUserHandler(OptLibDbContext db) : IRequestHandler<UpdateUser, UserDto?>
{
    /// <returns>null when there is no such user.</returns>
    public async ValueTask<UserDto?> Handle(UpdateUser request, CancellationToken cancellationToken)
    {
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == request.Id, cancellationToken);
        if (user is null)
        {
            return null;
        }

        Roles.TryParse(request.Role, out var role);
        var losesAdmin = user.Role == Role.Admin && !user.Disabled && (role != Role.Admin || request.Disabled);
        if (losesAdmin && !await db.Users.AnyAsync(u => u.Id != user.Id && u.Role == Role.Admin && !u.Disabled, cancellationToken))
        {
            throw new ConflictException("The last admin stays an admin.", $"'{user.UserName}' is the only enabled admin; make another admin first.");
        }

        var before = new { Role = user.Role.Name(), user.Disabled };
        user.Role = role;
        user.Disabled = request.Disabled;
        var passwordChanged = !string.IsNullOrEmpty(request.NewPassword);
        if (passwordChanged)
        {
            Users.SetPassword(user, request.NewPassword!);
        }

        await db.SaveChangesAsync(cancellationToken);
        await AuditLog.WriteAsync(db, request.Actor, "update", "user", user.Id.ToString(CultureInfo.InvariantCulture),
            new { user.UserName, Before = before, After = new { Role = role.Name(), user.Disabled }, PasswordChanged = passwordChanged }, cancellationToken);
        return UserDto.From(user);
    }
}
