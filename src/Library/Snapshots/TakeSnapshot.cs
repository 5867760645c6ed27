using Mediator;
using OptLib.Library.Storage;
using OptLib.Library.Validation;

namespace OptLib.Library.Snapshots;

/// <summary>Records the exact set of active insight versions now, under a name.</summary>
public sealed record TakeSnapshot(string? Name, string Actor) : IRequest<SnapshotDto>, IValidatable
{
    public IEnumerable<(string Field, string Error)> Validate() => SnapshotRules.ValidateName(Name);
}

public sealed class TakeSnapshotHandler(OptLibDbContext db) : IRequestHandler<TakeSnapshot, SnapshotDto>
{
    public async ValueTask<SnapshotDto> Handle(TakeSnapshot request, CancellationToken cancellationToken) =>
        SnapshotDto.From(await LibrarySnapshots.TakeAsync(db, request.Name!, request.Actor, null, cancellationToken));
}
