// DirectorEngine, packet path: the ICMP errors the director sends back to a client (destination unreachable: port,
// when no real server is available; fragmentation needed, when a tunnelled packet would exceed the MTU), and the
// Internet checksum.

namespace LvsPS.Engine.DataPath;

internal sealed partial class DirectorEngine
{
    /// <summary>ICMP port unreachable to the client, as ip_vs_leave does when no destination is available.</summary>
    private void SendPortUnreachable(in Ipv4Packet p) => SendIcmpError(in p, 3, 0);

    /// <summary>An ICMP destination-unreachable (code 3 port, code 4 fragmentation needed with the next-hop MTU).</summary>
    private void SendIcmpError(in Ipv4Packet p, byte code, ushort nextHopMtu)
    {
        ReadOnlySpan<byte> frame = p.Frame;
        ReadOnlySpan<byte> ip = p.Ip;
        int quoted = Math.Min(p.TotalLength, p.Ihl + 8);
        int icmpLen = 8 + quoted;
        int len = Frames.EthHeader + 20 + icmpLen;
        var buf = new byte[len];
        var f = buf.AsSpan();
        frame.Slice(6, 6).CopyTo(f);            // back to the sender's MAC
        _mac.CopyTo(f.Slice(6));
        Frames.W16(f, 12, Frames.EtherTypeIPv4);
        var o = f.Slice(Frames.EthHeader);
        o[0] = 0x45;
        Frames.W16(o, 2, (ushort)(20 + icmpLen));
        o[8] = 64;
        o[9] = 1; // ICMP
        Frames.W32(o, 12, p.Destination);    // from the VIP
        Frames.W32(o, 16, p.Source);         // to the client
        Frames.W16(o, 10, Checksum(o.Slice(0, 20)));
        var icmp = o.Slice(20);
        icmp[0] = 3; icmp[1] = code;
        if (code == 4) Frames.W16(icmp, 6, nextHopMtu);
        ip.Slice(0, quoted).CopyTo(icmp.Slice(8));
        Frames.W16(icmp, 2, Checksum(icmp.Slice(0, icmpLen)));
        _sink.Send(f);
        IcmpUnreachableSent++;
    }

    internal static ushort Checksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        int i = 0;
        for (; i + 1 < data.Length; i += 2) sum += (uint)(data[i] << 8 | data[i + 1]);
        if (i < data.Length) sum += (uint)(data[i] << 8);
        while ((sum >> 16) != 0) sum = (sum & 0xffff) + (sum >> 16);
        return (ushort)~sum;
    }
}
