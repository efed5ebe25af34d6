// DirectorEngine, packet path: the frames a kernel would drop before IPVS sees them, and the drops counted by reason.
// ip_rcv_core drops an IPv4 header that is short, not version 4, has a bad checksum or a bad length; the route
// lookup (ip_route_input_slow, fib_validate_source) drops a martian source: multicast, limited broadcast, 0.0.0.0,
// loopback, one of the host's own addresses, and with rp_filter (1 or 2, the usual distribution setting) the
// subnet's broadcast address. Kernels since 2.6.25 accept 240/4 (class E) and since 5.3 0/8 other than 0.0.0.0, so
// lvsd forwards those as a kernel director would. These checks run on every IPv4 frame sent to the director's MAC,
// before any service or connection lookup.

namespace LvsPS.Engine.DataPath;

/// <summary>Why the engine dropped a frame; the names are the keys of <see cref="DirectorStatus.DropsByReason"/>.</summary>
internal enum DropReason : byte
{
    /// <summary>Shorter than an IPv4 header, not version 4, or a header/total length that does not fit (IP_INHDR).</summary>
    BadHeader,
    /// <summary>The IPv4 header checksum is wrong (IP_CSUM).</summary>
    BadChecksum,
    /// <summary>Source 255.255.255.255, or the broadcast address of the director's subnet.</summary>
    SourceBroadcast,
    /// <summary>Source in 224.0.0.0/4.</summary>
    SourceMulticast,
    /// <summary>Source in 127.0.0.0/8 (route_localnet is off).</summary>
    SourceLoopback,
    /// <summary>Source 0.0.0.0.</summary>
    SourceZero,
    /// <summary>Source is one of the director's own addresses: a VIP, its interface address or its inside address.</summary>
    SourceLocal,
    /// <summary>A fragment (lvsd does not reassemble).</summary>
    Fragment,
    /// <summary>To a VIP but neither TCP, UDP nor SCTP.</summary>
    NotTransport,
    /// <summary>Shorter than the transport header the engine reads.</summary>
    Truncated,
    /// <summary>ARP claiming a real server's address at another MAC, not a reply to the director's own request.</summary>
    ArpUnsolicited,
    /// <summary>To a VIP of a VRRP instance that is backup here (the master forwards it).</summary>
    VrrpBackup,
}

internal sealed partial class DirectorEngine
{
    private static readonly string[] DropReasonNames = Enum.GetNames<DropReason>();
    private readonly ulong[] _drops = new ulong[DropReasonNames.Length];

    private int _prefixLength;

    /// <summary>
    /// The prefix length of the director's interface address (0 = unknown): with it the subnet's broadcast address is
    /// a martian source too.
    /// </summary>
    public int InterfacePrefixLength
    {
        get => _prefixLength;
        set { _prefixLength = value; _localSourcesOf = null; }
    }

    /// <summary>The director's own addresses (interface, inside, VIPs), rebuilt when the VIPs or the links change.</summary>
    private uint[] _localSources = Array.Empty<uint>();
    private uint[]? _localSourcesOf;
    private uint _subnetBroadcast;

    /// <summary>How many frames were dropped for that reason.</summary>
    public ulong DropCount(DropReason reason) => _drops[(int)reason];

    /// <summary>A dropped frame: counted in FramesDropped and under its reason.</summary>
    private void CountDrop(DropReason reason)
    {
        FramesDropped++;
        _drops[(int)reason]++;
    }

    /// <summary>The reasons with a count above 0, by name (for GetStatus).</summary>
    private Dictionary<string, ulong> DropsByReason()
    {
        var d = new Dictionary<string, ulong>(StringComparer.Ordinal);
        for (int i = 0; i < _drops.Length; i++)
            if (_drops[i] != 0) d[DropReasonNames[i]] = _drops[i];
        return d;
    }

    /// <summary>
    /// The kernel's martian-source rules (see the top of this file) for a packet's source; null when it may pass.
    /// A few comparisons and one pass over the director's own addresses: no allocation.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private DropReason? MartianSource(uint s)
    {
        if (!ReferenceEquals(_localSourcesOf, _vips)) RebuildLocalSources();
        // The common case first: among 1.0.0.0–126.255.255.255 and 128.0.0.0–223.255.255.255 only the director's own
        // addresses and the subnet's broadcast are martians.
        uint top = s >> 24;
        if (top - 1 >= 126 && top - 128 >= 96)
        {
            if ((s & 0xf0000000) == 0xe0000000) return DropReason.SourceMulticast;
            if (s == 0xffffffff) return DropReason.SourceBroadcast;
            if (top == 127) return DropReason.SourceLoopback;
            if (s == 0) return DropReason.SourceZero;
        }
        if (s == _subnetBroadcast) return DropReason.SourceBroadcast;
        var local = _localSources;
        for (int i = 0; i < local.Length; i++) if (local[i] == s) return DropReason.SourceLocal;
        return null;
    }

    private void RebuildLocalSources()
    {
        var vips = _vips;
        var own = new List<uint>(vips.Length + 2);
        if (InterfaceAddress != 0) own.Add(InterfaceAddress);
        if (HasInsideLink && InsideAddress != 0) own.Add(InsideAddress);
        own.AddRange(vips);
        _localSources = own.ToArray();
        uint host = _prefixLength is > 0 and < 31 ? uint.MaxValue >> _prefixLength : 0;
        _subnetBroadcast = host == 0 || InterfaceAddress == 0 ? 0 : (InterfaceAddress & ~host) | host;
        _localSourcesOf = vips;
    }
}
