// DirectorEngine, packet path: ARP. Answers who-has for the virtual addresses, keeps the real servers' MACs (one
// neighbour record per address, as the kernel's neighbour table), and sends the director's own requests (real
// servers' MACs) and gratuitous ARP (new VIPs).
//
// A MAC is learnt only from a reply to the director's own request, while that request is outstanding: gratuitous ARP,
// other hosts' requests and replies nobody asked for change nothing (a forged "rs1 is-at <attacker>" would otherwise
// pull rs1's share of new connections to the attacker). A known MAC is re-checked as the kernel does (NUD_PROBE):
// unicast requests to it (ucast_probes 3), and only if it stays silent broadcast ones (mcast_probes 3), so an
// unsolicited claim triggers a check the real server answers and the claimant cannot, and a real change (a new NIC)
// is still found within seconds. A real server with a static MAC (-MacAddress) is never asked and never changes.

namespace LvsPS.Engine.DataPath;

internal sealed partial class DirectorEngine
{
    /// <summary>Unicast probes to a known MAC, then broadcast requests, before a round gives up (ucast/mcast_probes).</summary>
    private const int ArpProbes = 3;
    /// <summary>How often a learnt MAC is re-checked (the engine's refresh; the kernel's reachable time is ~30 s).</summary>
    private const long ArpRefreshMs = 30_000;
    /// <summary>At most one log line per address and minute about ignored ARP (a flood of forgeries is not a log flood).</summary>
    private const long ArpIgnoredLogMs = 60_000;

    private enum ArpPhase : byte { Idle, Unicast, Broadcast }

    /// <summary>What the director knows of one real-server address (reduced neighbour entry).</summary>
    private sealed class Neighbour
    {
        public byte[]? Mac;
        public int Link;
        /// <summary>A request is outstanding while the phase is not Idle; the count is of this phase's requests.</summary>
        public ArpPhase Phase;
        public int Sent;
        public int Changes;
        public byte[]? Previous;
        public DateTime? ChangedAt;
        public long? IgnoredLoggedAtMs;
    }

    private readonly Dictionary<uint, Neighbour> _neighbours = new();
    /// <summary>
    /// One bit per hashed neighbour address (a one-word Bloom filter): most ARP frames are from clients, and a clear
    /// bit spares them the dictionary lookup on the packet path. Set when an address joins, rebuilt when one leaves.
    /// </summary>
    private ulong _neighbourFilter;

    private static ulong NeighbourBit(uint ip) => 1UL << (int)((ip * 0x9E3779B1u) >> 26);

    private void ProcessArp(Span<byte> frame, int link)
    {
        if (frame.Length < Frames.EthHeader + Frames.ArpLength) return;
        var a = frame.Slice(Frames.EthHeader);
        if (Frames.U16(a, 0) != 1 || Frames.U16(a, 2) != Frames.EtherTypeIPv4 || a[4] != 6 || a[5] != 4) return;
        ushort op = Frames.U16(a, 6);
        uint senderIp = Frames.U32(a, 14);
        uint targetIp = Frames.U32(a, 24);

        if (senderIp != 0 && (_neighbourFilter & NeighbourBit(senderIp)) != 0 && _neighbours.TryGetValue(senderIp, out var n)) ArpFromRealServer(n, senderIp, op, a, link);

        if (link == 0 && op == 1 && ((IsVip(targetIp) && !VrrpSilent(targetIp)) || VrrpOwns(targetIp)) && senderIp != targetIp)
        {
            // who-has VIP: answer with the director's MAC.
            Span<byte> senderMac = stackalloc byte[6];
            a.Slice(8, 6).CopyTo(senderMac);
            int len = Frames.BuildArp(_scratch, 2, senderMac, _mac, targetIp, senderMac, senderIp);
            _sink.Send(_scratch.AsSpan(0, len));
            ArpRepliesSent++;
            if (_trace is not null) Trace(LvsTrafficAction.ArpAnswered, 0, senderIp, 0, targetIp, 0, null);
        }
    }

    /// <summary>
    /// ARP whose sender is a real server's address. Learnt only when it is a reply to our outstanding request (to our
    /// address and MAC, on the link we asked on; to a unicast probe only from the MAC probed); anything else that
    /// claims another MAC is counted, logged, and makes the director check the MAC it has.
    /// </summary>
    private void ArpFromRealServer(Neighbour n, uint ip, ushort op, ReadOnlySpan<byte> a, int link)
    {
        var mac = a.Slice(8, 6);
        bool toUs = op == 2 && link == n.Link && Frames.U32(a, 24) == AddressOf(link) && a.Slice(18, 6).SequenceEqual(MacOf(link));
        bool solicited = toUs && (n.Phase == ArpPhase.Broadcast || (n.Phase == ArpPhase.Unicast && mac.SequenceEqual(n.Mac)));
        if (solicited)
        {
            n.Phase = ArpPhase.Idle;
            n.Sent = 0;
            if (n.Mac is not null && mac.SequenceEqual(n.Mac)) return;
            if (n.Mac is not null)
            {
                n.Changes++;
                n.Previous = n.Mac;
                n.ChangedAt = DateTime.UtcNow;
                Log?.Invoke(LvsLogSource.DataPath, LvsLogSeverity.Warning, $"arp: real server {Frames.ToAddress(ip)} changed its MAC from {Frames.MacToString(n.Previous)} to {Frames.MacToString(mac)} (a reply to the director's request)");
            }
            n.Mac = mac.ToArray();
            SetLearntMac(ip, n.Mac);
            return;
        }
        // Not yet resolved: the requests already go out and only a reply counts. The real server saying what we know: fine.
        if (n.Mac is null || mac.SequenceEqual(n.Mac)) return;
        CountDrop(DropReason.ArpUnsolicited);
        long now = _clockMs();
        if (n.IgnoredLoggedAtMs is not { } last || now - last >= ArpIgnoredLogMs)
        {
            n.IgnoredLoggedAtMs = now;
            Log?.Invoke(LvsLogSource.DataPath, LvsLogSeverity.Warning, $"arp: ignored an unsolicited claim that real server {Frames.ToAddress(ip)} is at {Frames.MacToString(mac)} (it is at {Frames.MacToString(n.Mac)}); checking");
        }
        // Check the MAC we have: its owner answers the unicast probe; the claimant is not asked.
        if (n.Phase == ArpPhase.Idle) StartArpRound(ip, n);
    }

    /// <summary>Every dynamic destination of that address takes the learnt MAC.</summary>
    private void SetLearntMac(uint ip, byte[] mac)
    {
        foreach (var s in _serviceOrder)
            foreach (var d in s.Destinations)
                if (d.AddressValue == ip && d.StaticMac is null) d.Mac = mac;
    }

    /// <summary>
    /// A destination joins the table (or is edited): a static MAC is used as it is; otherwise the address's learnt MAC,
    /// and a request when there is none yet.
    /// </summary>
    private void AttachMac(Destination d, RealServerSpec rs)
    {
        var configured = SpecValidator.MacAddress(rs.MacAddress);
        if (configured is not null)
        {
            if (d.StaticMac is null || !configured.AsSpan().SequenceEqual(d.StaticMac))
                Log?.Invoke(LvsLogSource.DataPath, LvsLogSeverity.Notice, $"arp: real server {d.Address}:{d.Port} uses the static MAC {Frames.MacToString(configured)}");
            d.StaticMac = d.Mac = configured;
            return;
        }
        if (d.StaticMac is not null) Log?.Invoke(LvsLogSource.DataPath, LvsLogSeverity.Notice, $"arp: real server {d.Address}:{d.Port} no longer has a static MAC; learning it by ARP");
        d.StaticMac = null;
        if (!_neighbours.TryGetValue(d.AddressValue, out var n))
        {
            _neighbours[d.AddressValue] = n = new Neighbour { Link = d.Link };
            _neighbourFilter |= NeighbourBit(d.AddressValue);
        }
        n.Link = d.Link;
        d.Mac = n.Mac;
        if (n.Mac is null && n.Phase == ArpPhase.Idle) StartArpRound(d.AddressValue, n);
    }

    /// <summary>A check of one address: unicast to the known MAC, else broadcast.</summary>
    private void StartArpRound(uint ip, Neighbour n)
    {
        n.Phase = n.Mac is null ? ArpPhase.Broadcast : ArpPhase.Unicast;
        n.Sent = 0;
        SendNeighbourRequest(ip, n);
    }

    private void SendNeighbourRequest(uint ip, Neighbour n)
    {
        n.Sent++;
        var to = n.Phase == ArpPhase.Unicast ? n.Mac! : Frames.Broadcast;
        int len = Frames.BuildArp(_scratch, 1, to, MacOf(n.Link), AddressOf(n.Link), Frames.ZeroMac, ip);
        SinkOf(n.Link).Send(_scratch.AsSpan(0, len));
    }

    /// <summary>
    /// Once a second (Tick): the next request of each outstanding round; every 30 s a round for every learnt MAC; an
    /// unresolved address is asked every second until it answers. Addresses no dynamic destination uses are forgotten.
    /// </summary>
    private void RefreshNeighbours(long now)
    {
        bool refresh = now >= _nextArpRefreshMs;
        if (refresh)
        {
            _nextArpRefreshMs = now + ArpRefreshMs;
            var used = new HashSet<uint>();
            foreach (var s in _serviceOrder)
                foreach (var d in s.Destinations)
                    if (d.StaticMac is null) used.Add(d.AddressValue);
            foreach (var ip in _neighbours.Keys.Where(k => !used.Contains(k)).ToList()) _neighbours.Remove(ip);
            _neighbourFilter = 0;
            foreach (var ip in _neighbours.Keys) _neighbourFilter |= NeighbourBit(ip);
        }
        foreach (var (ip, n) in _neighbours)
        {
            if (n.Phase == ArpPhase.Idle)
            {
                if (refresh) StartArpRound(ip, n);
                continue;
            }
            if (n.Sent < ArpProbes || (n.Phase == ArpPhase.Broadcast && n.Mac is null)) SendNeighbourRequest(ip, n);
            else if (n.Phase == ArpPhase.Unicast) { n.Phase = ArpPhase.Broadcast; n.Sent = 0; SendNeighbourRequest(ip, n); }
            else n.Phase = ArpPhase.Idle; // silent to unicast and broadcast: keep the MAC, ask again at the next refresh
        }
    }

    /// <summary>The MAC fields of a listed real server.</summary>
    private void DescribeMac(Destination d, LvsRealServer r)
    {
        r.MacSource = d.StaticMac is not null ? LvsMacSource.Static : d.Mac is not null ? LvsMacSource.Arp : LvsMacSource.None;
        if (d.StaticMac is not null || !_neighbours.TryGetValue(d.AddressValue, out var n)) return;
        r.MacChanges = n.Changes;
        r.PreviousMacAddress = n.Previous is null ? "" : Frames.MacToString(n.Previous);
        r.MacChangedAt = n.ChangedAt;
    }

    private void SendGratuitousArp(uint vip)
    {
        int n = Frames.BuildArp(_scratch, 1, Frames.Broadcast, _mac, vip, Frames.ZeroMac, vip);
        _sink.Send(_scratch.AsSpan(0, n));
    }
}
