// The frame fuzzer shared by the CI-sized property suite (FrameFuzzPropertyTests, FsCheck) and the long run
// (bench/LvsPS.Fuzz): a director with one service of every kind the engine forwards, a generator of frames (well-formed
// conversations, the same frames mutated, truncated or padded, and random bytes), the oracle that says which frames
// the engine may forward, and the checks run after every frame. No test framework here: both callers use it.
using LvsPS.Engine.DataPath;
using LvsPS.Ipvs.Model;
using LvsPS.Ipvs.Specs;

namespace LvsPS.Engine.Tests.Fuzz;

/// <summary>A frame the fuzzer hands the engine, with the link it arrives on and how it was made (for a failure report).</summary>
internal sealed record FuzzFrame(byte[] Bytes, int Link, string Origin)
{
    public override string ToString() => $"{Origin} on link {Link}: {Convert.ToHexString(Bytes)}";
}

/// <summary>Counts sent frames and checks each is whole: an Ethernet header, and an IPv4 total length that is the frame's.</summary>
internal sealed class FuzzSink : IFrameSink
{
    public long Count;
    public string? Problem;

    public void Send(ReadOnlySpan<byte> frame)
    {
        Count++;
        if (Problem is not null) return;
        if (frame.Length < Frames.EthHeader) { Problem = $"sent a {frame.Length}-byte frame"; return; }
        ushort type = Frames.U16(frame, 12);
        if (type == Frames.EtherTypeArp)
        {
            if (frame.Length != Frames.EthHeader + Frames.ArpLength) Problem = $"sent an ARP frame of {frame.Length} bytes";
            return;
        }
        if (type != Frames.EtherTypeIPv4) { Problem = $"sent ethertype 0x{type:x4}"; return; }
        var ip = frame.Slice(Frames.EthHeader);
        if (ip.Length < 20 || ip[0] >> 4 != 4 || (ip[0] & 15) < 5 || Frames.U16(ip, 2) != ip.Length)
            Problem = $"sent a broken IPv4 frame {Convert.ToHexString(frame)}";
    }
}

/// <summary>
/// The fuzzed director: the lab's addresses (LabAddresses), VIP 10.250.0.101 with TCP 80 (rr, DR to rs1 and rs2),
/// TCP 22 (persistent 300 s, DR to rs1), TCP 443 (IP-in-IP to rs3), UDP 53 (NAT to 192.168.10.3:5353 behind the inside
/// link) and SCTP 5000 (DR to rs2); firewall mark 7 for 10.250.0.102 (TCP and UDP, any port, DR to rs1 and rs2).
/// Every real server's MAC is resolved. The clock is the fuzzer's.
/// </summary>
internal sealed class FuzzDirector
{
    public static readonly byte[] InsideMac = LabAddresses.LabMac(0x01, 0x01);
    public static readonly byte[] NatRsMac = LabAddresses.LabMac(0x01, 0x03);
    public const uint InsideIp = 0xC0A80A01; // 192.168.10.1
    public const uint NatRs = 0xC0A80A03;    // 192.168.10.3
    public const ushort NatRsPort = 5353;
    public const uint MarkedVip = LabAddresses.Vip2;

    /// <summary>The address services: (protocol, port).</summary>
    public static readonly (byte Protocol, ushort Port)[] Services =
    {
        (Frames.ProtoTcp, 80), (Frames.ProtoTcp, 22), (Frames.ProtoTcp, 443), (Frames.ProtoUdp, 53), (Frames.ProtoSctp, 5000),
    };

    public long NowMs = 1_000_000;
    public readonly FuzzSink Outside = new();
    public readonly FuzzSink Inside = new();
    public readonly DirectorEngine Engine;

    public FuzzDirector()
    {
        Engine = new DirectorEngine("fuzz", (byte[])LabAddresses.DirectorMac.Clone(), LabAddresses.DirectorIp, Outside, 12, () => NowMs);
        Engine.AttachInsideLink((byte[])InsideMac.Clone(), InsideIp, Inside);
        Engine.InterfacePrefixLength = 24; // 10.250.0.0/24: 10.250.0.255 is a martian source (SubnetBroadcast)
        Func<uint, System.Net.IPAddress> ip = Frames.ToAddress;
        Add(new ServiceSpec { Protocol = LvsProtocol.Tcp, Address = ip(LabAddresses.Vip), Port = 80, Scheduler = LvsScheduler.Rr },
            Real(LabAddresses.Rs1), Real(LabAddresses.Rs2));
        Add(new ServiceSpec { Protocol = LvsProtocol.Tcp, Address = ip(LabAddresses.Vip), Port = 22, Scheduler = LvsScheduler.Rr, PersistentTimeout = 300 },
            Real(LabAddresses.Rs1));
        Add(new ServiceSpec { Protocol = LvsProtocol.Tcp, Address = ip(LabAddresses.Vip), Port = 443, Scheduler = LvsScheduler.Wlc },
            Real(LabAddresses.Rs3, LvsForwarding.Tunnel));
        Add(new ServiceSpec { Protocol = LvsProtocol.Udp, Address = ip(LabAddresses.Vip), Port = 53, Scheduler = LvsScheduler.Rr },
            Real(NatRs, LvsForwarding.Masq, NatRsPort));
        Add(new ServiceSpec { Protocol = LvsProtocol.Sctp, Address = ip(LabAddresses.Vip), Port = 5000, Scheduler = LvsScheduler.Rr },
            Real(LabAddresses.Rs2));
        Engine.AddMarkRule(new MarkRuleSpec { Mark = 7, Address = ip(MarkedVip), PrefixLength = 32 });
        Add(new ServiceSpec { FirewallMark = 7, Scheduler = LvsScheduler.Rr }, Real(LabAddresses.Rs1), Real(LabAddresses.Rs2));
        foreach (var rs in new[] { LabAddresses.Rs1, LabAddresses.Rs2, LabAddresses.Rs3 })
            Engine.ProcessFrame(TestFrames.ArpReply(rs == LabAddresses.Rs1 ? LabAddresses.Rs1Mac : rs == LabAddresses.Rs2 ? LabAddresses.Rs2Mac : LabAddresses.Rs3Mac, rs, LabAddresses.DirectorMac, LabAddresses.DirectorIp), 0);
        Engine.ProcessFrame(TestFrames.ArpReply(NatRsMac, NatRs, InsideMac, InsideIp), 1);
    }

    private void Add(ServiceSpec s, params RealServerSpec[] reals)
    {
        Engine.AddService(s);
        foreach (var r in reals) Engine.AddRealServer(s, r);
    }

    private static RealServerSpec Real(uint a, LvsForwarding f = LvsForwarding.Route, ushort port = 0) =>
        new() { Address = Frames.ToAddress(a), Forwarding = f, Port = port, Weight = 1 };

    /// <summary>The engine's counters before a frame, to tell what the frame did.</summary>
    public ulong Forwarded => Engine.FramesForwarded;

    /// <summary>
    /// The table agrees with itself: every entry (connections and persistence templates) is counted by exactly one
    /// real server as active, inactive or persistent, and no counter is negative. Null when it does, else what is wrong.
    /// </summary>
    public string? Inconsistency()
    {
        long counted = 0;
        foreach (var s in Engine.ListServices())
            foreach (var r in s.RealServers)
            {
                if (r.ActiveConnections < 0 || r.InactiveConnections < 0 || r.PersistentConnections < 0)
                    return $"negative counter on {r.RealAddress} of {s}: {r.ActiveConnections}/{r.InactiveConnections}/{r.PersistentConnections}";
                counted += r.ActiveConnections + r.InactiveConnections + r.PersistentConnections;
            }
        return counted == Engine.ConnectionCount ? null
            : $"the real servers count {counted} entries, the table holds {Engine.ConnectionCount}";
    }

    /// <summary>Lets every entry time out (the longest timeout is TCP's 900 s; templates 300 s) and runs the timer.</summary>
    public void ExpireAll()
    {
        NowMs += 24L * 3600 * 1000;
        Engine.Tick();
        NowMs += 61_000;
        Engine.Tick(); // a template that still controlled connections at the first pass gets 60 s more
    }

    /// <summary>
    /// The oracle: may the engine forward <paramref name="f"/>? Only a well-formed IPv4 frame (version 4, a header of
    /// 20 bytes or more, a correct header checksum, a total length within the frame, not a fragment) from a source that
    /// is no martian (<see cref="MartianSource"/>), sent to the link's own MAC, carrying TCP, UDP
    /// or SCTP with at least the transport header, and on the outside link to a configured service (VIP:port, or the
    /// marked address for TCP and UDP), on the inside link from the NAT real server's address and port; or an ICMP
    /// frame, well-formed the same way, to a VIP (inside: from the NAT real server).
    /// </summary>
    public static bool MayForward(ReadOnlySpan<byte> f, int link) => MayForward(f, link, validity: true);

    /// <summary>
    /// The oracle without (<paramref name="validity"/> false) the header checksum and the martian source: the frames
    /// it allows and the strict oracle refuses are the ones only those two checks stand between and the forwarding path.
    /// </summary>
    public static bool MayForward(ReadOnlySpan<byte> f, int link, bool validity)
    {
        if (f.Length < Frames.EthHeader + 20 || Frames.U16(f, 12) != Frames.EtherTypeIPv4) return false;
        if (!f.Slice(0, 6).SequenceEqual(link == 0 ? LabAddresses.DirectorMac : InsideMac)) return false;
        var ip = f.Slice(Frames.EthHeader);
        int ihl = (ip[0] & 15) * 4, total = Frames.U16(ip, 2);
        if (ip[0] >> 4 != 4 || ihl < 20 || total < ihl || total > ip.Length) return false;
        if ((Frames.U16(ip, 6) & 0x3fff) != 0) return false;
        byte proto = ip[9];
        uint src = Frames.U32(ip, 12), dst = Frames.U32(ip, 16);
        if (validity && (!HeaderChecksumOk(ip.Slice(0, ihl)) || MartianSource(src))) return false;
        if (proto == 1) return link == 0 ? dst is LabAddresses.Vip or MarkedVip : src == NatRs;
        if (!Ipv4Packet.IsTransport(proto) || total - ihl < Ipv4Packet.MinL4Length(proto)) return false;
        ushort sport = Frames.U16(ip, ihl), dport = Frames.U16(ip, ihl + 2);
        if (link != 0) return proto == Frames.ProtoUdp && src == NatRs && sport == NatRsPort;
        if (dst == MarkedVip) return proto is Frames.ProtoTcp or Frames.ProtoUdp;
        return dst == LabAddresses.Vip && Array.IndexOf(Services, (proto, dport)) >= 0;
    }

    /// <summary>The lab subnet's broadcast address (10.250.0.0/24, the prefix the fuzzed director is given).</summary>
    public const uint SubnetBroadcast = 0x0AFA00FF;

    /// <summary>
    /// The sources a kernel refuses before IPVS (ip_route_input_slow): 255.255.255.255 and the subnet's broadcast,
    /// 224.0.0.0/4, 127.0.0.0/8, 0.0.0.0 and the director's own addresses (interface, inside, every VIP). 240.0.0.0/4
    /// below the broadcast and 0.0.0.0/8 other than 0.0.0.0 are not martians.
    /// </summary>
    public static bool MartianSource(uint src) =>
        src is 0xFFFFFFFF or SubnetBroadcast or 0 or LabAddresses.DirectorIp or InsideIp or LabAddresses.Vip or MarkedVip
        || src >> 28 == 0xE || src >> 24 == 127;

    /// <summary>RFC 791: the 16-bit one's-complement sum of the header words, its checksum field included, is 0xffff.</summary>
    public static bool HeaderChecksumOk(ReadOnlySpan<byte> header)
    {
        uint sum = 0;
        for (int i = 0; i + 1 < header.Length; i += 2) sum += (uint)(header[i] << 8 | header[i + 1]);
        while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
        return sum == 0xffff;
    }
}

/// <summary>
/// Makes the fuzzer's frames from a <see cref="Random"/>: a well-formed frame of some kind (to a service, to a VIP
/// port with no service, to another address, ARP, ICMP, a NAT reply on the inside link, random bytes), then, half of
/// the time, mutated: bytes flipped, header fields set to edge values, the IP header checksum made right again or
/// not, truncated or padded. Clients and ports come from small pools so that frames meet existing connections.
/// </summary>
internal static class FrameGenerator
{
    private static readonly byte[] Tcp = { Frames.ProtoTcp };
    private static readonly byte[] FlagSets =
    {
        Frames.Syn, Frames.Syn, Frames.Ack, Frames.Ack | 0x08, Frames.Fin | Frames.Ack, Frames.Rst, Frames.Syn | Frames.Ack,
        Frames.Syn | Frames.Fin, 0, 0xff,
    };

    public static FuzzFrame Next(Random r)
    {
        if (r.Next(8) == 0) return Invalidated(r);
        var (bytes, link, origin) = Base(r);
        if (r.Next(2) != 0) bytes = Mutate(r, bytes, ref origin);
        return new FuzzFrame(bytes, link, origin);
    }

    private static uint ClientAddress(Random r) => r.Next(8) switch
    {
        0 => (uint)r.NextInt64(0, 1L << 32),  // anything, martians included
        1 => 0xE0000001,                     // multicast
        2 => 0x7F000001,                     // loopback
        3 => LabAddresses.Vip,              // the VIP itself
        _ => LabAddresses.Client + (uint)r.Next(4),
    };

    private static ushort ClientPort(Random r) => r.Next(10) == 0 ? (ushort)r.Next(65536) : (ushort)(40000 + r.Next(16));

    private static (byte[], int, string) Base(Random r)
    {
        var dstMac = r.Next(20) switch { 0 => Frames.Broadcast, 1 => LabAddresses.Rs1Mac, _ => LabAddresses.DirectorMac };
        uint client = ClientAddress(r);
        switch (r.Next(12))
        {
            case 0: case 1: case 2: case 3:
            {
                var (proto, port) = FuzzDirector.Services[r.Next(FuzzDirector.Services.Length)];
                return (Transport(r, dstMac, client, LabAddresses.Vip, proto, ClientPort(r), port), 0, $"service {proto}/{port}");
            }
            case 4:
            {
                byte proto = r.Next(3) == 0 ? Frames.ProtoUdp : Frames.ProtoTcp;
                return (Transport(r, dstMac, client, FuzzDirector.MarkedVip, proto, ClientPort(r), (ushort)r.Next(65536)), 0, $"marked {proto}");
            }
            case 5:
            {
                byte proto = (byte)(r.Next(4) == 0 ? r.Next(256) : new[] { 6, 17, 132 }[r.Next(3)]);
                uint dst = r.Next(2) == 0 ? LabAddresses.Vip : (uint)r.NextInt64(0, 1L << 32);
                return (Transport(r, dstMac, client, dst, proto, ClientPort(r), (ushort)r.Next(65536)), 0, $"other {proto}");
            }
            case 6:
                return (Icmp(r, dstMac, client, LabAddresses.Vip), 0, "icmp");
            case 7:
            {
                // A NAT reply from the real server (mostly to a client and port of the pools), on the inside link.
                var f = Transport(r, InsideOr(r), FuzzDirector.NatRs, client, Frames.ProtoUdp, FuzzDirector.NatRsPort, ClientPort(r));
                return (f, 1, "nat reply");
            }
            case 8:
            {
                var f = Transport(r, InsideOr(r), FuzzDirector.NatRs, client, Tcp[0], FuzzDirector.NatRsPort, ClientPort(r));
                return (f, 1, "inside other");
            }
            case 9:
                return (Arp(r), r.Next(4) == 0 ? 1 : 0, "arp");
            case 10:
            {
                // Random bytes behind an IPv4 ethertype (and, half the time, a version-4 first byte).
                var f = RandomBytes(r, 14 + r.Next(120));
                dstMac.CopyTo(f, 0);
                Frames.W16(f, 12, Frames.EtherTypeIPv4);
                if (f.Length > 14 && r.Next(2) == 0) f[14] = (byte)(0x40 | (f[14] & 15));
                return (f, r.Next(3) == 0 ? 1 : 0, "random ipv4");
            }
            default:
                return (RandomBytes(r, r.Next(100)), r.Next(2), "random");
        }
    }

    /// <summary>
    /// A frame the engine would forward but for one change: a SYN to a service (or a NAT reply on the inside link)
    /// with only its IP header checksum made wrong, or only its source set to a martian (the checksum made right
    /// again), or, as a contrast the engine must still forward, to a class E or 0/8 source.
    /// </summary>
    private static FuzzFrame Invalidated(Random r)
    {
        int kind = r.Next(3);
        bool inside = kind != 1 && r.Next(4) == 0; // a martian source on the inside is no longer the NAT real server's
        var f = inside
            ? Transport(r, FuzzDirector.InsideMac, FuzzDirector.NatRs, LabAddresses.Client + (uint)r.Next(4), Frames.ProtoUdp, FuzzDirector.NatRsPort, ClientPort(r))
            : Transport(r, LabAddresses.DirectorMac, LabAddresses.Client + (uint)r.Next(4), LabAddresses.Vip, Frames.ProtoTcp, ClientPort(r), 80);
        if (!inside) f[Frames.EthHeader + 20 + 13] = Frames.Syn;
        int link = inside ? 1 : 0;
        string what = inside ? "nat reply" : "syn";
        switch (kind)
        {
            case 0:
            {
                // Only the checksum wrong: a bit flipped in the checksum field, or in a field nothing else checks (TOS,
                // identification, TTL) with the checksum left as it was, or the field zeroed.
                if (r.Next(5) == 0) Frames.W16(f, 24, 0);
                else f[new[] { 24, 25, 15, 18, 19, 22 }[r.Next(6)]] ^= (byte)(1 << r.Next(8));
                return new FuzzFrame(f, link, $"{what} bad checksum");
            }
            case 1:
            {
                uint martian = r.Next(9) switch
                {
                    0 => 0xFFFFFFFF,
                    1 => FuzzDirector.SubnetBroadcast,
                    2 => 0xE0000000 | (uint)r.Next(1 << 28),
                    3 => 0x7F000000 | (uint)r.Next(1 << 24),
                    4 => 0,
                    5 => LabAddresses.DirectorIp,
                    6 => FuzzDirector.InsideIp,
                    7 => FuzzDirector.MarkedVip,
                    _ => LabAddresses.Vip,
                };
                return new FuzzFrame(Resourced(f, martian), link, $"{what} martian source {Frames.ToAddress(martian)}");
            }
            default:
            {
                uint fine = r.Next(2) == 0 ? 0xF0000000 | (uint)r.Next(0x0FFFFFFF) : (uint)r.Next(1, 1 << 24);
                return new FuzzFrame(inside ? f : Resourced(f, fine), link, $"{what} source {Frames.ToAddress(fine)}");
            }
        }
    }

    /// <summary>The frame with another IPv4 source and the header checksum made right for it.</summary>
    private static byte[] Resourced(byte[] f, uint source)
    {
        Frames.W32(f, Frames.EthHeader + 12, source);
        Frames.W16(f, 24, 0);
        Frames.W16(f, 24, DirectorEngine.Checksum(f.AsSpan(Frames.EthHeader, 20)));
        return f;
    }

    private static byte[] InsideOr(Random r) => r.Next(10) == 0 ? Frames.Broadcast : FuzzDirector.InsideMac;

    private static byte[] RandomBytes(Random r, int n)
    {
        var b = new byte[n];
        r.NextBytes(b);
        return b;
    }

    /// <summary>A TCP, UDP or SCTP frame (any other protocol: a random payload) with a correct IP header checksum.</summary>
    private static byte[] Transport(Random r, byte[] dstMac, uint src, uint dst, byte proto, ushort sport, ushort dport)
    {
        int payload = r.Next(5) == 0 ? r.Next(1500) : r.Next(64);
        int l4 = proto switch { Frames.ProtoTcp => 20, Frames.ProtoUdp => 8, Frames.ProtoSctp => 12 + 20, _ => 0 } + payload;
        ushort frag = r.Next(3) == 0 ? (ushort)0 : (ushort)0x4000;
        var f = TestFrames.EthernetIPv4(LabAddresses.ClientMac, dstMac, src, dst, proto, l4, (ushort)r.Next(65536), frag);
        var t = f.AsSpan(Frames.EthHeader + 20);
        r.NextBytes(t);
        if (proto is Frames.ProtoTcp or Frames.ProtoUdp or Frames.ProtoSctp)
        {
            Frames.W16(t, 0, sport);
            Frames.W16(t, 2, dport);
        }
        if (proto == Frames.ProtoTcp)
        {
            t[12] = 5 << 4;
            t[13] = FlagSets[r.Next(FlagSets.Length)];
        }
        else if (proto == Frames.ProtoUdp)
        {
            Frames.W16(t, 4, (ushort)l4);
        }
        else if (proto == Frames.ProtoSctp)
        {
            // The first chunk: INIT (1), INIT ACK, ABORT, SHUTDOWN, COOKIE ECHO, DATA or anything, with a length.
            t[12] = r.Next(3) == 0 ? (byte)r.Next(256) : new byte[] { 1, 1, 2, 6, 7, 10, 0 }[r.Next(7)];
            Frames.W16(t, 14, (ushort)(r.Next(4) == 0 ? r.Next(65536) : 20));
            if (r.Next(4) != 0) Crc32c.WriteSctpChecksum(t);
        }
        return f;
    }

    private static byte[] Icmp(Random r, byte[] dstMac, uint src, uint dst)
    {
        // An echo request, or an error quoting a packet (any type and code).
        var f = TestFrames.EthernetIPv4(LabAddresses.ClientMac, dstMac, src, dst, 1, 8 + r.Next(60), (ushort)r.Next(65536), 0);
        var t = f.AsSpan(Frames.EthHeader + 20);
        r.NextBytes(t);
        t[0] = r.Next(2) == 0 ? (byte)8 : (byte)r.Next(256);
        return f;
    }

    private static byte[] Arp(Random r)
    {
        var f = r.Next(2) == 0
            ? TestFrames.ArpRequest(LabAddresses.ClientMac, LabAddresses.Client, r.Next(2) == 0 ? LabAddresses.Vip : (uint)r.NextInt64(0, 1L << 32))
            : TestFrames.ArpReply(r.Next(2) == 0 ? LabAddresses.Rs1Mac : RandomBytes(r, 6),
                r.Next(2) == 0 ? LabAddresses.Rs1 : (uint)r.NextInt64(0, 1L << 32), LabAddresses.DirectorMac, LabAddresses.DirectorIp);
        return f;
    }

    /// <summary>Mutates a copy: 1..4 of the mutations below, then the IP header checksum made right two times in three.</summary>
    private static byte[] Mutate(Random r, byte[] f, ref string origin)
    {
        var m = (byte[])f.Clone();
        int n = 1 + r.Next(4);
        for (int i = 0; i < n; i++)
        {
            int kind = r.Next(9);
            origin += $" m{kind}";
            switch (kind)
            {
                case 0: // flip bits anywhere
                case 1:
                    if (m.Length > 0) m[r.Next(m.Length)] ^= (byte)(1 << r.Next(8));
                    break;
                case 2: // a random byte in the IP header or the first transport bytes
                    if (m.Length > 14) m[14 + r.Next(Math.Min(m.Length - 14, 48))] = (byte)r.Next(256);
                    break;
                case 3: // version/IHL
                    if (m.Length > 14) m[14] = (byte)r.Next(256);
                    break;
                case 4: // total length: an edge value
                    if (m.Length >= 18)
                        Frames.W16(m, 16, (ushort)(r.Next(3) switch { 0 => r.Next(65536), 1 => m.Length - 14 + r.Next(-24, 24), _ => r.Next(60) }));
                    break;
                case 5: // fragment: more fragments or an offset
                    if (m.Length >= 22) Frames.W16(m, 20, (ushort)(r.Next(2) == 0 ? 0x2000 : r.Next(65536)));
                    break;
                case 6: // truncate
                    if (m.Length > 0) Array.Resize(ref m, r.Next(m.Length));
                    break;
                case 7: // Ethernet padding or trailing bytes
                {
                    int old = m.Length;
                    Array.Resize(ref m, old + 1 + r.Next(64));
                    if (r.Next(2) == 0) r.NextBytes(m.AsSpan(old));
                    break;
                }
                default: // protocol
                    if (m.Length > 23) m[23] = r.Next(2) == 0 ? (byte)r.Next(256) : new byte[] { 1, 6, 17, 132, 4, 0 }[r.Next(6)];
                    break;
            }
        }
        if (r.Next(3) != 0 && m.Length >= 34 && (m[14] & 15) >= 5)
        {
            int ihl = (m[14] & 15) * 4;
            if (m.Length >= 14 + ihl)
            {
                Frames.W16(m, 24, 0);
                Frames.W16(m, 24, DirectorEngine.Checksum(m.AsSpan(14, ihl)));
            }
        }
        return m;
    }
}

/// <summary>
/// One fuzz run: frames into one <see cref="FuzzDirector"/>, every frame checked (no exception, nothing forwarded the
/// oracle refuses, every frame sent whole, the table consistent every <see cref="CheckEvery"/> frames), the director
/// rebuilt every <see cref="FramesPerDirector"/> frames after all its entries expired (then the table must be empty).
/// Throws <see cref="FuzzFailure"/> at the first broken rule.
/// </summary>
internal sealed class FuzzRun
{
    public int FramesPerDirector { get; init; } = 5_000;
    public int CheckEvery { get; init; } = 1;
    public long Frames { get; private set; }
    public long Forwarded { get; private set; }
    public long Sent { get; private set; }
    public long Directors { get; private set; }

    public void Run(int seed, long count)
    {
        var r = new Random(seed);
        FuzzDirector? d = null;
        for (long i = 0; i < count; i++)
        {
            if (d is null || i % FramesPerDirector == 0)
            {
                if (d is not null) Finish(d);
                d = new FuzzDirector();
                Directors++;
            }
            var frame = FrameGenerator.Next(r);
            One(d, frame, i % CheckEvery == 0);
            if (r.Next(64) == 0) { d.NowMs += r.Next(200_000); d.Engine.Tick(); }
            else d.NowMs += r.Next(5);
        }
        if (d is not null) Finish(d);
    }

    /// <summary>Feeds one frame and checks what it did.</summary>
    public void One(FuzzDirector d, FuzzFrame frame, bool checkTable = true)
    {
        var copy = (byte[])frame.Bytes.Clone(); // the engine rewrites the frame in place
        ulong forwarded = d.Forwarded;
        try
        {
            d.Engine.ProcessFrame(copy, frame.Link);
        }
        catch (Exception e)
        {
            throw new FuzzFailure($"ProcessFrame threw {e.GetType().Name}: {e.Message}", frame, e);
        }
        Frames++;
        if (d.Forwarded != forwarded)
        {
            Forwarded++;
            if (!FuzzDirector.MayForward(frame.Bytes, frame.Link)) throw new FuzzFailure("forwarded a frame the oracle refuses", frame);
        }
        var problem = d.Outside.Problem ?? d.Inside.Problem ?? (checkTable ? d.Inconsistency() : null);
        if (problem is not null) throw new FuzzFailure(problem, frame);
    }

    private void Finish(FuzzDirector d)
    {
        var problem = d.Inconsistency();
        d.ExpireAll();
        if (problem is null && d.Engine.ConnectionCount != 0) problem = $"{d.Engine.ConnectionCount} entries left after every timeout";
        problem ??= d.Inconsistency();
        Sent += d.Outside.Count + d.Inside.Count;
        if (problem is not null) throw new FuzzFailure(problem, null);
    }
}

internal sealed class FuzzFailure : Exception
{
    public FuzzFrame? Frame { get; }

    public FuzzFailure(string message, FuzzFrame? frame, Exception? inner = null)
        : base(frame is null ? message : $"{message}; frame: {frame}", inner) => Frame = frame;
}
