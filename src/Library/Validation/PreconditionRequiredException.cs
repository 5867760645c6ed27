namespace OptLib.Library.Validation;

/// <summary>
/// A change to versioned state came without the version it was made against, so it could silently overwrite someone
/// else's change: a 428 ProblemDetails that names how to send it (RFC 6585).
/// </summary>
public sealed class PreconditionRequiredException(string detail) : Exception(detail);
