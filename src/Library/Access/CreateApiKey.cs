using Mediator;
using OptLib.Library.Audit;
using OptLib.Library.Storage;
using OptLib.Library.Validation;

namespace OptLib.Library.Access;

public sealed record CreateApiKey(string Name, string Role, string Actor) : IRequest<CreatedApiKeyDto>, IValidatable
{
    public IEnumerable<(string Field, string Error)> Validate()
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            yield return (nameof(Name), "A key needs a name that says who or what uses it.");
        }
        else if (Name.Length > 200)
        {
            yield return (nameof(Name), "The name is longer than 200 characters.");
        }

        if (!Roles.TryParse(Role, out _))
        {
            yield return (nameof(Role), "The role must be one of: viewer, analyst, admin.");
        }
    }
}

public sealed class CreateApiKeyHandler(OptLibDbContext db) : IRequestHandler<CreateApiKey, CreatedApiKeyDto>
{
    public async ValueTask<CreatedApiKeyDto> Handle(CreateApiKey request, CancellationToken cancellationToken)
    {
        Roles.TryParse(request.Role, out var role);
        var (key, secret) = await ApiKeys.CreateAsync(db, request.Name.Trim(), role, request.Actor, cancellationToken);
        await AuditLog.WriteAsync(db, request.Actor, "create", "api_key", key.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            new { key.Name, Role = role.Name() }, cancellationToken);
        return new CreatedApiKeyDto(ApiKeyDto.From(key), secret);
    }
}
