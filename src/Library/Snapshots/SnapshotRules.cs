namespace OptLib.Library.Snapshots;

public static class SnapshotRules
{
    public const int MaxName = 200;

    public static IEnumerable<(string Field, string Error)> ValidateName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            yield return ("name", "Name the snapshot, for example \"before the March evolution\".");
        }
        else if (name.Trim().Length > MaxName)
        {
            yield return ("name", $"The name is at most {MaxName} characters.");
        }
    }
}

/// <summary>There is no snapshot with the id a job's parameters or a retrieval named.</summary>
public sealed class SnapshotNotFoundException(long id) : Exception($"There is no library snapshot {id}.")
{
    public long Id { get; } = id;
}
