using Mediator;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Storage;

namespace OptLib.Library.Access;

public sealed record ListApiKeys : IRequest<IReadOnlyList<ApiKeyDto>>;

public sealed class ListApiKeysHandler(OptLibDbContext db) : IRequestHandler<ListApiKeys, IReadOnlyList<ApiKeyDto>>
{
    public async ValueTask<IReadOnlyList<ApiKeyDto>> Handle(ListApiKeys request, CancellationToken cancellationToken)
    {
        var keys = await db.ApiKeys.AsNoTracking().OrderBy(k => k.Id).ToListAsync(cancellationToken);
        return keys.Select(ApiKeyDto.From).ToList();
    }
}
