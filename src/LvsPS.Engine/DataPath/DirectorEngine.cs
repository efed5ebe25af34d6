using System.Net;
using System.Net.Sockets;
using LvsPS.Ipvs.Connections;
using LvsPS.Ipvs.Director;
using LvsPS.Ipvs.Model;
using LvsPS.Ipvs.Scheduling;

using LvsPS.Ipvs.Specs;

namespace LvsPS.Engine.DataPath;

/// <summary>Where the engine sends frames. The pcap device in production, a recorder in tests and benchmarks.</summary>
internal interface IFrameSink
{
    void Send(ReadOnlySpan<byte> frame);
}

/// <summary>
/// The forwarding engine: a user-space IPVS director for one Ethernet interface. It owns the virtual
/// addresses (answers ARP for them), schedules new connections to real servers with the IPVS
/// schedulers, tracks connections with the IPVS TCP state machine and forwards frames by Direct
/// Routing (destination MAC := real server, source MAC := director). Nothing here knows about pcap or
/// PowerShell: frames come in through <see cref="ProcessFrame"/>, go out through an <see cref="IFrameSink"/>.
/// All public members are serialised with <see cref="Sync"/>.
/// </summary>
internal sealed partial class DirectorEngine : IDirector
{
    private readonly IFrameSink _sink;
    private readonly Func<long> _clockMs;
    private readonly Dictionary<ulong, ServiceRuntime> _services = new();
    private readonly List<ServiceRuntime> _serviceOrder = new();
    private readonly ConnectionTable _connections;
    private readonly byte[] _mac;
    private readonly byte[] _scratch = new byte[128];
    private uint[] _vips = Array.Empty<uint>();
    private readonly Dictionary<uint, int> _garpPending = new();
    private long _nextArpRefreshMs;
    private long _nextEstimateMs;
    /// <summary>One rate estimator per statistics block (service or real server), by reference.</summary>
    private readonly Dictionary<LvsStatistics, RateEstimator> _estimators = new(ReferenceEqualityComparer.Instance);

    private RateEstimator EstimatorOf(LvsStatistics s)
    {
        if (!_estimators.TryGetValue(s, out var e)) _estimators[s] = e = new RateEstimator();
        return e;
    }

    /// <summary>The optional inside link (LVS-NAT real servers on an internal network).</summary>
    private IFrameSink? _insideSink;
    private byte[]? _insideMac;
    /// <summary>NAT entries by their reply direction: (proto, real server addr:port, client addr:port).</summary>
    private readonly Dictionary<ConnKey, Connection> _replies = new();

    public uint InsideAddress { get; private set; }
    public bool HasInsideLink => _insideSink is not null;

    /// <summary>Adds the inside link: NAT real servers are reached (and answer) through it.</summary>
    public void AttachInsideLink(byte[] mac, uint address, IFrameSink sink)
    {
        if (mac.Length != 6) throw new ArgumentException("A MAC address has 6 bytes.", nameof(mac));
        lock (Sync)
        {
            _insideMac = mac;
            InsideAddress = address;
            _insideSink = sink;
        }
    }

    public DirectorEngine(string name, byte[] mac, uint interfaceAddress, IFrameSink sink, int tableBits = 12, Func<long>? clockMs = null)
    {
        if (mac.Length != 6) throw new ArgumentException("A MAC address has 6 bytes.", nameof(mac));
        Name = name;
        _mac = mac;
        InterfaceAddress = interfaceAddress;
        _sink = sink;
        _clockMs = clockMs ?? (() => Environment.TickCount64);
        _connections = new ConnectionTable(tableBits);
    }

    public object Sync { get; } = new();
    public string Name { get; }
    public uint InterfaceAddress { get; }
    public ReadOnlySpan<byte> Mac => _mac;
    public LvsTimeouts Timeouts { get; } = new();
    public int TableSize => _connections.Size;
    public int ConnectionCount => _connections.Count;
    public int ServiceCount => _serviceOrder.Count;
    public IReadOnlyList<uint> VirtualAddresses => _vips;

    public ulong FramesReceived;
    public ulong FramesForwarded;
    public ulong FramesDropped;
    public ulong ArpRepliesSent;
    public ulong IcmpUnreachableSent;

    /// <summary>
    /// Raised (under the lock) when the capture filter must change: the virtual addresses, and the real servers whose
    /// NAT replies come back on the outside link (one-armed NAT).
    /// </summary>
    public event Action<IReadOnlyList<uint>, IReadOnlyList<uint>>? VirtualAddressesChanged;

    // ------------------------------------------------------------------ data path

    /// <summary>Handles one received Ethernet frame; the frame may be rewritten in place and re-sent.</summary>
    public void ProcessFrame(Span<byte> frame) => ProcessFrame(frame, 0);

    /// <summary>Handles a frame received on link <paramref name="link"/> (0 outside, 1 inside).</summary>
    public void ProcessFrame(Span<byte> frame, int link)
    {
        lock (Sync)
        {
            FramesReceived++;
            if (frame.Length < Frames.EthHeader) { FramesDropped++; return; }
            ushort type = Frames.U16(frame, 12);
            if (type == Frames.EtherTypeIPv4)
            {
                if (link == 0) ProcessIPv4(frame);
                else ProcessReply(frame, link);
            }
            else if (type == Frames.EtherTypeArp) ProcessArp(frame, link);
        }
    }

    private IFrameSink SinkOf(int link) => link == 1 && _insideSink is not null ? _insideSink : _sink;
    private byte[] MacOf(int link) => link == 1 && _insideMac is not null ? _insideMac : _mac;
    private uint AddressOf(int link) => link == 1 && _insideSink is not null ? InsideAddress : InterfaceAddress;

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

    private MarkRule[] _rules = Array.Empty<MarkRule>();
    private readonly List<MarkRuleSpec> _ruleSpecs = new();

    /// <summary>Rule networks wider than /32, which the capture filter must admit as "dst net".</summary>
    public IReadOnlyList<(uint Net, int PrefixLength)> MarkRuleNets =>
        _ruleSpecs.Where(r => r.PrefixLength < 32).Select(r => (Frames.ToUInt32(r.Address) & (r.PrefixLength == 0 ? 0u : uint.MaxValue << (32 - r.PrefixLength)), r.PrefixLength)).Distinct().ToList();

    /// <summary>The first rule that marks the packet, as the iptables rules a kernel director would have; 0 = none.</summary>
    private uint MatchMark(byte proto, uint daddr, ushort dport)
    {
        var r = _rules;
        for (int i = 0; i < r.Length; i++) if (r[i].Matches(proto, daddr, dport)) return r[i].Mark;
        return 0;
    }

    private void ProcessArp(Span<byte> frame, int link)
    {
        if (frame.Length < Frames.EthHeader + Frames.ArpLength) return;
        var a = frame.Slice(Frames.EthHeader);
        if (Frames.U16(a, 0) != 1 || Frames.U16(a, 2) != Frames.EtherTypeIPv4 || a[4] != 6 || a[5] != 4) return;
        ushort op = Frames.U16(a, 6);
        uint senderIp = Frames.U32(a, 14);
        uint targetIp = Frames.U32(a, 24);

        // Learn real servers' MACs from any ARP they send (reply to our request, or their own requests).
        if (senderIp != 0) LearnMac(senderIp, a.Slice(8, 6));

        if (link == 0 && op == 1 && IsVip(targetIp) && senderIp != targetIp)
        {
            // who-has VIP: answer with the director's MAC.
            Span<byte> senderMac = stackalloc byte[6];
            a.Slice(8, 6).CopyTo(senderMac);
            int n = Frames.BuildArp(_scratch, 2, senderMac, _mac, targetIp, senderMac, senderIp);
            _sink.Send(_scratch.AsSpan(0, n));
            ArpRepliesSent++;
        }
    }

    private void LearnMac(uint ip, ReadOnlySpan<byte> mac)
    {
        foreach (var s in _serviceOrder)
            foreach (var d in s.Destinations)
                if (d.AddressValue == ip)
                {
                    if (d.Mac is null || !mac.SequenceEqual(d.Mac)) d.Mac = mac.ToArray();
                }
    }

    private void ProcessIPv4(Span<byte> frame)
    {
        var ip = frame.Slice(Frames.EthHeader);
        if (ip.Length < 20 || (ip[0] >> 4) != 4) { FramesDropped++; return; }
        int ihl = (ip[0] & 0x0f) * 4;
        int total = Frames.U16(ip, 2);
        if (ihl < 20 || total < ihl || total > ip.Length) { FramesDropped++; return; }
        uint daddr = Frames.U32(ip, 16);
        if (!IsVip(daddr))
        {
            // Not to a VIP: on a one-armed NAT director, a real server's reply comes back on this link.
            if (_replies.Count > 0) ProcessReply(frame, 0);
            return;
        }
        // Only frames sent to the director: a frame flooded by a switch to every port is not ours to forward.
        if (!frame.Slice(0, 6).SequenceEqual(_mac)) return;

        byte proto = ip[9];
        if (proto != Frames.ProtoTcp && proto != Frames.ProtoUdp && proto != Frames.ProtoSctp) { FramesDropped++; return; }
        ushort frag = Frames.U16(ip, 6);
        if ((frag & 0x3fff) != 0) { FramesDropped++; return; } // fragments: the kernel defragments first; not handled yet
        var l4 = ip.Slice(ihl, total - ihl);
        if (l4.Length < MinL4Length(proto)) { FramesDropped++; return; }
        uint saddr = Frames.U32(ip, 12);
        ushort sport = Frames.U16(l4, 0);
        ushort dport = Frames.U16(l4, 2);

        // A firewall-mark service wins over an address service, as ip_vs_service_find tries the mark first.
        ServiceRuntime? svc = null;
        if (_rules.Length > 0)
        {
            uint mark = MatchMark(proto, daddr, dport);
            if (mark != 0) _services.TryGetValue(ServiceRuntime.MarkKey(mark), out svc);
        }
        if (svc is null && !_services.TryGetValue(ServiceRuntime.MakeKey(proto, daddr, dport), out svc)) { FramesDropped++; return; }

        byte flags = proto == Frames.ProtoTcp ? l4[13] : (byte)0;
        var key = new ConnKey(proto, saddr, sport, daddr, dport);
        long now = _clockMs();
        var conn = _connections.Find(key);

        if (conn is not null && proto == Frames.ProtoTcp && IsNewTcpConnection(flags)
            && (conn.State == LvsConnectionState.TimeWait || conn.State == LvsConnectionState.Close))
        {
            // conn_reuse_mode: a new SYN on a finished entry is scheduled afresh.
            _connections.Remove(conn);
            Unbind(conn);
            conn = null;
        }
        else if (conn is not null && proto == Frames.ProtoSctp && IsSctpInit(l4)
            && conn.State == LvsConnectionState.SctpClosed && conn.Control is null)
        {
            // is_new_conn_expected: an INIT on a CLOSED entry (not controlled by a template) is scheduled afresh.
            _connections.Remove(conn);
            Unbind(conn);
            conn = null;
        }

        if (conn is not null && conn.Dest.Removed)
        {
            // expire_nodest_conn=0: the destination is gone; drop without touching the entry, which times out.
            FramesDropped++;
            return;
        }

        if (conn is null)
        {
            if (proto == Frames.ProtoTcp && !IsNewTcpConnection(flags)) { FramesDropped++; return; }
            // sctp_conn_schedule (sloppy_sctp=0): only an INIT chunk creates a connection.
            if (proto == Frames.ProtoSctp && !IsSctpInit(l4)) { FramesDropped++; return; }
            conn = svc.PersistentTimeout != 0
                ? NewPersistentConnection(svc, key, new SchedulingContext(saddr, sport, daddr, dport, now), now)
                : NewConnection(svc, key, svc.Scheduler.Schedule(svc.Destinations, new SchedulingContext(saddr, sport, daddr, dport, now)), null);
            if (conn is null)
            {
                SendPortUnreachable(frame, ihl, total);
                FramesDropped++;
                return;
            }
        }

        var d = conn.Dest;
        bool nat = conn.Forwarding == LvsForwarding.Masq;
        // Update state and the active/inactive counters as ip_vs_set_state does.
        if (proto == Frames.ProtoTcp)
        {
            // DR sees only the client's side (INPUT-ONLY table); NAT sees both directions (INPUT table here).
            var next = TcpStateTable.Next(conn.State, flags, nat ? TcpDirection.Input : TcpDirection.InputOnly);
            SetState(conn, next);
            conn.ExpiresAtMs = now + Timeouts.For(next) * 1000L;
        }
        else if (proto == Frames.ProtoSctp)
        {
            // Same directions as TCP: DR and TUN connections have NOOUTPUT (INPUT-ONLY), NAT ones INPUT.
            UpdateSctpState(conn, l4, nat ? TcpDirection.Input : TcpDirection.InputOnly, now);
        }
        else
        {
            conn.ExpiresAtMs = now + Timeouts.Udp * 1000L;
        }
        conn.Packets++;
        d.Statistics.InPackets++;
        d.Statistics.InBytes += (ulong)total;
        svc.Statistics.InPackets++;
        svc.Statistics.InBytes += (ulong)total;

        if (d.Mac is null) { FramesDropped++; return; }

        if (nat)
        {
            // Masquerading: destination VIP:vport becomes RIP:rport, checksums adjusted; replies come back through us.
            conn.ClientMac ??= frame.Slice(6, 6).ToArray();
            if (!conn.InReplyIndex)
            {
                _replies[new ConnKey(proto, d.AddressValue, conn.RealPort, saddr, sport)] = conn;
                conn.InReplyIndex = true;
            }
            Nat.RewriteDestination(ip, ihl, proto, d.AddressValue, conn.RealPort);
        }
        else if (conn.Forwarding == LvsForwarding.Tunnel)
        {
            ForwardTunnelled(frame, ip, ihl, total, d, conn.Link);
            return;
        }
        // Only the Ethernet header changes for direct routing.
        d.Mac.CopyTo(frame);
        MacOf(conn.Link).CopyTo(frame.Slice(6, 6));
        SinkOf(conn.Link).Send(frame.Slice(0, Frames.EthHeader + total));
        FramesForwarded++;
    }

    /// <summary>
    /// A frame from a real server (NAT): if it answers one of our NAT connections, its source RIP:rport becomes
    /// VIP:vport again and it goes to the client from the outside link.
    /// </summary>
    private void ProcessReply(Span<byte> frame, int link)
    {
        if (_replies.Count == 0) return;
        var ip = frame.Slice(Frames.EthHeader);
        if (ip.Length < 20 || (ip[0] >> 4) != 4) return;
        int ihl = (ip[0] & 0x0f) * 4;
        int total = Frames.U16(ip, 2);
        if (ihl < 20 || total < ihl || total > ip.Length) { FramesDropped++; return; }
        byte proto = ip[9];
        if (proto != Frames.ProtoTcp && proto != Frames.ProtoUdp && proto != Frames.ProtoSctp) return;
        if ((Frames.U16(ip, 6) & 0x3fff) != 0) return;
        var l4 = ip.Slice(ihl, total - ihl);
        if (l4.Length < MinL4Length(proto)) return;
        if (!frame.Slice(0, 6).SequenceEqual(MacOf(link))) return;
        uint saddr = Frames.U32(ip, 12), daddr = Frames.U32(ip, 16);
        ushort sport = Frames.U16(l4, 0), dport = Frames.U16(l4, 2);
        if (!_replies.TryGetValue(new ConnKey(proto, saddr, sport, daddr, dport), out var conn)) return;
        if (conn.Dest.Removed || conn.ClientMac is null) { FramesDropped++; return; }

        long now = _clockMs();
        if (proto == Frames.ProtoTcp)
        {
            var next = TcpStateTable.Next(conn.State, l4[13], TcpDirection.Output);
            SetState(conn, next);
            conn.ExpiresAtMs = now + Timeouts.For(next) * 1000L;
        }
        else if (proto == Frames.ProtoSctp)
        {
            UpdateSctpState(conn, l4, TcpDirection.Output, now);
        }
        else
        {
            conn.ExpiresAtMs = now + Timeouts.Udp * 1000L;
        }
        var d = conn.Dest;
        d.Statistics.OutPackets++;
        d.Statistics.OutBytes += (ulong)total;
        conn.Service.Statistics.OutPackets++;
        conn.Service.Statistics.OutBytes += (ulong)total;

        Nat.RewriteSource(ip, ihl, proto, conn.Key.VirtualAddress, conn.Key.VirtualPort);
        conn.ClientMac.CopyTo(frame);
        _mac.CopyTo(frame.Slice(6, 6));
        _sink.Send(frame.Slice(0, Frames.EthHeader + total));
        FramesForwarded++;
    }

    /// <summary>Link MTU for IP-in-IP: an encapsulated packet may not exceed it.</summary>
    public int Mtu { get; set; } = 1500;

    /// <summary>Set in a template key's protocol byte: templates and connections never share a key.</summary>
    private const byte TemplateKeyBit = 0x80;

    /// <summary>
    /// The key protocol of an address service's template: the protocol with <see cref="TemplateKeyBit"/>; SCTP (132)
    /// already has that bit, so its templates take 255 (reserved, never a connection's protocol here).
    /// </summary>
    private static byte TemplateProtocol(byte protocol) =>
        protocol == Frames.ProtoSctp ? (byte)0xff : (byte)(protocol | TemplateKeyBit);

    private readonly byte[] _tunnelBuffer = new byte[65536 + Frames.EthHeader + 20];
    private ushort _tunnelId;
    public ulong TooBigDropped;

    /// <summary>
    /// IP-in-IP (ip_vs_tunnel_xmit): a new outer IPv4 header from the director to the real server, protocol 4,
    /// around the untouched client packet. Too big for the MTU with DF set: ICMP fragmentation needed back to the
    /// client (the kernel's PMTU handling); without DF it is dropped (no fragmentation here).
    /// </summary>
    private void ForwardTunnelled(Span<byte> frame, Span<byte> ip, int ihl, int total, Destination d, int link)
    {
        int outerTotal = total + 20;
        bool df = (Frames.U16(ip, 6) & 0x4000) != 0;
        if (outerTotal > Mtu)
        {
            if (df) SendIcmpError(frame, ihl, total, 4, (ushort)(Mtu - 20));
            TooBigDropped++;
            FramesDropped++;
            return;
        }
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
    }

    /// <summary>Creates and binds a connection to <paramref name="dest"/> (ip_vs_conn_new + ip_vs_bind_dest); null when no destination.</summary>
    private Connection? NewConnection(ServiceRuntime svc, in ConnKey key, Destination? dest, Connection? template)
    {
        if (dest is null) return null;
        var conn = new Connection
        {
            Key = key,
            Dest = dest,
            Service = svc,
            State = key.Protocol == Frames.ProtoUdp ? LvsConnectionState.Udp : LvsConnectionState.None,
            Inactive = true,
            Control = template,
            Forwarding = dest.Forwarding,
            Link = dest.Link,
            // A fwmark destination with port 0 serves the port the client asked for.
            RealPort = dest.Port != 0 ? dest.Port : key.VirtualPort,
        };
        if (template is not null) template.Controlled++;
        dest.InactiveConnections++;
        dest.Statistics.Connections++;
        svc.Statistics.Connections++;
        CheckOverloadOnBind(dest);
        _connections.Add(conn);
        return conn;
    }

    /// <summary>
    /// ip_vs_sched_persist: the client's template (client address masked with the persistence netmask, port 0)
    /// picks the destination while it is valid; otherwise the scheduler picks one and a template is made.
    /// </summary>
    private Connection? NewPersistentConnection(ServiceRuntime svc, in ConnKey key, in SchedulingContext ctx, long now)
    {
        // Templates live in their own key space (the kernel's template lookup matches only templates), so a client
        // that really uses port 0 never meets its template.
        // fwmark services: <IPPROTO_IP, caddr, 0, fwmark, 0> as ip_vs_sched_persist keys them.
        var tkey = svc.FirewallMark != 0
            ? new ConnKey(TemplateKeyBit, key.ClientAddress & svc.PersistenceMask, 0, svc.FirewallMark, 0)
            : new ConnKey(TemplateProtocol(key.Protocol), key.ClientAddress & svc.PersistenceMask, 0, key.VirtualAddress, key.VirtualPort);
        var template = _connections.Find(tkey);
        if (template is not null && template.Dest.Removed)
        {
            // ip_vs_check_template: a template whose destination is gone is expired and the client rescheduled.
            _connections.Remove(template);
            UnbindTemplate(template);
            template = null;
        }
        if (template is null)
        {
            var dest = svc.Scheduler.Schedule(svc.Destinations, ctx);
            if (dest is null) return null;
            template = new Connection
            {
                Key = tkey, Dest = dest, Service = svc, State = LvsConnectionState.None, IsTemplate = true,
                TimeoutMs = svc.PersistentTimeout * 1000L,
            };
            dest.PersistentConnections++;
            CheckOverloadOnBind(dest);
            _connections.Add(template);
        }
        // Using a template re-arms its timer with its timeout (ip_vs_conn_put).
        template.ExpiresAtMs = now + template.TimeoutMs;
        return NewConnection(svc, key, template.Dest, template);
    }

    /// <summary>ip_vs_bind_dest: over the upper threshold the destination is marked overloaded.</summary>
    private static void CheckOverloadOnBind(Destination d)
    {
        if (d.UpperThreshold != 0 && d.ActiveConnections + d.InactiveConnections >= d.UpperThreshold) d.Overloaded = true;
    }

    /// <summary>ip_vs_unbind_dest: the overload mark clears below the lower threshold (or 3/4 of the upper one).</summary>
    private static void CheckOverloadOnUnbind(Destination d)
    {
        long total = d.ActiveConnections + d.InactiveConnections;
        if (d.LowerThreshold != 0)
        {
            if (total < d.LowerThreshold) d.Overloaded = false;
        }
        else if (d.UpperThreshold != 0)
        {
            if (total * 4 < (long)d.UpperThreshold * 3) d.Overloaded = false;
        }
        else
        {
            d.Overloaded = false;
        }
    }

    private static bool IsNewTcpConnection(byte flags) => (flags & Frames.Syn) != 0 && (flags & (Frames.Rst | Frames.Ack | Frames.Fin)) == 0;

    /// <summary>Shortest transport header the engine reads: TCP 20, SCTP common header 12, UDP 8.</summary>
    private static int MinL4Length(byte proto) => proto == Frames.ProtoTcp ? 20 : proto == Frames.ProtoSctp ? Frames.SctpHeader : 8;

    /// <summary>is_new_conn for SCTP: the first chunk is an INIT.</summary>
    private static bool IsSctpInit(ReadOnlySpan<byte> sctp) =>
        SctpStateTable.TryGetFirstChunkType(sctp, out var t) && t == SctpStateTable.ChunkInit;

    /// <summary>
    /// set_sctp_state: the next state by the (state-relevant) chunk type and direction, ActiveConn/InActConn moved
    /// (only ESTABLISHED is active), the timer re-armed with the new state's timeout. A packet without a chunk
    /// header leaves the state alone (its timer is re-armed with the current state's timeout, as ip_vs_conn_put does).
    /// </summary>
    private void UpdateSctpState(Connection conn, ReadOnlySpan<byte> sctp, TcpDirection dir, long now)
    {
        var next = SctpStateTable.TryGetStateChunkType(sctp, out var chunk)
            ? SctpStateTable.Next(conn.State, chunk, dir)
            : conn.State;
        if (next != conn.State) SetState(conn, next, SctpStateTable.IsActive(next));
        conn.ExpiresAtMs = now + SctpStateTable.TimeoutSeconds(next) * 1000L;
    }

    private void SetState(Connection c, LvsConnectionState next) => SetState(c, next, TcpStateTable.IsActive(next));

    private void SetState(Connection c, LvsConnectionState next, bool active)
    {
        if (active && c.Inactive)
        {
            c.Dest.InactiveConnections--;
            c.Dest.ActiveConnections++;
            c.Inactive = false;
        }
        else if (!active && !c.Inactive)
        {
            c.Dest.ActiveConnections--;
            c.Dest.InactiveConnections++;
            c.Inactive = true;
        }
        c.State = next;
    }

    /// <summary>Releases a removed connection from its destination and template.</summary>
    private void Unbind(Connection c)
    {
        if (c.IsTemplate) { UnbindTemplate(c); return; }
        if (c.InReplyIndex)
        {
            _replies.Remove(new ConnKey(c.Key.Protocol, c.Dest.AddressValue, c.RealPort, c.Key.ClientAddress, c.Key.ClientPort));
            c.InReplyIndex = false;
        }
        if (c.Inactive) c.Dest.InactiveConnections--; else c.Dest.ActiveConnections--;
        if (c.Control is not null) c.Control.Controlled--;
        CheckOverloadOnUnbind(c.Dest);
    }

    private static void UnbindTemplate(Connection t)
    {
        t.Dest.PersistentConnections--;
        CheckOverloadOnUnbind(t.Dest);
    }

    /// <summary>
    /// Timer expiry (ip_vs_conn_expire): a template that still controls connections is re-armed, anything else
    /// leaves the table.
    /// </summary>
    private bool ExpireDue(Connection c, long now)
    {
        if (c.ExpiresAtMs > now) return false;
        if (c.IsTemplate && c.Controlled > 0)
        {
            // ip_vs_conn_expire: a template that still controls connections lives on, with a 60 s timeout from now on.
            c.TimeoutMs = 60_000;
            c.ExpiresAtMs = now + c.TimeoutMs;
            return false;
        }
        return true;
    }

    /// <summary>ICMP port unreachable to the client, as ip_vs_leave does when no destination is available.</summary>
    private void SendPortUnreachable(ReadOnlySpan<byte> frame, int ihl, int total) => SendIcmpError(frame, ihl, total, 3, 0);

    /// <summary>An ICMP destination-unreachable (code 3 port, code 4 fragmentation needed with the next-hop MTU).</summary>
    private void SendIcmpError(ReadOnlySpan<byte> frame, int ihl, int total, byte code, ushort nextHopMtu)
    {
        var ip = frame.Slice(Frames.EthHeader);
        int quoted = Math.Min(total, ihl + 8);
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
        ip.Slice(16, 4).CopyTo(o.Slice(12)); // from the VIP
        ip.Slice(12, 4).CopyTo(o.Slice(16)); // to the client
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

    // ------------------------------------------------------------------ timers

    /// <summary>Once a second: expire connections, resolve and refresh real servers' MACs, repeat gratuitous ARP.</summary>
    public void Tick()
    {
        lock (Sync)
        {
            long now = _clockMs();
            _connections.RemoveWhere(c => ExpireDue(c, now), Unbind);
            // The dest trash keeps deleted destinations while connections still point at them.
            foreach (var svc in _serviceOrder)
                svc.Trash.RemoveAll(d =>
                {
                    if (d.ActiveConnections + d.InactiveConnections + d.PersistentConnections != 0) return false;
                    _estimators.Remove(d.Statistics);
                    return true;
                });

            if (now >= _nextEstimateMs)
            {
                // ip_vs_est: every 2 s for every service and real server.
                _nextEstimateMs = now + RateEstimator.IntervalMs;
                foreach (var svc in _serviceOrder)
                {
                    EstimatorOf(svc.Statistics).Estimate(svc.Statistics);
                    foreach (var d in svc.Destinations) EstimatorOf(d.Statistics).Estimate(d.Statistics);
                }
            }

            bool refreshAll = now >= _nextArpRefreshMs;
            if (refreshAll) _nextArpRefreshMs = now + 30_000;
            var asked = new HashSet<uint>();
            foreach (var s in _serviceOrder)
                foreach (var d in s.Destinations)
                    if ((d.Mac is null || refreshAll) && asked.Add(d.AddressValue))
                        SendArpRequest(d.AddressValue, d.Link);

            foreach (var vip in _garpPending.Keys.ToList())
            {
                SendGratuitousArp(vip);
                if (--_garpPending[vip] <= 0) _garpPending.Remove(vip);
            }
        }
    }

    private void SendArpRequest(uint target, int link)
    {
        int n = Frames.BuildArp(_scratch, 1, Frames.Broadcast, MacOf(link), AddressOf(link), Frames.ZeroMac, target);
        SinkOf(link).Send(_scratch.AsSpan(0, n));
    }

    private void SendGratuitousArp(uint vip)
    {
        int n = Frames.BuildArp(_scratch, 1, Frames.Broadcast, _mac, vip, Frames.ZeroMac, vip);
        _sink.Send(_scratch.AsSpan(0, n));
    }

    // ------------------------------------------------------------------ control path

    private static uint ValidateAddress(IPAddress? a, string what)
    {
        if (a is null || a.AddressFamily != AddressFamily.InterNetwork)
            throw new LvsException(LvsErrorIds.InvalidAddress, LvsErrorKind.InvalidArgument,
                $"The {what} '{a}' is not an IPv4 address; the LvsPS engine forwards IPv4 only.", a);
        uint v = Frames.ToUInt32(a);
        byte first = (byte)(v >> 24);
        if (v == 0 || v == 0xffffffff || first == 127 || first >= 224)
            throw new LvsException(LvsErrorIds.InvalidAddress, LvsErrorKind.InvalidArgument,
                $"The {what} '{a}' is not a unicast address a director can serve.", a);
        return v;
    }

    private static void ValidatePort(int port, string what)
    {
        if (port < 1 || port > 65535)
            throw new LvsException(LvsErrorIds.InvalidPort, LvsErrorKind.InvalidArgument,
                $"The {what} {port} is out of range; use 1..65535 (port 0 needs a persistent service, which is not supported yet).", port);
    }

    private static void ValidateWeight(int weight)
    {
        if (weight < 0 || weight > 65535)
            throw new LvsException(LvsErrorIds.InvalidWeight, LvsErrorKind.InvalidArgument,
                $"The weight {weight} is out of range; use 0..65535 (0 quiesces the real server).", weight);
    }

    private static void ValidateForwarding(LvsForwarding f)
    {
        if (f == LvsForwarding.Local || !Enum.IsDefined(f))
            throw new LvsException(LvsErrorIds.ForwardingNotImplemented, LvsErrorKind.NotImplemented,
                $"The forwarding method '{f}' is not implemented by the LvsPS engine; use Route (direct routing), Masq (NAT) or Tunnel (IP-in-IP).", f);
    }

    private ServiceRuntime GetService(ServiceSpec? spec)
    {
        if (spec is null) throw new LvsException(LvsErrorIds.ServiceNotFound, LvsErrorKind.InvalidArgument, "No service was named.");
        ulong key = spec.FirewallMark != 0 ? ServiceRuntime.MarkKey(spec.FirewallMark)
            : ServiceRuntime.MakeKey((byte)spec.Protocol, ValidateAddress(spec.Address, "virtual address"), spec.Port);
        if (!_services.TryGetValue(key, out var s))
            throw new LvsException(LvsErrorIds.ServiceNotFound, LvsErrorKind.ObjectNotFound,
                $"No virtual service {spec} exists on director '{Name}'.", spec.ToString());
        return s;
    }

    /// <summary>Adds a service with its real servers (listed newest first); all is validated before anything changes.</summary>
    public void AddService(ServiceSpec spec)
    {
        lock (Sync)
        {
            bool fwm = spec.FirewallMark != 0;
            uint a = fwm ? 0 : ValidateAddress(spec.Address, "virtual address");
            if (!fwm) ValidatePort(spec.Port, "port");
            if (!Enum.IsDefined(spec.Protocol))
                throw new LvsException(LvsErrorIds.InvalidProtocol, LvsErrorKind.InvalidArgument, $"The protocol '{spec.Protocol}' is not supported; use Tcp, Udp or Sctp.");
            var impl = SchedulerFactory.Create(spec.Scheduler, spec.SchedulerFlags);
            uint mask = ValidatePersistence(spec);
            ulong key = fwm ? ServiceRuntime.MarkKey(spec.FirewallMark) : ServiceRuntime.MakeKey((byte)spec.Protocol, a, spec.Port);
            if (_services.ContainsKey(key))
                throw new LvsException(LvsErrorIds.ServiceExists, LvsErrorKind.ResourceExists,
                    $"The virtual service {spec} already exists on director '{Name}'.", spec.ToString());
            var seen = new HashSet<(uint, ushort)>();
            foreach (var rs in spec.RealServers)
            {
                var (ra, rp) = ValidateRealServer(spec, rs);
                if (!seen.Add((ra, rp)))
                    throw new LvsException(LvsErrorIds.RealServerExists, LvsErrorKind.ResourceExists,
                        $"The real server {rs.Address}:{rp} is listed twice for {spec}.", rs.ToString());
            }

            var svc = new ServiceRuntime(fwm ? LvsProtocol.Tcp : spec.Protocol, a, fwm ? (ushort)0 : spec.Port, spec.Scheduler, impl)
            {
                FirewallMark = spec.FirewallMark,
                PersistentTimeout = spec.PersistentTimeout,
                PersistenceMask = mask,
                SchedulerFlags = spec.SchedulerFlags,
            };
            _services.Add(key, svc);
            _serviceOrder.Add(svc);
            // The spec lists newest first; add oldest first so the list ends in the same order.
            for (int i = spec.RealServers.Count - 1; i >= 0; i--) InsertDestination(svc, spec.RealServers[i]);
            VipsChanged();
        }
    }

    /// <summary>Checks -p and -M; returns the persistence mask in host order.</summary>
    private static uint ValidatePersistence(ServiceSpec spec)
    {
        if (spec.PersistentTimeout > LvsTimeouts.MaxSeconds)
            throw new LvsException(LvsErrorIds.InvalidPersistence, LvsErrorKind.InvalidArgument,
                $"The persistence timeout {spec.PersistentTimeout} s is out of range; use 1..{LvsTimeouts.MaxSeconds} (0 = not persistent).", spec.PersistentTimeout);
        if (spec.PersistenceNetmask is null) return 0xffffffff;
        if (spec.PersistenceNetmask.AddressFamily != AddressFamily.InterNetwork)
            throw new LvsException(LvsErrorIds.InvalidPersistence, LvsErrorKind.InvalidArgument,
                $"The persistence netmask '{spec.PersistenceNetmask}' is not an IPv4 netmask.", spec.PersistenceNetmask);
        uint m = Frames.ToUInt32(spec.PersistenceNetmask);
        // A netmask is ones then zeros.
        if (m != 0 && (~m & (~m + 1)) != 0)
            throw new LvsException(LvsErrorIds.InvalidPersistence, LvsErrorKind.InvalidArgument,
                $"'{spec.PersistenceNetmask}' is not a netmask (ones followed by zeros).", spec.PersistenceNetmask);
        return m;
    }

    private static void ValidateThresholds(RealServerSpec rs)
    {
        if (rs.UpperThreshold < 0 || rs.LowerThreshold < 0)
            throw new LvsException(LvsErrorIds.InvalidThreshold, LvsErrorKind.InvalidArgument,
                $"Connection thresholds cannot be negative (upper {rs.UpperThreshold}, lower {rs.LowerThreshold}).", rs.ToString());
        // As ip_vs_add_dest/ip_vs_edit_dest: the lower threshold may not exceed the upper one (even 0).
        if (rs.LowerThreshold > rs.UpperThreshold)
            throw new LvsException(LvsErrorIds.InvalidThreshold, LvsErrorKind.InvalidArgument,
                $"The lower threshold {rs.LowerThreshold} is above the upper threshold {rs.UpperThreshold} for {rs}.", rs.ToString());
    }

    private (uint, ushort) ValidateRealServer(ServiceSpec svc, RealServerSpec rs)
    {
        uint ra = ValidateAddress(rs.Address, "real server address");
        ValidateWeight(rs.Weight);
        ValidateThresholds(rs);
        ValidateForwarding(rs.Forwarding);
        // Direct routing and tunnelling cannot change the port: ipvsadm forces the service port for -g and -i.
        // A firewall-mark service has no port: its real servers keep the port given (0 = the client's).
        ushort rp = svc.FirewallMark != 0 ? rs.Port : rs.Forwarding != LvsForwarding.Masq || rs.Port == 0 ? svc.Port : rs.Port;
        if (svc.FirewallMark == 0 || rp != 0) ValidatePort(rp, "real server port");
        return (ra, rp);
    }

    private Destination InsertDestination(ServiceRuntime svc, RealServerSpec rs)
    {
        ushort port = svc.FirewallMark != 0 ? rs.Port : rs.Forwarding != LvsForwarding.Masq || rs.Port == 0 ? svc.Port : rs.Port;
        uint addr = Frames.ToUInt32(rs.Address);
        // ip_vs_trash_get_dest: a deleted destination that still has connections comes back with them.
        var d = svc.Trash.FirstOrDefault(t => t.AddressValue == addr && t.Port == port);
        if (d is not null)
        {
            svc.Trash.Remove(d);
            d.Removed = false;
            d.Weight = rs.Weight;
            d.Forwarding = rs.Forwarding;
            // As __ip_vs_update_dest: a cleared or raised upper threshold lifts the overload mark.
            if (rs.UpperThreshold == 0 || rs.UpperThreshold > d.UpperThreshold) d.Overloaded = false;
        }
        else
        {
            d = new Destination(rs.Address, port, rs.Forwarding, rs.Weight) { AddressValue = addr };
        }
        d.UpperThreshold = rs.UpperThreshold;
        d.LowerThreshold = rs.LowerThreshold;
        // NAT real servers sit behind the inside link when there is one; DR needs them on the outside segment.
        d.Link = d.Forwarding == LvsForwarding.Masq && _insideSink is not null ? 1 : 0;
        // Reuse a MAC already known for the same host from another service.
        foreach (var s in _serviceOrder)
            foreach (var o in s.Destinations)
                if (o.AddressValue == d.AddressValue && o.Mac is not null) d.Mac = o.Mac;
        svc.Destinations.Insert(0, d);
        svc.Scheduler.OnDestinationsChanged(svc.Destinations, null);
        if (d.Forwarding == LvsForwarding.Masq && d.Link == 0) VipsChanged();
        if (d.Mac is null) SendArpRequest(d.AddressValue, d.Link);
        return d;
    }

    public void EditService(ServiceSpec spec)
    {
        lock (Sync)
        {
            var svc = GetService(spec);
            uint mask = ValidatePersistence(spec);
            if (svc.SchedulerKind != spec.Scheduler || svc.SchedulerFlags != spec.SchedulerFlags)
            {
                var impl = SchedulerFactory.Create(spec.Scheduler, spec.SchedulerFlags);
                impl.OnDestinationsChanged(svc.Destinations, null);
                svc.Scheduler = impl;
                svc.SchedulerKind = spec.Scheduler;
                svc.SchedulerFlags = spec.SchedulerFlags;
            }
            svc.PersistentTimeout = spec.PersistentTimeout;
            svc.PersistenceMask = mask;
        }
    }

    public void DeleteService(ServiceSpec spec)
    {
        lock (Sync)
        {
            var svc = GetService(spec);
            foreach (var d in svc.Destinations.Concat(svc.Trash))
            {
                d.Removed = true;
                _estimators.Remove(d.Statistics);
            }
            _estimators.Remove(svc.Statistics);
            _services.Remove(svc.Key);
            _serviceOrder.Remove(svc);
            _connections.RemoveWhere(c => ReferenceEquals(c.Service, svc), Unbind);
            VipsChanged();
        }
    }

    public void AddRealServer(ServiceSpec service, RealServerSpec rs)
    {
        lock (Sync)
        {
            var svc = GetService(service);
            var (ra, rp) = ValidateRealServer(service, rs);
            if (svc.FindDestination(ra, rp) is not null)
                throw new LvsException(LvsErrorIds.RealServerExists, LvsErrorKind.ResourceExists,
                    $"The real server {rs.Address}:{rp} already exists in {svc.Name} on director '{Name}'.", $"{rs.Address}:{rp}");
            InsertDestination(svc, rs);
        }
    }

    public void EditRealServer(ServiceSpec service, RealServerSpec rs)
    {
        lock (Sync)
        {
            var svc = GetService(service);
            var (ra, rp) = ValidateRealServer(service, rs);
            var d = svc.FindDestination(ra, rp) ?? throw NoRealServer(svc, rs.Address, rp);
            bool wasOneArmedNat = d.Forwarding == LvsForwarding.Masq && d.Link == 0;
            d.Weight = rs.Weight;
            d.Forwarding = rs.Forwarding;
            d.Link = rs.Forwarding == LvsForwarding.Masq && _insideSink is not null ? 1 : 0;
            // __ip_vs_update_dest: a cleared or raised upper threshold lifts the overload mark.
            if (rs.UpperThreshold == 0 || rs.UpperThreshold > d.UpperThreshold) d.Overloaded = false;
            d.UpperThreshold = rs.UpperThreshold;
            d.LowerThreshold = rs.LowerThreshold;
            svc.Scheduler.OnDestinationsChanged(svc.Destinations, null);
            // A one-armed NAT real server's replies come back on the outside link: the capture filter follows.
            if (wasOneArmedNat || (d.Forwarding == LvsForwarding.Masq && d.Link == 0)) VipsChanged();
        }
    }

    public void DeleteRealServer(ServiceSpec service, RealServerSpec rs)
    {
        lock (Sync)
        {
            var svc = GetService(service);
            uint ra = ValidateAddress(rs.Address, "real server address");
            ushort rp = rs.Port == 0 && svc.FirewallMark == 0 ? svc.Port : rs.Port;
            var d = svc.FindDestination(ra, rp) ?? (rs.Port != svc.Port ? svc.FindDestination(ra, svc.Port) : null) ?? throw NoRealServer(svc, rs.Address, rp);
            svc.Destinations.Remove(d);
            d.Removed = true;
            if (d.ActiveConnections + d.InactiveConnections + d.PersistentConnections > 0) svc.Trash.Add(d);
            else _estimators.Remove(d.Statistics);
            svc.Scheduler.OnDestinationsChanged(svc.Destinations, d);
            if (d.Forwarding == LvsForwarding.Masq && d.Link == 0) VipsChanged();
            // expire_nodest_conn=0: packets of its connections are dropped until the entries time out.
        }
    }

    private LvsException NoRealServer(ServiceRuntime svc, IPAddress a, ushort p) =>
        new(LvsErrorIds.RealServerNotFound, LvsErrorKind.ObjectNotFound,
            $"The real server {a}:{p} does not exist in {svc.Name} on director '{Name}'.", $"{a}:{p}");

    public void Clear()
    {
        lock (Sync)
        {
            foreach (var s in _serviceOrder.ToList()) DeleteService(s.ToSpec());
        }
    }

    public void Zero(ServiceSpec? service)
    {
        lock (Sync)
        {
            var list = service is null ? _serviceOrder : new List<ServiceRuntime> { GetService(service) };
            foreach (var s in list)
            {
                Reset(s.Statistics);
                foreach (var d in s.Destinations) Reset(d.Statistics);
            }
        }
    }

    private void Reset(LvsStatistics st)
    {
        st.Connections = st.InPackets = st.OutPackets = st.InBytes = st.OutBytes = 0;
        EstimatorOf(st).Reset();
    }

    private LvsStatistics Snapshot(LvsStatistics st)
    {
        var copy = st.Clone();
        EstimatorOf(st).Read(copy);
        return copy;
    }

    /// <summary>Adds a firewall-mark rule at the end of the list (first match wins).</summary>
    public void AddMarkRule(MarkRuleSpec rule)
    {
        lock (Sync)
        {
            ValidateMarkRule(rule);
            if (_ruleSpecs.Any(r => SameRule(r, rule)))
                throw new LvsException(LvsErrorIds.MarkRuleExists, LvsErrorKind.ResourceExists, $"The rule {rule} already exists on director '{Name}'.", rule.ToString());
            _ruleSpecs.Add(rule);
            _rules = _ruleSpecs.Select(r => new MarkRule(r)).ToArray();
            VipsChanged();
        }
    }

    public void DeleteMarkRule(MarkRuleSpec rule)
    {
        lock (Sync)
        {
            var found = _ruleSpecs.FirstOrDefault(r => SameRule(r, rule))
                ?? throw new LvsException(LvsErrorIds.MarkRuleNotFound, LvsErrorKind.ObjectNotFound, $"No rule {rule} exists on director '{Name}'.", rule.ToString());
            _ruleSpecs.Remove(found);
            _rules = _ruleSpecs.Select(r => new MarkRule(r)).ToArray();
            VipsChanged();
        }
    }

    public List<MarkRuleSpec> ListMarkRules()
    {
        lock (Sync) return _ruleSpecs.ToList();
    }

    private static bool SameRule(MarkRuleSpec a, MarkRuleSpec b) =>
        a.Mark == b.Mark && a.Protocol == b.Protocol && a.Address.Equals(b.Address) && a.PrefixLength == b.PrefixLength
        && a.PortFrom == b.PortFrom && a.PortTo == b.PortTo;

    private static void ValidateMarkRule(MarkRuleSpec r)
    {
        if (r.Mark == 0)
            throw new LvsException(LvsErrorIds.InvalidFirewallMark, LvsErrorKind.InvalidArgument, "A firewall mark must be 1 or more.", r.Mark);
        if (r.Address is null || r.Address.AddressFamily != AddressFamily.InterNetwork)
            throw new LvsException(LvsErrorIds.InvalidAddress, LvsErrorKind.InvalidArgument, $"The rule address '{r.Address}' is not an IPv4 address.", r.Address);
        if (r.PrefixLength < 1 || r.PrefixLength > 32)
            throw new LvsException(LvsErrorIds.InvalidAddress, LvsErrorKind.InvalidArgument, $"The prefix length {r.PrefixLength} is out of range; use 1..32.", r.PrefixLength);
        uint mask = uint.MaxValue << (32 - r.PrefixLength);
        if ((Frames.ToUInt32(r.Address) & ~mask) != 0)
            throw new LvsException(LvsErrorIds.InvalidAddress, LvsErrorKind.InvalidArgument, $"{r.Address}/{r.PrefixLength} has host bits set.", r.Address);
        if (r.Protocol is not null && !Enum.IsDefined(r.Protocol.Value))
            throw new LvsException(LvsErrorIds.InvalidProtocol, LvsErrorKind.InvalidArgument, $"The protocol '{r.Protocol}' is not supported; use Tcp, Udp or Sctp.", r.Protocol);
        if (r.PortTo < r.PortFrom || (r.PortFrom == 0 && r.PortTo != 0))
            throw new LvsException(LvsErrorIds.InvalidPort, LvsErrorKind.InvalidArgument, $"The port range {r.PortFrom}-{r.PortTo} is not valid; use 1..65535 with the first not above the last (0-0 = any port).", $"{r.PortFrom}-{r.PortTo}");
    }

    public DirectorState ExportState()
    {
        lock (Sync)
        {
            return new DirectorState
            {
                Services = _serviceOrder.Select(s => s.ToSpec()).ToList(),
                Timeouts = GetTimeouts(),
                MarkRules = _ruleSpecs.ToList(),
            };
        }
    }

    public TimeoutSpec GetTimeouts()
    {
        lock (Sync) return new TimeoutSpec { Tcp = Timeouts.Tcp, TcpFin = Timeouts.TcpFin, Udp = Timeouts.Udp };
    }

    /// <summary>ipvsadm --set tcp tcpfin udp: 0 leaves a value as it is; at most 31 days.</summary>
    public void SetTimeouts(TimeoutSpec t)
    {
        lock (Sync)
        {
            foreach (var (name, v) in new[] { ("tcp", t.Tcp), ("tcpfin", t.TcpFin), ("udp", t.Udp) })
                if (v < 0 || v > LvsTimeouts.MaxSeconds)
                    throw new LvsException(LvsErrorIds.InvalidTimeout, LvsErrorKind.InvalidArgument,
                        $"The {name} timeout {v} s is out of range; use 1..{LvsTimeouts.MaxSeconds} (0 leaves it unchanged).", v);
            Timeouts.Set(t.Tcp, t.TcpFin, t.Udp);
        }
    }

    public List<LvsService> ListServices()
    {
        lock (Sync)
        {
            return _serviceOrder.Select(s =>
            {
                var vip = Frames.ToAddress(s.Address);
                return new LvsService
                {
                    Director = Name,
                    Protocol = s.Protocol,
                    VirtualAddress = vip,
                    Port = s.Port,
                    Scheduler = s.SchedulerKind,
                    FirewallMark = s.FirewallMark,
                    SchedulerFlags = s.SchedulerFlags,
                    PersistentTimeout = s.PersistentTimeout,
                    PersistenceNetmask = s.PersistentTimeout == 0 || s.PersistenceMask == 0xffffffff ? null : Frames.ToAddress(s.PersistenceMask),
                    TableSize = TableSize,
                    Statistics = Snapshot(s.Statistics),
                    RealServers = s.Destinations.Select(d => new LvsRealServer
                    {
                        Director = Name,
                        Protocol = s.Protocol,
                        VirtualAddress = vip,
                        Port = s.Port,
                        FirewallMark = s.FirewallMark,
                        RealAddress = d.Address,
                        RealPort = d.Port,
                        Forwarding = d.Forwarding,
                        Weight = d.Weight,
                        ActiveConnections = d.ActiveConnections,
                        InactiveConnections = d.InactiveConnections,
                        PersistentConnections = d.PersistentConnections,
                        UpperThreshold = d.UpperThreshold,
                        LowerThreshold = d.LowerThreshold,
                        Overloaded = d.Overloaded,
                        MacAddress = d.Mac is null ? "" : Frames.MacToString(d.Mac),
                        Statistics = Snapshot(d.Statistics),
                    }).ToList(),
                };
            }).ToList();
        }
    }

    public List<LvsConnection> ListConnections()
    {
        lock (Sync)
        {
            long now = _clockMs();
            return _connections.All().Select(c => new LvsConnection
            {
                Director = Name,
                Protocol = c.IsTemplate || c.Service.FirewallMark == 0 ? c.Service.Protocol : (LvsProtocol)c.Key.Protocol,
                ClientAddress = Frames.ToAddress(c.Key.ClientAddress),
                ClientPort = c.Key.ClientPort,
                VirtualAddress = Frames.ToAddress(c.Key.VirtualAddress),
                Port = c.Key.VirtualPort,
                RealAddress = c.Dest.Address,
                RealPort = c.IsTemplate ? c.Dest.Port : c.RealPort,
                FirewallMark = c.Service.FirewallMark,
                State = c.State,
                ExpiresInSeconds = (int)Math.Max(0, (c.ExpiresAtMs - now + 999) / 1000),
                Packets = c.Packets,
            }).ToList();
        }
    }

    private void VipsChanged()
    {
        var vips = _serviceOrder.Where(s => s.FirewallMark == 0).Select(s => s.Address)
            .Concat(_ruleSpecs.Where(r => r.PrefixLength == 32).Select(r => Frames.ToUInt32(r.Address))).Distinct().ToArray();
        foreach (var v in vips)
            if (Array.IndexOf(_vips, v) < 0)
            {
                SendGratuitousArp(v);
                _garpPending[v] = 2; // two more, one per tick, as directors repeat GARP
            }
        foreach (var gone in _garpPending.Keys.Where(v => Array.IndexOf(vips, v) < 0).ToList()) _garpPending.Remove(gone);
        _vips = vips;
        var natOutside = _serviceOrder.SelectMany(s => s.Destinations)
            .Where(d => d.Forwarding == LvsForwarding.Masq && d.Link == 0).Select(d => d.AddressValue).Distinct().ToArray();
        VirtualAddressesChanged?.Invoke(vips, natOutside);
    }
}
