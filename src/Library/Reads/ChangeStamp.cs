namespace OptLib.Library.Reads;

/// <summary>
/// One row per area of data that the <see cref="ReadModel"/> keeps in memory. Only the database writes it: triggers on
/// the area's tables bump the stamp in the same transaction as every statement that changes them, whoever runs it (this
/// process, the worker, an import, raw SQL). A stamp only grows.
/// </summary>
public sealed class ChangeStamp
{
    /// <summary>The library: insights, their taxonomy labels and the taxonomy.</summary>
    public const string Library = "library";

    /// <summary>API keys.</summary>
    public const string Access = "access";

    public required string Area { get; set; }

    public long Stamp { get; set; }
}
