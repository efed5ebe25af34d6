using System.Net;

namespace LvsPS.Engine.IO;

/// <summary>Which packet I/O lvsd uses on its interfaces (lvsd --link, or LVSPS_LINK).</summary>
internal enum LinkKind
{
    /// <summary>libpcap (SharpPcap): pcap_dispatch to receive, one pcap_sendpacket per frame.</summary>
    Pcap,
    /// <summary>lvsd's own AF_PACKET socket: an mmap'd receive ring, sends batched with sendmmsg (<see cref="PacketLink"/>).</summary>
    Packet,
}

/// <summary>
/// One Ethernet port of the engine, whatever does the I/O (<see cref="PcapLink"/> or <see cref="PacketLink"/>):
/// received frames go to the <see cref="IFrameProcessor"/> given to <see cref="Start"/>, frames the engine emits come
/// in through <see cref="IFrameSink.Send"/>. The engine does not know which one it has.
/// </summary>
internal interface IEngineLink : IFrameSink, IDisposable
{
    LinkKind Kind { get; }
    string Interface { get; }
    byte[] Mac { get; }
    IPAddress? Address { get; }
    int PrefixLength { get; }
    int Mtu { get; }
    /// <summary>How many receive threads (1 unless PACKET_FANOUT spreads the flows over more).</summary>
    int ReceiveThreads { get; }
    /// <summary>Admits ARP and IPv4 to the VIPs (and from one-armed NAT real servers); replaces the filter atomically.</summary>
    void SetVirtualAddresses(IReadOnlyList<uint> vips, IReadOnlyList<uint>? natSources = null, IReadOnlyList<(uint Net, int PrefixLength)>? markNets = null);
    /// <summary>The inside link's filter: ARP and IPv4, never our own frames.</summary>
    void UseInsideFilter();
    void Start(IFrameProcessor processor, int linkIndex = 0);
    /// <summary>Frames the capture delivered and dropped (ring full), and those the interface dropped.</summary>
    (ulong Received, ulong Dropped, ulong InterfaceDropped) ReadStatistics();
}

/// <summary>Opens the link lvsd asked for; the AF_PACKET link falls back to libpcap when its ring cannot be set up.</summary>
internal static class EngineLinks
{
    /// <summary>
    /// The default: libpcap, which measured better than the AF_PACKET link for request/response traffic on this box
    /// (docs/PERFORMANCE.md, "lvsd's own packet I/O"); the AF_PACKET link is selected with --link packet.
    /// </summary>
    public const LinkKind DefaultKind = LinkKind.Pcap;

    /// <summary>--link or LVSPS_LINK ("pcap" | "packet"); the default when neither is given.</summary>
    public static LinkKind ParseKind(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" => DefaultKind,
        "pcap" or "libpcap" => LinkKind.Pcap,
        "packet" or "af_packet" => LinkKind.Packet,
        _ => throw new LvsException(LvsErrorIds.InvalidArgument, LvsErrorKind.InvalidArgument, $"--link '{text}' is not a link (pcap, packet).", text),
    };

    /// <summary>--rx-threads or LVSPS_RX_THREADS: receive threads of the AF_PACKET link (PACKET_FANOUT when more than 1).</summary>
    public static int ParseThreads(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return 1;
        if (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) || n < 1 || n > 64)
            throw new LvsException(LvsErrorIds.InvalidArgument, LvsErrorKind.InvalidArgument, $"--rx-threads '{text}' is not 1..64.", text);
        return n;
    }

    /// <summary>
    /// Opens <paramref name="kind"/> on <paramref name="interfaceName"/>. When the AF_PACKET ring cannot be set up
    /// (an old kernel, no memory for the ring, a seccomp profile), the libpcap link is opened instead and
    /// <paramref name="fallbackReason"/> says why.
    /// </summary>
    public static IEngineLink Open(string interfaceName, LinkKind kind, int receiveThreads, out string? fallbackReason,
        PacketLink.RingOptions? ring = null)
    {
        fallbackReason = null;
        if (kind == LinkKind.Packet)
        {
            try { return PacketLink.Open(interfaceName, receiveThreads, ring); }
            catch (PacketLinkException e) { fallbackReason = e.Message; }
        }
        return PcapLink.Open(interfaceName);
    }
}
