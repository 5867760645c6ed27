using System.Text.Json;
using Mediator;
using Microsoft.EntityFrameworkCore;
using OptLib.Library.Storage;

namespace OptLib.Library.Insights;

/// <summary>An insight's history, oldest first; null when there is no such insight.</summary>
public sealed record ListInsightVersions(long Id) : IRequest<IReadOnlyList<InsightVersionDto>?>;

public sealed class ListInsightVersionsHandler(OptLibDbContext db) : IRequestHandler<ListInsightVersions, IReadOnlyList<InsightVersionDto>?>
{
    public async ValueTask<IReadOnlyList<InsightVersionDto>?> Handle(ListInsightVersions request, CancellationToken cancellationToken)
    {
        if (!await db.Insights.AnyAsync(i => i.Id == request.Id, cancellationToken))
        {
            return null;
        }

        var versions = await db.InsightVersions.AsNoTracking().Where(v => v.InsightId == request.Id).OrderBy(v => v.Version).ToListAsync(cancellationToken);
        return versions.Select(v => new InsightVersionDto(v.Version, v.Actor, v.Reason, v.CreatedAt,
            v.Snapshot.Deserialize<InsightSnapshot>(InsightHistory.SnapshotJson)!)).ToList();
    }
}
