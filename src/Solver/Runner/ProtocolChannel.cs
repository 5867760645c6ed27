using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Win32.SafeHandles;

namespace OptLib.Solver.Runner;

/// <summary>
/// The runner's answer channel. The original stdout is duplicated for the protocol and fd 1 is pointed at stderr,
/// so nothing a solver's native code prints can corrupt an answer.
/// </summary>
internal sealed partial class ProtocolChannel : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private readonly Stream _stream;

    private ProtocolChannel(Stream stream) => _stream = stream;

    public static ProtocolChannel Open()
    {
        Console.Out.Flush();
        var protocolFd = Dup(1);
        if (protocolFd < 0 || Dup2(2, 1) < 0)
            throw new InvalidOperationException($"could not set up the protocol channel (errno {Marshal.GetLastPInvokeError()})");
        return new ProtocolChannel(new FileStream(new SafeFileHandle(protocolFd, ownsHandle: true), FileAccess.Write, 1));
    }

    public void Send<T>(T message)
    {
        var bytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(message, Json) + "\n");
        _stream.Write(bytes);
        _stream.Flush();
    }

    public void Dispose() => _stream.Dispose();

    [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static partial int Dup(int fd);

    [LibraryImport("libc", EntryPoint = "dup2", SetLastError = true)]
    private static partial int Dup2(int fd, int target);
}
