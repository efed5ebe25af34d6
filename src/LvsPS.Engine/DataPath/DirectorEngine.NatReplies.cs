// DirectorEngine, packet path: LVS-NAT replies. A real server's answer to a NAT connection (on the inside link, or on
// the outside link for one-armed NAT) gets its source RIP:rport turned back into VIP:vport and goes to the client.
// The checksum arithmetic of both NAT rewrites is in Nat.cs; the client-to-server rewrite is in Forwarding.

namespace LvsPS.Engine.DataPath;

internal sealed partial class DirectorEngine
{
    /// <summary>
    /// A frame from a real server (NAT): if it answers one of our NAT connections, its source RIP:rport becomes
    /// VIP:vport again and it goes to the client from the outside link. The callers have checked that there are NAT
    /// connections (<see cref="_replies"/> is not empty).
    /// </summary>
    private void ProcessReply(in Ipv4Packet p, int link)
    {
        if (!p.HasPorts) return;
        var frame = p.Frame; // sent to the director's MAC on that link (ProcessIPv4)
        byte proto = p.Protocol;
        if (!_replies.TryGetValue(new ConnKey(proto, p.Source, p.SourcePort, p.Destination, p.DestinationPort), out var conn)) return;
        if (conn.Dest.Removed || !conn.HasClientMac) { FramesDropped++; return; }

        long now = _clockMs();
        if (proto == Frames.ProtoTcp)
        {
            SetTcpState(conn, p.TcpFlags, TcpDirection.Output, now);
        }
        else if (proto == Frames.ProtoSctp)
        {
            UpdateSctpState(conn, p.L4, TcpDirection.Output, now);
        }
        else
        {
            conn.ExpiresAtMs = now + Timeouts.Udp * 1000L;
            AssureTemplate(conn); // udp_state_transition: a reply (IP_VS_DIR_OUTPUT) assures the template
        }
        SyncAfterPacket(conn, now);
        int total = p.TotalLength;
        var d = conn.Dest;
        d.Statistics.OutPackets++;
        d.Statistics.OutBytes += (ulong)total;
        conn.Service.Statistics.OutPackets++;
        conn.Service.Statistics.OutBytes += (ulong)total;

        Nat.RewriteSource(p.Ip, p.Ihl, proto, conn.Key.VirtualAddress, conn.Key.VirtualPort);
        conn.CopyClientMac(frame);
        _mac.CopyTo(frame.Slice(6, 6));
        _sink.Send(frame.Slice(0, Frames.EthHeader + total));
        FramesForwarded++;
        if (_trace is not null)
            Trace(LvsTrafficAction.ReplyForwarded, proto, conn.Key.ClientAddress, conn.Key.ClientPort, conn.Key.VirtualAddress, conn.Key.VirtualPort,
                conn, TraceDrop.None, total, proto == Frames.ProtoTcp ? p.TcpFlags : (byte)0, LvsTrafficDirection.Out);
    }
}
