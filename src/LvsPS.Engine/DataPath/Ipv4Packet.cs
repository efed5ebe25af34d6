// The packet path's one IPv4 parse: DirectorEngine.ProcessIPv4 (called by ProcessFrame) checks a received IPv4 header once
// into an Ipv4Packet; forwarding, NAT replies, tunnelling and the ICMP errors read its fields, never the header again.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LvsPS.Engine.DataPath;

/// <summary>The outcome of the one IPv4 header check.</summary>
internal enum Ipv4Check : byte
{
    Ok,
    /// <summary>Shorter than an IPv4 header, or not version 4.</summary>
    NotIPv4,
    /// <summary>Header length under 20 bytes, or a total length under the header length or beyond the frame.</summary>
    BadLength,
    /// <summary>The header checksum is wrong (ip_rcv_core's ip_fast_csum check).</summary>
    BadChecksum,
}

/// <summary>
/// An IPv4 frame as the engine reads it: the checked header's lengths and fields, and the transport ports (TCP, UDP,
/// SCTP) when the engine can read them. A view over the received frame (which the paths may rewrite in place), on
/// the stack: nothing is allocated.
/// </summary>
internal readonly ref struct Ipv4Packet
{
    /// <summary>The whole Ethernet frame.</summary>
    public readonly Span<byte> Frame;
    /// <summary>The IPv4 header length in bytes (20..60).</summary>
    public readonly int Ihl;
    /// <summary>The IPv4 total length (header and payload), within the frame.</summary>
    public readonly int TotalLength;
    public readonly uint Source;
    public readonly uint Destination;
    /// <summary>The flags and fragment offset field.</summary>
    public readonly ushort Fragment;
    public readonly byte Protocol;
    /// <summary>
    /// The transport header is one the engine reads (<see cref="IsTransport"/>), the packet is not a fragment and it
    /// holds at least that header's minimum length: the ports (and TCP flags) below are set.
    /// </summary>
    public readonly bool HasPorts;
    /// <summary>The TCP flags byte (0 for UDP and SCTP).</summary>
    public readonly byte TcpFlags;
    public readonly ushort SourcePort;
    public readonly ushort DestinationPort;

    private Ipv4Packet(Span<byte> frame, ReadOnlySpan<byte> ip, int ihl, int total)
    {
        Frame = frame;
        Ihl = ihl;
        TotalLength = total;
        Protocol = ip[9];
        Fragment = Frames.U16(ip, 6);
        Source = Frames.U32(ip, 12);
        Destination = Frames.U32(ip, 16);
        HasPorts = IsTransport(Protocol) && (Fragment & 0x3fff) == 0 && total - ihl >= MinL4Length(Protocol);
        if (HasPorts)
        {
            var l4 = ip.Slice(ihl);
            SourcePort = Frames.U16(l4, 0);
            DestinationPort = Frames.U16(l4, 2);
            TcpFlags = Protocol == Frames.ProtoTcp ? l4[13] : (byte)0;
        }
    }

    /// <summary>
    /// The one IPv4 header check, as ip_rcv_core makes it: version 4, a header of 20 bytes or more, a valid header
    /// checksum, a total length that covers the header and fits in the frame. <paramref name="frame"/> holds at least
    /// an Ethernet header.
    /// </summary>
    public static Ipv4Check Parse(Span<byte> frame, out Ipv4Packet packet)
    {
        ReadOnlySpan<byte> ip = frame.Slice(Frames.EthHeader);
        if (ip.Length < 20 || (ip[0] >> 4) != 4) { packet = default; return Ipv4Check.NotIPv4; }
        int ihl = (ip[0] & 0x0f) * 4;
        int total = Frames.U16(ip, 2);
        if (ihl < 20 || ihl > ip.Length) { packet = default; return Ipv4Check.BadLength; }
        if (!HeaderChecksumValid(ip.Slice(0, ihl))) { packet = default; return Ipv4Check.BadChecksum; }
        if (total < ihl || total > ip.Length) { packet = default; return Ipv4Check.BadLength; }
        packet = new Ipv4Packet(frame, ip, ihl, total);
        return Ipv4Check.Ok;
    }

    /// <summary>
    /// The one's-complement sum of the header (at least 20 bytes), its checksum field included, is 0xffff. Read a
    /// 32-bit word at a time (the header is a whole number of them) and folded once at the end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool HeaderChecksumValid(ReadOnlySpan<byte> header)
    {
        // Summed in the machine's byte order: a one's-complement sum of byte-swapped words is the byte-swapped sum, and
        // the valid result 0xffff reads the same either way. No bounds check inside the loop.
        // The usual 20-byte header is five words read at once; options go through the loop.
        ref byte start = ref MemoryMarshal.GetReference(header);
        ulong sum = (ulong)Word(ref start, 0) + Word(ref start, 4) + Word(ref start, 8) + Word(ref start, 12) + Word(ref start, 16);
        for (int i = 20, n = header.Length & ~3; i < n; i += 4) sum += Word(ref start, i);
        sum = (sum & 0xffffffff) + (sum >> 32);
        sum = (sum & 0xffff) + (sum >> 16);
        sum = (sum & 0xffff) + (sum >> 16);
        sum = (sum & 0xffff) + (sum >> 16);
        return sum == 0xffff;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Word(ref byte start, int offset) => Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, offset));

    /// <summary>From the IPv4 header to the end of the frame (the Ethernet payload).</summary>
    public Span<byte> Ip => Frame.Slice(Frames.EthHeader);

    /// <summary>Where the transport header starts in <see cref="Frame"/>.</summary>
    public int L4Offset => Frames.EthHeader + Ihl;

    /// <summary>The transport header and payload, as far as the IPv4 total length says.</summary>
    public Span<byte> L4 => Frame.Slice(L4Offset, TotalLength - Ihl);

    public bool IsFragment => (Fragment & 0x3fff) != 0;
    public bool DontFragment => (Fragment & 0x4000) != 0;

    /// <summary>The transport protocols the engine forwards: TCP, UDP and SCTP.</summary>
    public static bool IsTransport(byte protocol) =>
        protocol == Frames.ProtoTcp || protocol == Frames.ProtoUdp || protocol == Frames.ProtoSctp;

    /// <summary>Shortest transport header the engine reads: TCP 20, SCTP common header 12, UDP 8.</summary>
    public static int MinL4Length(byte protocol) =>
        protocol == Frames.ProtoTcp ? 20 : protocol == Frames.ProtoSctp ? Frames.SctpHeader : 8;
}
