// DirectorEngine, packet path: LVS-TUN, the client's packet wrapped in a new IPv4 header to the real server
// (ip_vs_tunnel_xmit), with the MTU check and its ICMP "fragmentation needed".

namespace LvsPS.Engine.DataPath;

internal sealed partial class DirectorEngine
{
    /// <summary>
    /// IP-in-IP (ip_vs_tunnel_xmit): a new outer IPv4 header from the director to the real server, protocol 4,
    /// around the untouched client packet. Too big for the MTU with DF set: ICMP fragmentation needed back to the
    /// client (the kernel's PMTU handling); without DF it is dropped (no fragmentation here).
    /// </summary>
    private void ForwardTunnelled(in Ipv4Packet p, Connection conn)
    {
        var d = conn.Dest;
        int link = conn.Link;
        int total = p.TotalLength;
        int outerTotal = total + 20;
        bool df = p.DontFragment;
        if (outerTotal > Mtu)
        {
            if (df) SendIcmpError(in p, 4, (ushort)(Mtu - 20));
            TooBigDropped++;
            FramesDropped++;
            if (_trace is not null) TraceDropped(in p, conn, TraceDrop.TooBig);
            return;
        }
        var ip = p.Ip;
        var f = _tunnelBuffer.AsSpan(0, Frames.EthHeader + outerTotal);
        d.Mac!.CopyTo(f);
        MacOf(link).CopyTo(f.Slice(6, 6));
        Frames.W16(f, 12, Frames.EtherTypeIPv4);
        var outer = f.Slice(Frames.EthHeader, 20);
        outer.Clear();
        outer[0] = 0x45;
        outer[1] = ip[1];                        // TOS copied
        Frames.W16(outer, 2, (ushort)outerTotal);
        Frames.W16(outer, 4, ++_tunnelId);
        Frames.W16(outer, 6, df ? (ushort)0x4000 : (ushort)0);
        outer[8] = ip[8];                        // TTL copied from the inner header, as ip_vs_tunnel_xmit does
        outer[9] = 4;                            // IPPROTO_IPIP
        Frames.W32(outer, 12, AddressOf(link));
        Frames.W32(outer, 16, d.AddressValue);
        Frames.W16(outer, 10, Checksum(outer));
        ip.Slice(0, total).CopyTo(f.Slice(Frames.EthHeader + 20));
        SinkOf(link).Send(f);
        FramesForwarded++;
        if (_trace is not null)
            Trace(LvsTrafficAction.Forwarded, p.Protocol, p.Source, p.SourcePort, p.Destination, p.DestinationPort, conn, TraceDrop.None,
                total, p.Protocol == Frames.ProtoTcp ? p.TcpFlags : (byte)0, LvsTrafficDirection.In, AddressOf(link), d.AddressValue);
    }
}
