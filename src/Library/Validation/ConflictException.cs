namespace OptLib.Library.Validation;

/// <summary>
/// The request is valid but collides with the current state (a stale version, a label that already exists): a 409
/// ProblemDetails carrying <see cref="Extensions"/> such as the current version, so the client can retry knowingly.
/// </summary>
public sealed class ConflictException(string title, string detail, IReadOnlyDictionary<string, object?>? extensions = null) : Exception(detail)
{
    public string Title { get; } = title;

    public IReadOnlyDictionary<string, object?> Extensions { get; } = extensions ?? new Dictionary<string, object?>();
}
