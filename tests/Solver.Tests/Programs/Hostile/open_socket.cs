using System.Net.Sockets;

public sealed class Model : IOptModel
{
    public void Build(IModelContext ctx)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Connect("127.0.0.1", 80);
    }
}
