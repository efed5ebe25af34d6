using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace LvsPS.Engine.IO;

/// <summary>
/// VRRP's sockets: raw IPv4 sockets of protocol 112 bound to lvsd's interface, as keepalived uses. Raw sockets
/// rather than the capture link because the kernel then does what a VRRP router must: joins 224.0.0.18 on the
/// interface (so the switch and the NIC deliver it), builds the IP header (TTL 255, TOS 0xc0, the source address)
/// and the Ethernet header (01:00:5e:00:00:12 for the group, ARP for a unicast peer), and delivers unicast adverts
/// to the interface's address. The adverts never touch the packet path, its BPF filter or its lock.
/// One receive socket per interface; one send socket per advert source address.
/// </summary>
internal sealed class VrrpSocket : IDisposable
{
    private const int SolSocket = 1, SoBindToDevice = 25;
    private readonly Socket _socket;

    private VrrpSocket(Socket socket) => _socket = socket;

    /// <summary>The receiving socket: every VRRP packet on the interface, multicast to 224.0.0.18 or unicast to us.</summary>
    public static VrrpSocket OpenReceiver(string interfaceName)
    {
        var s = NewRaw(interfaceName);
        try
        {
            int index = InterfaceIndex(interfaceName);
            s.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership,
                new MulticastOption(VrrpPacket.ToAddress(VrrpPacket.MulticastGroup), index));
            s.ReceiveBufferSize = 1 << 20;
            return new VrrpSocket(s);
        }
        catch { s.Dispose(); throw; }
    }

    /// <summary>A sending socket with the advert's source address; multicast leaves on the interface, never looped back.</summary>
    public static VrrpSocket OpenSender(string interfaceName, IPAddress source)
    {
        var s = NewRaw(interfaceName);
        try
        {
            s.Bind(new IPEndPoint(source, 0));
            s.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, source.GetAddressBytes());
            s.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, VrrpPacket.Ttl);
            s.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.IpTimeToLive, VrrpPacket.Ttl);
            s.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback, false);
            s.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.TypeOfService, 0xc0); // internetwork control, as keepalived
            return new VrrpSocket(s);
        }
        catch { s.Dispose(); throw; }
    }

    private static Socket NewRaw(string interfaceName)
    {
        // .NET's Socket maps only the protocols it knows; socket(2) itself makes the raw VRRP socket.
        int fd = socket(2 /* AF_INET */, 3 /* SOCK_RAW */ | 0x80000 /* SOCK_CLOEXEC */, VrrpPacket.Protocol);
        if (fd < 0) throw new SocketException(Marshal.GetLastPInvokeError());
        var s = new Socket(new SafeSocketHandle(fd, ownsHandle: true));
        try
        {
            s.SetRawSocketOption(SolSocket, SoBindToDevice, Encoding.ASCII.GetBytes(interfaceName + "\0"));
            return s;
        }
        catch { s.Dispose(); throw; }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int socket(int domain, int type, int protocol);

    private static int InterfaceIndex(string name) => int.Parse(File.ReadAllText($"/sys/class/net/{name}/ifindex").Trim());

    public void Send(ReadOnlySpan<byte> message, uint destination) =>
        _socket.SendTo(message, SocketFlags.None, new IPEndPoint(VrrpPacket.ToAddress(destination), 0));

    /// <summary>Waits up to <paramref name="timeoutMs"/> for a packet; its length (IP header included) or 0.</summary>
    public int Receive(byte[] buffer, int timeoutMs)
    {
        if (!_socket.Poll(Math.Max(0, timeoutMs) * 1000, SelectMode.SelectRead)) return 0;
        return _socket.Receive(buffer);
    }

    public void Dispose() => _socket.Dispose();
}
