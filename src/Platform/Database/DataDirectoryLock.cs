using OptLib.Platform.Hosting;

namespace OptLib.Platform.Database;

/// <summary>
/// An exclusive lock on a data folder, so that two OptLib instances never open the same embedded database files.
/// On Linux and macOS .NET takes an advisory flock for FileShare.None, which the kernel drops when the process dies,
/// so a crash never leaves a stale lock behind.
/// </summary>
public sealed class DataDirectoryLock : IDisposable
{
    private const string LockFileName = "optlib.lock";
    private const string OwnerFileName = "optlib.pid";
    private readonly FileStream _lock;

    private DataDirectoryLock(FileStream @lock) => _lock = @lock;

    public static DataDirectoryLock Acquire(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var lockPath = Path.Combine(dataDirectory, LockFileName);
        var ownerPath = Path.Combine(dataDirectory, OwnerFileName);
        try
        {
            var stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            File.WriteAllText(ownerPath, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return new DataDirectoryLock(stream);
        }
        catch (IOException)
        {
            var owner = File.Exists(ownerPath) ? File.ReadAllText(ownerPath).Trim() : "unknown";
            throw new StartupException(
                $"The data folder '{dataDirectory}' is in use by another running OptLib instance (pid {owner}). " +
                "Stop that instance, or point this one at another folder with OptLib:DataDirectory.");
        }
    }

    public void Dispose() => _lock.Dispose();
}
