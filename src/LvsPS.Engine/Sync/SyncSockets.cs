using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace LvsPS.Engine.Sync;

/// <summary>The interface a sync daemon uses: its index, first IPv4 address and MTU (in lvsd's network namespace).</summary>
internal sealed record SyncInterface(string Name, int Index, IPAddress? Address, int Mtu)
{
    public static SyncInterface Find(string name)
    {
        var nic = NetworkInterface.GetAllNetworkInterfaces().FirstOrDefault(n => n.Name == name)
            ?? throw new LvsException(LvsErrorIds.InterfaceNotAvailable, LvsErrorKind.ObjectNotFound,
                $"The sync daemon's interface '{name}' does not exist here.", name);
        var props = nic.GetIPProperties();
        var v4 = props.GetIPv4Properties();
        var addr = props.UnicastAddresses.Select(u => u.Address).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork);
        return new SyncInterface(name, v4.Index, addr, v4.Mtu > 0 ? v4.Mtu : 1500);
    }
}

/// <summary>The socket options of make_send_sock and make_receive_sock.</summary>
internal static class SyncSockets
{
    private const int SolSocket = 1, SoBindToDevice = 25;

    /// <summary>True for 224.0.0.0/4.</summary>
    public static bool IsMulticast(IPAddress a) => a.AddressFamily == AddressFamily.InterNetwork && (a.GetAddressBytes()[0] & 0xf0) == 0xe0;

    /// <summary>
    /// The master's socket (make_send_sock): bound to the interface's address, multicast out of that interface with the
    /// TTL, no loopback of its own messages, connected to group:port.
    /// </summary>
    public static Socket OpenSender(SyncDaemonSpec spec, SyncInterface nic)
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (nic.Address is { } a)
            {
                s.Bind(new IPEndPoint(a, 0));
                s.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, a.GetAddressBytes());
            }
            else
            {
                BindToDevice(s, nic.Name);
            }
            s.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, spec.Ttl);
            s.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback, false);
            s.DontFragment = false; // IP_PMTUDISC_DONT: fragmented if the path MTU shrinks
            s.Connect(new IPEndPoint(spec.Group, spec.Port));
            return s;
        }
        catch
        {
            s.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The backup's socket (make_receive_sock): address reuse, bound to the interface (SO_BINDTODEVICE) and to
    /// group:port, the group joined on that interface; a unicast group is the address the backup receives on.
    /// </summary>
    public static Socket OpenReceiver(SyncDaemonSpec spec, SyncInterface nic)
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            BindToDevice(s, nic.Name);
            s.ReceiveBufferSize = 1 << 20;
            s.Bind(new IPEndPoint(spec.Group, spec.Port));
            if (IsMulticast(spec.Group))
                s.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(spec.Group, nic.Index));
            s.ReceiveTimeout = 250;
            return s;
        }
        catch
        {
            s.Dispose();
            throw;
        }
    }

    private static void BindToDevice(Socket s, string name)
    {
        var bytes = new byte[name.Length + 1];
        System.Text.Encoding.ASCII.GetBytes(name, bytes);
        s.SetRawSocketOption(SolSocket, SoBindToDevice, bytes);
    }
}
