// DirectorEngine, packet path: a client's packet to a virtual service (ip_vs_in). Is it for a VIP or a mark rule,
// which service, which connection (new ones are scheduled, see Connections), then out by direct routing or NAT
// (destination rewrite); IP-in-IP is in Tunnel, the ICMP errors in Icmp, the real servers' NAT replies in NatReplies.

namespace LvsPS.Engine.DataPath;

internal sealed partial class DirectorEngine
{
    private bool IsVip(uint a)
    {
        var v = _vips;
        for (int i = 0; i < v.Length; i++) if (v[i] == a) return true;
        var r = _rules;
        for (int i = 0; i < r.Length; i++) if ((a & r[i].Mask) == r[i].Net) return true;
        return false;
    }

    /// <summary>A compiled firewall-mark rule.</summary>
    private readonly struct MarkRule
    {
        public readonly uint Mark, Net, Mask;
        public readonly byte Protocol; // 0 = TCP and UDP (an SCTP rule names Sctp)
        public readonly ushort PortFrom, PortTo;

        public MarkRule(MarkRuleSpec s)
        {
            Mark = s.Mark;
            Mask = s.PrefixLength == 0 ? 0 : uint.MaxValue << (32 - s.PrefixLength);
            Net = Frames.ToUInt32(s.Address) & Mask;
            Protocol = s.Protocol is null ? (byte)0 : (byte)s.Protocol.Value;
            PortFrom = s.PortFrom;
            PortTo = s.PortFrom == 0 && s.PortTo == 0 ? ushort.MaxValue : s.PortTo;
        }

        public bool Matches(byte proto, uint daddr, ushort dport) =>
            (daddr & Mask) == Net && (Protocol == 0 ? proto is Frames.ProtoTcp or Frames.ProtoUdp : Protocol == proto)
            && dport >= PortFrom && dport <= PortTo;
    }

    /// <summary>The first rule that marks the packet, as the iptables rules a kernel director would have; 0 = none.</summary>
    private uint MatchMark(byte proto, uint daddr, ushort dport)
    {
        var r = _rules;
        for (int i = 0; i < r.Length; i++) if (r[i].Matches(proto, daddr, dport)) return r[i].Mark;
        return 0;
    }

    /// <summary>
    /// A client's packet on the outside link (ip_vs_in): to a virtual service, matched to its connection or scheduled,
    /// then sent on by direct routing (MACs rewritten), NAT (destination rewritten) or IP-in-IP. A packet not to a
    /// VIP may be a one-armed NAT real server's reply.
    /// </summary>
    private void ForwardIPv4(in Ipv4Packet p)
    {
        uint daddr = p.Destination;
        if (!IsVip(daddr))
        {
            // Not to a VIP: on a one-armed NAT director, a real server's reply comes back on this link.
            if (_replies.Count > 0) ProcessReply(in p, 0);
            return;
        }
        // A VIP of a VRRP instance that is backup here: the master forwards it (DirectorEngine.VrrpGate.cs).
        if (VrrpSilent(daddr)) { CountDrop(DropReason.VrrpBackup); if (_trace is not null) TraceDropped(in p, null, (byte)DropReason.VrrpBackup); return; }
        var frame = p.Frame; // sent to the director's MAC, its header and source checked (ProcessIPv4)

        byte proto = p.Protocol;
        if (!Ipv4Packet.IsTransport(proto)) { CountDrop(DropReason.NotTransport); if (_trace is not null) TraceDropped(in p, null, (byte)DropReason.NotTransport); return; }
        if (p.IsFragment) { CountDrop(DropReason.Fragment); if (_trace is not null) TraceDropped(in p, null, (byte)DropReason.Fragment); return; } // the kernel defragments first; not handled yet
        if (!p.HasPorts) { CountDrop(DropReason.Truncated); if (_trace is not null) TraceDropped(in p, null, (byte)DropReason.Truncated); return; }  // shorter than the transport header the engine reads
        uint saddr = p.Source;
        ushort sport = p.SourcePort;
        ushort dport = p.DestinationPort;

        // A firewall-mark service wins over an address service, as ip_vs_service_find tries the mark first; then the
        // service of the packet's own port, then the VIP's port-zero service (the kernel's catch-all, nullsvc_counter).
        ServiceRuntime? svc = null;
        if (_rules.Length > 0)
        {
            uint mark = MatchMark(proto, daddr, dport);
            if (mark != 0) _services.TryGetValue(ServiceRuntime.MarkKey(mark), out svc);
        }
        if (svc is null && !_services.TryGetValue(ServiceRuntime.MakeKey(proto, daddr, dport), out svc)
            && !(_portZeroServices > 0 && _services.TryGetValue(ServiceRuntime.MakeKey(proto, daddr, 0), out svc)))
        {
            FramesDropped++;
            if (_trace is not null) TraceDropped(in p, null, TraceDrop.NoService);
            return;
        }

        byte flags = p.TcpFlags;
        var key = new ConnKey(proto, saddr, sport, daddr, dport);
        long now = _clockMs();
        var conn = _connections.Find(key);

        if (conn is not null && proto == Frames.ProtoTcp && IsNewTcpConnection(flags)
            && (conn.State == LvsConnectionState.TimeWait || conn.State == LvsConnectionState.Close))
        {
            // conn_reuse_mode: a new SYN on a finished entry is scheduled afresh.
            _connections.Remove(conn);
            Release(conn);
            conn = null;
        }
        else if (conn is not null && proto == Frames.ProtoSctp && IsSctpInit(p.L4)
            && conn.State == LvsConnectionState.SctpClosed && conn.Control is null)
        {
            // is_new_conn_expected: an INIT on a CLOSED entry (not controlled by a template) is scheduled afresh.
            _connections.Remove(conn);
            Release(conn);
            conn = null;
        }

        if (conn is not null && conn.Dest.Removed)
        {
            // expire_nodest_conn=0: the destination is gone; drop without touching the entry, which times out.
            FramesDropped++;
            if (_trace is not null) TraceDropped(in p, conn, TraceDrop.DestinationRemoved);
            return;
        }

        bool sloppy = false;
        if (conn is null && proto == Frames.ProtoTcp && !IsNewTcpConnection(flags))
        {
            // Only a SYN creates a connection, but with sloppy_tcp or on an mh service any packet but a RST does
            // (Sloppy). Otherwise, after a restart, a flow the table forgot: see Restart.
            if (SchedulesNonSyn(svc, flags)) sloppy = true;
            else
            {
                conn = now < _restartGraceUntilMs ? UnknownTcpFlow(in p, svc, key, flags, now) : null;
                if (conn is null) { FramesDropped++; if (_trace is not null) TraceDropped(in p, null, TraceDrop.NotNewConnection); return; }
            }
        }
        if (conn is null)
        {
            // sctp_conn_schedule (sloppy_sctp=0): only an INIT chunk creates a connection.
            if (proto == Frames.ProtoSctp && !IsSctpInit(p.L4)) { FramesDropped++; if (_trace is not null) TraceDropped(in p, null, TraceDrop.NotNewConnection); return; }
            // The defence (drop_packet) and the table's hard limit come before the scheduler.
            if (!AdmitNewConnection(in key, svc.PersistentTimeout != 0, now)) { FramesDropped++; if (_trace is not null) TraceDropped(in p, null, TraceDrop.Refused); return; }
            conn = svc.PersistentTimeout != 0
                ? NewPersistentConnection(svc, key, new SchedulingContext(saddr, sport, daddr, dport, now), now)
                : NewConnection(svc, key, svc.Scheduler.Schedule(svc.Destinations, new SchedulingContext(saddr, sport, daddr, dport, now)), null);
            if (conn is null)
            {
                if (_trace is not null) Trace(LvsTrafficAction.PortUnreachable, proto, saddr, sport, daddr, dport, null, TraceDrop.None, p.TotalLength, flags);
                SendPortUnreachable(in p);
                FramesDropped++;
                return;
            }
            if (sloppy) SloppyConnections++;
        }

        var d = conn.Dest;
        bool nat = conn.Forwarding == LvsForwarding.Masq;
        // Update state and the active/inactive counters as ip_vs_set_state does.
        if (proto == Frames.ProtoTcp)
        {
            // DR sees only the client's side (INPUT-ONLY table); NAT sees both directions (INPUT table here).
            SetTcpState(conn, flags, nat ? TcpDirection.Input : TcpDirection.InputOnly, now);
        }
        else if (proto == Frames.ProtoSctp)
        {
            // Same directions as TCP: DR and TUN connections have NOOUTPUT (INPUT-ONLY), NAT ones INPUT.
            UpdateSctpState(conn, p.L4, nat ? TcpDirection.Input : TcpDirection.InputOnly, now);
        }
        else
        {
            conn.ExpiresAtMs = now + Timeouts.Udp * 1000L;
        }
        int total = p.TotalLength;
        conn.Packets++;
        SyncAfterPacket(conn, now); // connection sync: new, a state change or a refresh due (DirectorEngine.SyncTable.cs)
        d.Statistics.InPackets++;
        d.Statistics.InBytes += (ulong)total;
        svc.Statistics.InPackets++;
        svc.Statistics.InBytes += (ulong)total;

        if (d.Mac is null) { FramesDropped++; if (_trace is not null) TraceDropped(in p, conn, TraceDrop.MacUnresolved); return; }

        if (nat)
        {
            // Masquerading: destination VIP:vport becomes RIP:rport, checksums adjusted; replies come back through us.
            if (!conn.HasClientMac) conn.SetClientMac(frame.Slice(6, 6));
            if (!conn.InReplyIndex)
            {
                _replies[new ConnKey(proto, d.AddressValue, conn.RealPort, saddr, sport)] = conn;
                conn.InReplyIndex = true;
            }
            Nat.RewriteDestination(p.Ip, p.Ihl, proto, d.AddressValue, conn.RealPort);
        }
        else if (conn.Forwarding == LvsForwarding.Tunnel)
        {
            ForwardTunnelled(in p, conn);
            return;
        }
        // Only the Ethernet header changes for direct routing.
        d.Mac.CopyTo(frame);
        MacOf(conn.Link).CopyTo(frame.Slice(6, 6));
        SinkOf(conn.Link).Send(frame.Slice(0, Frames.EthHeader + total));
        FramesForwarded++;
        // The one test the established path pays while no trace runs (DirectorEngine.Trace.cs).
        if (_trace is not null) Trace(LvsTrafficAction.Forwarded, proto, saddr, sport, daddr, dport, conn, TraceDrop.None, total, flags);
    }

    private static bool IsNewTcpConnection(byte flags) => (flags & Frames.Syn) != 0 && (flags & (Frames.Rst | Frames.Ack | Frames.Fin)) == 0;

    /// <summary>is_new_conn for SCTP: the first chunk is an INIT.</summary>
    private static bool IsSctpInit(ReadOnlySpan<byte> sctp) =>
        SctpStateTable.TryGetFirstChunkType(sctp, out var t) && t == SctpStateTable.ChunkInit;
}
