using System.ComponentModel.DataAnnotations;

namespace OptLib.Library.Reads;

/// <summary>How the library's reads are kept in memory (docs/decisions/0016-read-model.md).</summary>
public sealed class ReadModelOptions
{
    public const string Section = "ReadModel";

    /// <summary>
    /// How long a read may rely on the change stamps it last read before it reads them again: a change written by
    /// another process (the worker, raw SQL) is seen within about this long; one written by this process at once.
    /// </summary>
    [Range(0, 60_000)]
    public int CheckMilliseconds { get; set; } = 250;

    /// <summary>
    /// Insights held in memory, each cached insight and each insight of a cached list page counting once; past it, reads
    /// go to the database until the next change.
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxInsights { get; set; } = 20_000;

    /// <summary>False sends every read to the database, for measuring what the read model saves.</summary>
    public bool Enabled { get; set; } = true;
}
