// DirectorEngine, the user-space IPVS director, is one class in several files by concern. This part: the state of the
// packet path and the tables (a control-plane partial keeps only its own hooks, e.g. Status), construction, the
// inside link and the packet path's one entry, ProcessFrame, which parses an IPv4 frame once (Ipv4Packet) and hands
// it on. The rest of the packet path is DataPath/DirectorEngine.*.cs (Arp, Forwarding, Tunnel, Icmp, NatReplies,
// Connections, Tick); the IDirector operations the control socket calls are Control/DirectorEngine.*.cs (Services,
// Validation, Listings, Status, and whatever the control plane adds).

namespace LvsPS.Engine.DataPath;

/// <summary>
/// The forwarding engine: a user-space IPVS director for one Ethernet interface. It owns the virtual
/// addresses (answers ARP for them), schedules new connections to real servers with the IPVS
/// schedulers, tracks connections with the IPVS TCP state machine and forwards frames by Direct
/// Routing (destination MAC := real server, source MAC := director). Nothing here knows about pcap or
/// PowerShell: frames come in through <see cref="ProcessFrame(Span{byte}, int)"/> (<see cref="IFrameProcessor"/>),
/// go out through an <see cref="IFrameSink"/>.
/// All public members are serialised with <see cref="Sync"/>.
/// </summary>
internal sealed partial class DirectorEngine : IDirector, IFrameProcessor
{
    private readonly IFrameSink _sink;
    private readonly Func<long> _clockMs;
    private readonly Dictionary<ulong, ServiceRuntime> _services = new();
    /// <summary>How many services are on port 0 (every port): the packet path looks for one only when there is one.</summary>
    private int _portZeroServices;
    private readonly List<ServiceRuntime> _serviceOrder = new();
    private readonly ConnectionTable _connections;
    /// <summary><see cref="Release"/> as a delegate, made once (the table's removal walks call it for each entry).</summary>
    private readonly Action<Connection> _release;
    private readonly byte[] _mac;
    private readonly byte[] _scratch = new byte[128];
    private uint[] _vips = Array.Empty<uint>();
    private readonly Dictionary<uint, int> _garpPending = new();
    private long _nextArpRefreshMs;
    private long _nextEstimateMs;
    /// <summary>One rate estimator per statistics block (service or real server), by reference.</summary>
    private readonly Dictionary<LvsStatistics, RateEstimator> _estimators = new(ReferenceEqualityComparer.Instance);

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
            _localSourcesOf = null; // the inside address is one of the director's own (Drops.cs)
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
        _release = Release;
        InitDefense();
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

    /// <summary>The compiled firewall-mark rules the packet path matches (first match wins), and their specs as given.</summary>
    private MarkRule[] _rules = Array.Empty<MarkRule>();
    private readonly List<MarkRuleSpec> _ruleSpecs = new();

    /// <summary>Link MTU for IP-in-IP: an encapsulated packet may not exceed it.</summary>
    public int Mtu { get; set; } = 1500;
    private readonly byte[] _tunnelBuffer = new byte[65536 + Frames.EthHeader + 20];
    private ushort _tunnelId;
    public ulong TooBigDropped;

    // ------------------------------------------------------------------ data path: the one entry

    /// <summary>Handles one received Ethernet frame; the frame may be rewritten in place and re-sent.</summary>
    public void ProcessFrame(Span<byte> frame) => ProcessFrame(frame, 0);

    /// <summary>Handles a frame received on link <paramref name="link"/> (0 outside, 1 inside): ARP or IPv4.</summary>
    public void ProcessFrame(Span<byte> frame, int link)
    {
        lock (Sync)
        {
            FramesReceived++;
            if (frame.Length < Frames.EthHeader) { FramesDropped++; return; }
            ushort type = Frames.U16(frame, 12);
            if (type == Frames.EtherTypeIPv4) ProcessIPv4(frame, link);
            else if (type == Frames.EtherTypeArp) ProcessArp(frame, link);
        }
    }

    /// <summary>
    /// An IPv4 frame is parsed and checked here, once (<see cref="Ipv4Packet"/>); forwarding (outside link), NAT
    /// replies (inside link, or one-armed on the outside), tunnelling and the ICMP errors all read that one parse.
    /// As the kernel's receive path: a frame for another MAC is not ours (PACKET_OTHERHOST), then a bad header or
    /// checksum and a martian source are dropped and counted by reason (DirectorEngine.Drops.cs), before any lookup.
    /// Not inlined into ProcessFrame on purpose: that small root's inline budget runs out inside this method, and the
    /// checksum, the martian test and Ipv4Packet's field reads then stay calls (EstablishedSegment 55 -> 71 ns). As its
    /// own root the whole check inlines (docs/PERFORMANCE.md).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void ProcessIPv4(Span<byte> frame, int link)
    {
        // The inside link carries only NAT replies: without NAT connections there is nothing to look at.
        if (link != 0 && _replies.Count == 0) return;
        // Only frames sent to the director: a frame flooded by a switch to every port is not ours to forward.
        if (!frame.Slice(0, 6).SequenceEqual(MacOf(link))) return;
        var check = Ipv4Packet.Parse(frame, out var packet);
        if (check != Ipv4Check.Ok)
        {
            // A malformed header is a drop on the outside link; on the inside link only a bad length or checksum is.
            if (link == 0 || check != Ipv4Check.NotIPv4)
                CountDrop(check == Ipv4Check.BadChecksum ? DropReason.BadChecksum : DropReason.BadHeader);
            return;
        }
        if (MartianSource(packet.Source) is { } martian) { CountDrop(martian); return; }
        if (Logger.Level >= PacketLogLevel) LogFrame(in packet, link);
        if (link == 0) ForwardIPv4(in packet);
        else ProcessReply(in packet, link);
    }

    private IFrameSink SinkOf(int link) => link == 1 && _insideSink is not null ? _insideSink : _sink;
    private byte[] MacOf(int link) => link == 1 && _insideMac is not null ? _insideMac : _mac;
    private uint AddressOf(int link) => link == 1 && _insideSink is not null ? InsideAddress : InterfaceAddress;

    private RateEstimator EstimatorOf(LvsStatistics s)
    {
        if (!_estimators.TryGetValue(s, out var e)) _estimators[s] = e = new RateEstimator();
        return e;
    }
}
