namespace LvsPS.Engine.Tests;

/// <summary>
/// Builds complete IPv4/TCP/UDP frames with every checksum computed from scratch by the test's own one's-complement
/// routine (nothing here calls the engine's checksum code), and checks checksums of what the engine sends.
/// Used by the NAT, tunnel and rate-estimator tests.
/// </summary>
internal static class PacketKit
{
    /// <summary>The fields of one packet; <see cref="Frame"/> turns them into bytes.</summary>
    internal sealed record Packet
    {
        public byte[] DstMac { get; init; } = EngineHarness.DirectorMac;
        public byte[] SrcMac { get; init; } = EngineHarness.ClientMac;
        public uint Source { get; init; } = EngineHarness.Client;
        public uint Destination { get; init; } = EngineHarness.Vip;
        public byte Protocol { get; init; } = Frames.ProtoTcp;
        public ushort SourcePort { get; init; } = 40000;
        public ushort DestinationPort { get; init; } = 80;
        public byte Flags { get; init; } = Frames.Syn;
        public uint Seq { get; init; } = 0x11223344;
        public uint AckNo { get; init; }
        public int PayloadLength { get; init; }
        /// <summary>Explicit payload bytes (wins over <see cref="PayloadLength"/>).</summary>
        public byte[]? Payload { get; init; }
        public byte Tos { get; init; }
        public bool DontFragment { get; init; } = true;
        public byte Ttl { get; init; } = 64;
        public ushort Id { get; init; } = 0x4d2e;
        /// <summary>IPv4 options (a multiple of 4 bytes).</summary>
        public byte[] Options { get; init; } = Array.Empty<byte>();
        /// <summary>UDP only: false sends checksum 0 (none).</summary>
        public bool UdpChecksum { get; init; } = true;

        public byte[] PayloadBytes()
        {
            if (Payload is not null) return Payload;
            var p = new byte[PayloadLength];
            for (int i = 0; i < p.Length; i++) p[i] = (byte)(i * 31 + 7);
            return p;
        }

        public int L4HeaderLength => Protocol == Frames.ProtoTcp ? 20 : 8;
        public int IpHeaderLength => 20 + Options.Length;
        public int IpTotalLength => IpHeaderLength + L4HeaderLength + PayloadBytes().Length;
    }

    public static Packet Tcp(ushort clientPort, byte flags, int payload = 0) =>
        new() { SourcePort = clientPort, Flags = flags, PayloadLength = payload };

    public static Packet Udp(ushort clientPort, ushort port = 53, int payload = 20) =>
        new() { Protocol = Frames.ProtoUdp, SourcePort = clientPort, DestinationPort = port, PayloadLength = payload, Flags = 0, DontFragment = false };

    /// <summary>The bytes of <paramref name="p"/> with a valid IPv4 header checksum and TCP/UDP checksum.</summary>
    public static byte[] Frame(Packet p)
    {
        if (p.Options.Length % 4 != 0) throw new ArgumentException("IPv4 options come in 4-byte words.");
        var payload = p.PayloadBytes();
        int ihl = p.IpHeaderLength, l4h = p.L4HeaderLength, total = p.IpTotalLength;
        var f = new byte[14 + total];
        p.DstMac.CopyTo(f, 0);
        p.SrcMac.CopyTo(f, 6);
        f[12] = 0x08; f[13] = 0x00;
        var ip = f.AsSpan(14);
        ip[0] = (byte)(0x40 | ihl / 4);
        ip[1] = p.Tos;
        Put16(ip, 2, (ushort)total);
        Put16(ip, 4, p.Id);
        Put16(ip, 6, p.DontFragment ? (ushort)0x4000 : (ushort)0);
        ip[8] = p.Ttl;
        ip[9] = p.Protocol;
        Put32(ip, 12, p.Source);
        Put32(ip, 16, p.Destination);
        p.Options.CopyTo(ip.Slice(20));
        Put16(ip, 10, Checksum(ip.Slice(0, ihl)));

        var l4 = ip.Slice(ihl);
        Put16(l4, 0, p.SourcePort);
        Put16(l4, 2, p.DestinationPort);
        payload.CopyTo(l4.Slice(l4h));
        if (p.Protocol == Frames.ProtoTcp)
        {
            Put32(l4, 4, p.Seq);
            Put32(l4, 8, p.AckNo);
            l4[12] = 5 << 4;
            l4[13] = p.Flags;
            Put16(l4, 14, 29200);
            Put16(l4, 16, L4Checksum(p.Source, p.Destination, p.Protocol, l4.Slice(0, total - ihl)));
        }
        else
        {
            Put16(l4, 4, (ushort)(total - ihl));
            if (p.UdpChecksum)
            {
                ushort c = L4Checksum(p.Source, p.Destination, p.Protocol, l4.Slice(0, total - ihl));
                Put16(l4, 6, c == 0 ? (ushort)0xffff : c); // RFC 768: a computed 0 is sent as all ones
            }
        }
        return f;
    }

    // ------------------------------------------------------------------ an independent Internet checksum

    /// <summary>One's-complement sum of 16-bit big-endian words (odd length: the last byte padded with zero), folded.</summary>
    public static uint Sum(ReadOnlySpan<byte> data, uint start = 0)
    {
        ulong acc = start;
        for (int i = 0; i < data.Length; i += 2)
        {
            int hi = data[i];
            int lo = i + 1 < data.Length ? data[i + 1] : 0;
            acc += (ulong)(hi * 256 + lo);
        }
        while (acc > 0xffff) acc = (acc & 0xffff) + (acc >> 16);
        return (uint)acc;
    }

    /// <summary>The checksum to put in a zeroed checksum field: the complement of the sum.</summary>
    public static ushort Checksum(ReadOnlySpan<byte> data) => (ushort)(0xffff - Sum(data));

    private static uint PseudoHeaderSum(uint src, uint dst, byte proto, int length)
    {
        Span<byte> ph = stackalloc byte[12];
        Put32(ph, 0, src);
        Put32(ph, 4, dst);
        ph[8] = 0;
        ph[9] = proto;
        Put16(ph, 10, (ushort)length);
        return Sum(ph);
    }

    /// <summary>TCP/UDP checksum over the pseudo-header and a segment whose checksum field is zero.</summary>
    public static ushort L4Checksum(uint src, uint dst, byte proto, ReadOnlySpan<byte> segment) =>
        (ushort)(0xffff - Sum(segment, PseudoHeaderSum(src, dst, proto, segment.Length)));

    /// <summary>True when the IPv4 header checksum of the packet starting at <paramref name="ip"/> is valid.</summary>
    public static bool IpHeaderValid(ReadOnlySpan<byte> ip)
    {
        int ihl = (ip[0] & 0x0f) * 4;
        uint s = Sum(ip.Slice(0, ihl));
        return s == 0xffff || s == 0; // +0 / -0
    }

    /// <summary>True when the TCP/UDP checksum of the IPv4 packet at <paramref name="ip"/> is valid (UDP 0 = none).</summary>
    public static bool L4Valid(ReadOnlySpan<byte> ip)
    {
        int ihl = (ip[0] & 0x0f) * 4;
        int total = Get16(ip, 2);
        byte proto = ip[9];
        var seg = ip.Slice(ihl, total - ihl);
        if (proto == Frames.ProtoUdp && Get16(seg, 6) == 0) return true;
        uint s = Sum(seg, PseudoHeaderSum(Get32(ip, 12), Get32(ip, 16), proto, seg.Length));
        return s == 0xffff;
    }

    /// <summary>Asserts both checksums of an IPv4 frame (Ethernet header first).</summary>
    public static void AssertChecksumsValid(byte[] frame)
    {
        var ip = frame.AsSpan(14);
        Assert.True(IpHeaderValid(ip), "IPv4 header checksum");
        if (ip[9] is Frames.ProtoTcp or Frames.ProtoUdp) Assert.True(L4Valid(ip), "TCP/UDP checksum");
    }

    // ------------------------------------------------------------------ byte access (own, big-endian)

    public static ushort Get16(ReadOnlySpan<byte> s, int o) => (ushort)(s[o] << 8 | s[o + 1]);
    public static uint Get32(ReadOnlySpan<byte> s, int o) => (uint)(s[o] << 24 | s[o + 1] << 16 | s[o + 2] << 8 | s[o + 3]);

    public static void Put16(Span<byte> s, int o, ushort v)
    {
        s[o] = (byte)(v >> 8);
        s[o + 1] = (byte)v;
    }

    public static void Put32(Span<byte> s, int o, uint v)
    {
        s[o] = (byte)(v >> 24);
        s[o + 1] = (byte)(v >> 16);
        s[o + 2] = (byte)(v >> 8);
        s[o + 3] = (byte)v;
    }

    /// <summary>Hex dump of the first difference, for readable failures.</summary>
    public static void AssertSameBytes(byte[] expected, byte[]? actual)
    {
        Assert.NotNull(actual);
        if (expected.AsSpan().SequenceEqual(actual)) return;
        int i = 0;
        while (i < expected.Length && i < actual!.Length && expected[i] == actual[i]) i++;
        Assert.Fail($"Frames differ at byte {i} (expected length {expected.Length}, actual {actual!.Length}):\n" +
                    $"expected {Convert.ToHexString(expected)}\nactual   {Convert.ToHexString(actual)}");
    }
}

/// <summary>
/// A director with an optional inside link for LVS-NAT: outside as <see cref="EngineHarness"/> (director .1 of
/// 10.250.0.0/24, client .200, VIP .101), inside 192.168.10.0/24 with the director at .1 and real servers .3/.4.
/// </summary>
internal sealed class NatHarness
{
    public static readonly byte[] InsideMac = LabMac(0x01, 0x01);
    public static readonly byte[] Nrs1Mac = LabMac(0x01, 0x03);
    public static readonly byte[] Nrs2Mac = LabMac(0x01, 0x04);
    public const uint InsideIp = 0xC0A80A01; // 192.168.10.1
    public const uint Nrs1 = 0xC0A80A03;     // 192.168.10.3
    public const uint Nrs2 = 0xC0A80A04;     // 192.168.10.4

    public readonly EngineHarness H = new();
    public readonly RecordingSink Inside = new();
    public readonly bool HasInside;

    public NatHarness(bool insideLink = true)
    {
        HasInside = insideLink;
        if (insideLink) H.Engine.AttachInsideLink((byte[])InsideMac.Clone(), InsideIp, Inside);
    }

    public DirectorEngine Engine => H.Engine;
    public RecordingSink Outside => H.Sink;

    /// <summary>Where the real servers sit: the inside network, or the outside segment for one-armed NAT.</summary>
    public uint Rs(int i) => HasInside ? (i == 1 ? Nrs1 : Nrs2) : (i == 1 ? EngineHarness.Rs1 : EngineHarness.Rs2);
    public byte[] RsMac(int i) => HasInside ? (i == 1 ? Nrs1Mac : Nrs2Mac) : EngineHarness.MacOf(Rs(i));
    /// <summary>The MAC real servers send their replies to (their default gateway: the director).</summary>
    public byte[] GatewayMac => HasInside ? InsideMac : EngineHarness.DirectorMac;
    public int ReplyLink => HasInside ? 1 : 0;
    public RecordingSink RsSink => HasInside ? Inside : Outside;

    /// <summary>Adds a NAT service with one real server per (index, real port), resolves them, clears both sinks.</summary>
    public ServiceSpec Service(ushort port = 80, LvsProtocol protocol = LvsProtocol.Tcp, params (int Index, ushort RealPort)[] reals)
    {
        var spec = EngineHarness.Spec(port, LvsScheduler.Rr, protocol);
        Engine.AddService(spec);
        foreach (var (i, rp) in reals)
            Engine.AddRealServer(spec, EngineHarness.Real(Rs(i), 1, LvsForwarding.Masq, rp));
        foreach (var (i, _) in reals) Resolve(i);
        Outside.Clear();
        Inside.Clear();
        return spec;
    }

    /// <summary>The real server answers the director's ARP request on its link.</summary>
    public void Resolve(int i)
    {
        var addr = HasInside ? InsideIp : EngineHarness.DirectorIp;
        Engine.ProcessFrame(TestFrames.ArpReply(RsMac(i), Rs(i), GatewayMac, addr), ReplyLink);
    }

    /// <summary>A client packet: returns what went to the real servers' link (null if nothing).</summary>
    public byte[]? FromClient(byte[] frame)
    {
        int before = RsSink.Sent.Count;
        int outsideBefore = Outside.Sent.Count;
        Engine.ProcessFrame((byte[])frame.Clone(), 0);
        if (HasInside) Assert.Equal(outsideBefore, Outside.Sent.Count); // nothing leaks back out
        return RsSink.Sent.Count > before ? RsSink.Sent[^1] : null;
    }

    /// <summary>A real server's packet on <paramref name="link"/> (default: its own link); returns what went out to the client.</summary>
    public byte[]? FromServer(byte[] frame, int? link = null)
    {
        int before = Outside.Sent.Count;
        int insideBefore = Inside.Sent.Count;
        Engine.ProcessFrame((byte[])frame.Clone(), link ?? ReplyLink);
        Assert.Equal(insideBefore, Inside.Sent.Count);
        return Outside.Sent.Count > before ? Outside.Sent[^1] : null;
    }

    /// <summary>The real server's answer to client <paramref name="cport"/> from RS <paramref name="i"/>:<paramref name="rport"/>.</summary>
    public PacketKit.Packet Reply(int i, ushort rport, ushort cport, byte flags, int payload = 0, byte protocol = Frames.ProtoTcp) => new()
    {
        DstMac = GatewayMac,
        SrcMac = RsMac(i),
        Source = Rs(i),
        Destination = EngineHarness.Client,
        Protocol = protocol,
        SourcePort = rport,
        DestinationPort = cport,
        Flags = protocol == Frames.ProtoTcp ? flags : (byte)0,
        Seq = 0x99000000,
        AckNo = 0x11223345,
        PayloadLength = payload,
        Id = 0x7777,
        Ttl = 63,
        DontFragment = protocol == Frames.ProtoTcp,
    };

    public LvsConnection Connection(ushort clientPort) => H.Connection(clientPort);

    public LvsRealServer RealServer(int i, ushort port = 80, LvsProtocol protocol = LvsProtocol.Tcp) =>
        H.Service(port, protocol).RealServers.Single(r => r.RealAddress.Equals(EngineHarness.Ip(Rs(i))));
}
