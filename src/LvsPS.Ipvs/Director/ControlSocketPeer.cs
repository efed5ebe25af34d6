using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace LvsPS.Ipvs.Director;

/// <summary>Who is at the other end of a control socket: both ends check it (lvsd its client, the client lvsd).</summary>
public static class ControlSocketPeer
{
    /// <summary>The peer's pid and uid (SO_PEERCRED's struct ucred { pid; uid; gid }); (-1, -1) when unknown.</summary>
    public static (int Pid, int Uid) Credentials(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        Span<byte> cred = stackalloc byte[12];
        const int SOL_SOCKET = 1, SO_PEERCRED = 17;
        int n = socket.GetRawSocketOption(SOL_SOCKET, SO_PEERCRED, cred);
        if (n < 12) return (-1, -1);
        return (MemoryMarshal.Read<int>(cred), MemoryMarshal.Read<int>(cred.Slice(4, 4)));
    }
}
