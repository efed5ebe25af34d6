using LvsPS.Management.Text;
using static LvsPS.Engine.Tests.PacketKit;
using S = LvsPS.Ipvs.Model.LvsConnectionState;

namespace LvsPS.Engine.Tests;

/// <summary>
/// SCTP virtual services (protocol 132) with real frames: scheduling on INIT only, the kernel's SCTP state table
/// (INPUT-ONLY for DR, INPUT/OUTPUT for NAT), ActiveConn/InActConn, timeouts, DR byte-exactness, NAT port
/// rewriting with the CRC32c checked by the test's own bit-by-bit routine, and the ipvsadm texts.
/// </summary>
public class EngineSctpTests
{
    private const byte Data = 0, Init = 1, InitAck = 2, Sack = 3, Heartbeat = 4, Abort = 6, Shutdown = 7,
        ShutdownAck = 8, CookieEcho = 10, CookieAck = 11, ShutdownComplete = 14;
    private const ushort Port = 5000;

    // ------------------------------------------------------------------ an independent CRC32c and frame builder

    /// <summary>CRC32c bit by bit (reflected 0x82F63B78, init and final xor all ones): nothing shared with the engine.</summary>
    private static uint BitCrc32c(ReadOnlySpan<byte> data)
    {
        uint crc = 0xffffffff;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>The SCTP checksum of a packet: CRC32c with the checksum field as zero.</summary>
    private static uint SctpCrc(ReadOnlySpan<byte> sctp)
    {
        var copy = sctp.ToArray();
        copy[8] = copy[9] = copy[10] = copy[11] = 0;
        return BitCrc32c(copy);
    }

    /// <summary>The stored checksum (least significant byte first, as RFC 4960 Appendix B / the kernel store it).</summary>
    private static uint StoredCrc(ReadOnlySpan<byte> sctp) => (uint)(sctp[8] | sctp[9] << 8 | sctp[10] << 16 | sctp[11] << 24);

    private static ReadOnlySpan<byte> SctpOf(byte[] frame)
    {
        var ip = frame.AsSpan(14);
        int ihl = (ip[0] & 0x0f) * 4;
        return ip.Slice(ihl, Get16(ip, 2) - ihl);
    }

    private static void AssertSctpValid(byte[] frame)
    {
        Assert.True(IpHeaderValid(frame.AsSpan(14)), "IPv4 header checksum");
        var sctp = SctpOf(frame);
        Assert.Equal(SctpCrc(sctp), StoredCrc(sctp));
    }

    internal sealed record SctpPacket
    {
        public byte[] DstMac { get; init; } = DirectorMac;
        public byte[] SrcMac { get; init; } = ClientMac;
        public uint Source { get; init; } = Client;
        public uint Destination { get; init; } = Vip;
        public ushort SourcePort { get; init; } = 40000;
        public ushort DestinationPort { get; init; } = Port;
        public uint Tag { get; init; } = 0x5eed1234;
        public byte Ttl { get; init; } = 64;
        public ushort Id { get; init; } = 0x2222;
        /// <summary>(type, chunk length without padding); the value is a pattern.</summary>
        public (byte Type, int Length)[] Chunks { get; init; } = { (Init, 20) };
        public bool ValidCrc { get; init; } = true;
    }

    private static SctpPacket Pkt(ushort cport, params (byte, int)[] chunks) =>
        new() { SourcePort = cport, Chunks = chunks };

    private static SctpPacket Chunk(ushort cport, byte type, int length = 16) => Pkt(cport, (type, length));

    private static byte[] Frame(SctpPacket p)
    {
        int sctpLen = 12 + p.Chunks.Sum(c => (c.Length + 3) & ~3);
        int total = 20 + sctpLen;
        var f = new byte[14 + total];
        p.DstMac.CopyTo(f, 0);
        p.SrcMac.CopyTo(f, 6);
        f[12] = 0x08; f[13] = 0x00;
        var ip = f.AsSpan(14);
        ip[0] = 0x45;
        Put16(ip, 2, (ushort)total);
        Put16(ip, 4, p.Id);
        Put16(ip, 6, 0x4000);
        ip[8] = p.Ttl;
        ip[9] = 132;
        Put32(ip, 12, p.Source);
        Put32(ip, 16, p.Destination);
        Put16(ip, 10, Checksum(ip.Slice(0, 20)));
        var s = ip.Slice(20);
        Put16(s, 0, p.SourcePort);
        Put16(s, 2, p.DestinationPort);
        Put32(s, 4, p.Tag);
        int o = 12;
        foreach (var (type, len) in p.Chunks)
        {
            s[o] = type;
            s[o + 1] = 0;
            Put16(s, o + 2, (ushort)len);
            for (int i = 4; i < len; i++) s[o + i] = (byte)(i * 13 + type);
            o += (len + 3) & ~3;
        }
        uint crc = SctpCrc(s);
        if (!p.ValidCrc) crc ^= 0xdeadbeef;
        s[8] = (byte)crc; s[9] = (byte)(crc >> 8); s[10] = (byte)(crc >> 16); s[11] = (byte)(crc >> 24);
        return f;
    }

    private static EngineHarness Dr(params uint[] reals)
    {
        var h = Resolved(Spec(Port, LvsScheduler.Rr, LvsProtocol.Sctp), reals.Select(r => (r, 1)).ToArray());
        h.Sink.Clear();
        return h;
    }

    /// <summary>An INIT and a COOKIE-ECHO from <paramref name="clientPort"/>: the association is ESTABLISHED.</summary>
    private static byte[]? Associate(EngineHarness h, ushort clientPort)
    {
        h.Forward(Frame(Chunk(clientPort, Init, 20)));
        return h.Forward(Frame(Chunk(clientPort, CookieEcho, 64)));
    }

    private static LvsRealServer Rs(EngineHarness h, uint rs) => h.RealServer(rs, Port, LvsProtocol.Sctp);

    // ------------------------------------------------------------------ CRC32c

    [Fact]
    public void Crc32c_KnownVectors_AndAgreesWithTheBitByBitRoutine()
    {
        var digits = "123456789"u8.ToArray();
        Assert.Equal(0xE3069283u, BitCrc32c(digits));
        Assert.Equal(0xE3069283u, Crc32c.Compute(digits));
        Assert.Equal(0x8A9136AAu, Crc32c.Compute(new byte[32]));          // RFC 3720 B.4: 32 bytes of zeros
        Assert.Equal(0x62A8AB43u, Crc32c.Compute(Enumerable.Repeat((byte)0xff, 32).ToArray())); // 32 bytes of ones
        var rnd = new Random(132);
        foreach (int len in new[] { 0, 1, 3, 12, 16, 17, 100, 1480 })
        {
            var b = new byte[len];
            rnd.NextBytes(b);
            Assert.Equal(BitCrc32c(b), Crc32c.Compute(b));
        }
        var f = Frame(Pkt(40000, (Init, 20)));
        Assert.True(Crc32c.SctpChecksumValid(SctpOf(f)));
        Assert.False(Crc32c.SctpChecksumValid(SctpOf(Frame(Pkt(40000, (Init, 20)) with { ValidCrc = false }))));
    }

    // ------------------------------------------------------------------ scheduling

    [Fact]
    public void Init_SchedulesRoundRobinAcrossTheRealServers()
    {
        var h = Dr(Rs1, Rs2);
        var picks = Enumerable.Range(0, 4).Select(i => RealServerOf(h.Forward(Frame(Pkt((ushort)(40000 + i), (Init, 20)))))).ToArray();
        Assert.All(picks, p => Assert.NotNull(p));
        Assert.NotEqual(picks[0], picks[1]);
        Assert.Equal(picks[0], picks[2]);
        Assert.Equal(picks[1], picks[3]);
        Assert.Equal(2, Rs(h, Rs1).InactiveConnections);
        Assert.Equal(2, Rs(h, Rs2).InactiveConnections);
        Assert.Equal(4ul, h.Service(Port, LvsProtocol.Sctp).Statistics.Connections);
        Assert.All(h.Engine.ListConnections(), c =>
        {
            Assert.Equal(LvsProtocol.Sctp, c.Protocol);
            Assert.Equal(S.SctpInit1, c.State);
        });
    }

    [Theory]
    [InlineData(Data)]
    [InlineData(Sack)]
    [InlineData(Heartbeat)]
    [InlineData(InitAck)]
    [InlineData(CookieEcho)]
    [InlineData(CookieAck)]
    [InlineData(Shutdown)]
    [InlineData(Abort)]
    public void NonInitWithoutAnEntry_IsDropped(byte chunk)
    {
        var h = Dr(Rs1, Rs2);
        ulong dropped = h.Engine.FramesDropped;
        Assert.Null(h.Forward(Frame(Chunk(40000, chunk))));
        Assert.Equal(dropped + 1, h.Engine.FramesDropped);
        Assert.Empty(h.Engine.ListConnections());
        Assert.Equal(0ul, h.Service(Port, LvsProtocol.Sctp).Statistics.Connections);
    }

    [Fact]
    public void NoChunkHeader_CannotSchedule_TooShortForACommonHeader_IsDropped()
    {
        var h = Dr(Rs1);
        Assert.Null(h.Forward(Frame(new SctpPacket { Chunks = Array.Empty<(byte, int)>() })));
        // 8 bytes of SCTP: shorter than the common header.
        var f = Frame(new SctpPacket { Chunks = Array.Empty<(byte, int)>() });
        var cut = f.AsSpan(0, 14 + 28).ToArray();
        Put16(cut.AsSpan(14), 2, 28);
        Put16(cut.AsSpan(14), 10, 0);
        Put16(cut.AsSpan(14), 10, Checksum(cut.AsSpan(14, 20)));
        ulong dropped = h.Engine.FramesDropped;
        Assert.Null(h.Forward(cut));
        Assert.Equal(dropped + 1, h.Engine.FramesDropped);
        Assert.Empty(h.Engine.ListConnections());
    }

    [Fact]
    public void NoRealServer_InitGetsPortUnreachable()
    {
        var h = new EngineHarness();
        h.Engine.AddService(Spec(Port, LvsScheduler.Rr, LvsProtocol.Sctp));
        h.Process(Frame(Pkt(40000, (Init, 20))));
        Assert.Equal(1ul, h.Engine.IcmpUnreachableSent);
    }

    // ------------------------------------------------------------------ DR

    [Fact]
    public void Dr_ForwardsByteIdentical_OnlyTheMacsChange()
    {
        var h = Dr(Rs1);
        foreach (var p in new[] { Pkt(40000, (Init, 20)), Pkt(40000, (CookieEcho, 150)), Pkt(40000, (Data, 1017), (Sack, 16)) })
        {
            var frame = Frame(p);
            var sent = h.Forward(frame);
            var expected = (byte[])frame.Clone();
            Rs1Mac.CopyTo(expected, 0);
            DirectorMac.CopyTo(expected, 6);
            AssertSameBytes(expected, sent);
            AssertSctpValid(sent!);
        }
        // A frame with a bad CRC is still forwarded untouched in DR (the kernel checks no CRC on this path).
        var bad = Frame(Pkt(40000, (Data, 40)) with { ValidCrc = false });
        var out1 = h.Forward(bad);
        Assert.Equal(bad.AsSpan(12).ToArray(), out1!.AsSpan(12).ToArray());
    }

    [Fact]
    public void Dr_StateWalk_InputOnly_CountsAndTimeouts()
    {
        var h = Dr(Rs1);
        void Step(byte chunk, S state, int expires, int active, int inactive, int length = 16)
        {
            Assert.NotNull(h.Forward(Frame(Chunk(40000, chunk, length))));
            var c = h.Connection(40000);
            Assert.Equal(state, c.State);
            Assert.Equal(expires, c.ExpiresInSeconds);
            Assert.Equal(active, Rs(h, Rs1).ActiveConnections);
            Assert.Equal(inactive, Rs(h, Rs1).InactiveConnections);
        }
        Step(Init, S.SctpInit1, 4, 0, 1, 20);
        Step(Init, S.SctpInit, 61, 0, 1, 20);      // a retransmitted INIT
        Step(CookieEcho, S.Established, 900, 1, 0, 120);
        Step(Data, S.Established, 900, 1, 0, 500);
        Step(Sack, S.Established, 900, 1, 0);
        Step(Heartbeat, S.Established, 900, 1, 0);
        Step(Shutdown, S.SctpShutdownReceived, 61, 0, 1, 8);
        Step(ShutdownComplete, S.SctpClosed, 61, 0, 1, 4);
        Assert.Equal(8ul, h.Engine.ListConnections().Single().Packets);

        // Expiry with the fake clock: CLOSED lasts 61 s.
        h.TickAfter(60);
        Assert.Single(h.Engine.ListConnections());
        h.TickAfter(1.5);
        Assert.Empty(h.Engine.ListConnections());
        Assert.Equal(0, Rs(h, Rs1).InactiveConnections);
        Assert.Equal(0, Rs(h, Rs1).ActiveConnections);
    }

    [Fact]
    public void Init1_ExpiresAfterFourSeconds_Established_After900()
    {
        var h = Dr(Rs1);
        h.Forward(Frame(Chunk(40000, Init, 20)));
        Associate(h, 40001);
        Assert.Equal(1, Rs(h, Rs1).ActiveConnections);
        Assert.Equal(1, Rs(h, Rs1).InactiveConnections);
        h.TickAfter(3.5);
        Assert.Equal(2, h.Engine.ConnectionCount);
        h.TickAfter(1);
        Assert.Equal(S.Established, h.Engine.ListConnections().Single().State);
        Assert.Equal(0, Rs(h, Rs1).InactiveConnections);
        h.TickAfter(895);
        Assert.Equal(1, h.Engine.ConnectionCount);
        h.TickAfter(1);
        Assert.Equal(0, h.Engine.ConnectionCount);
        Assert.Equal(0, Rs(h, Rs1).ActiveConnections);
    }

    [Fact]
    public void Abort_Closes_AndAnInitOnAClosedEntryIsScheduledAfresh()
    {
        var h = Dr(Rs1, Rs2);
        var first = RealServerOf(h.Forward(Frame(Chunk(40000, Init, 20))));
        h.Forward(Frame(Chunk(40000, CookieEcho, 64)));
        // COOKIE-ECHO bundled with DATA stays ESTABLISHED; DATA then ABORT: the first chunk (DATA) counts.
        h.Forward(Frame(Pkt(40000, (Data, 30), (Abort, 4))));
        Assert.Equal(S.Established, h.Connection(40000).State);
        h.Forward(Frame(Chunk(40000, Abort, 4)));
        Assert.Equal(S.SctpClosed, h.Connection(40000).State);
        Assert.Equal(0, Rs(h, first!.Value).ActiveConnections);

        var second = RealServerOf(h.Forward(Frame(Chunk(40000, Init, 20))));
        Assert.NotEqual(first, second); // rr moved on: a new connection, not the old entry
        Assert.Equal(S.SctpInit1, h.Connection(40000).State);
        Assert.Equal(2ul, h.Service(Port, LvsProtocol.Sctp).Statistics.Connections);
        Assert.Equal(0, Rs(h, first.Value).InactiveConnections);
    }

    [Fact]
    public void CookieEchoBundledWithAbort_CountsAsAbort()
    {
        var h = Dr(Rs1);
        h.Forward(Frame(Chunk(40000, Init, 20)));
        h.Forward(Frame(Pkt(40000, (CookieEcho, 37), (Abort, 4))));
        Assert.Equal(S.SctpClosed, h.Connection(40000).State);
        Assert.Equal(0, Rs(h, Rs1).ActiveConnections);
    }

    [Fact]
    public void PacketWithoutChunk_OnAnEntry_IsForwarded_StateUnchanged()
    {
        var h = Dr(Rs1);
        Associate(h, 40000);
        Assert.NotNull(h.Forward(Frame(new SctpPacket { Chunks = Array.Empty<(byte, int)>() })));
        Assert.Equal(S.Established, h.Connection(40000).State);
        Assert.Equal(900, h.Connection(40000).ExpiresInSeconds);
    }

    [Fact]
    public void Dr_DataPath_AllocatesNothing()
    {
        var sink = new CountingSink();
        long now = 1_000_000;
        var engine = new DirectorEngine("alloc", (byte[])DirectorMac.Clone(), DirectorIp, sink, 12, () => now);
        var spec = Spec(Port, LvsScheduler.Rr, LvsProtocol.Sctp);
        engine.AddService(spec);
        engine.AddRealServer(spec, Real(Rs1));
        engine.ProcessFrame(TestFrames.ArpReply(Rs1Mac, Rs1, DirectorMac, DirectorIp));
        engine.ProcessFrame(Frame(Chunk(40000, Init, 20)));
        engine.ProcessFrame(Frame(Chunk(40000, CookieEcho, 64)));
        var data = Frame(Pkt(40000, (Data, 1000)));
        void Feed(int count) { for (int i = 0; i < count; i++) { DirectorMac.CopyTo(data, 0); engine.ProcessFrame(data); } }
        Feed(20_000);
        int sentBefore = sink.Count;
        Assert.Equal(0, Allocations.Least(_ => Feed(1000), out int windows));
        Assert.Equal(windows * 1000, sink.Count - sentBefore); // every measured frame was forwarded, none ignored

        var sctp = SctpOf(Frame(Pkt(40000, (Data, 1400)))).ToArray();
        Crc32c.WriteSctpChecksum(sctp);
        Assert.Equal(0, Allocations.Least(_ => { for (int i = 0; i < 100; i++) Crc32c.WriteSctpChecksum(sctp); }));
    }

    [Fact]
    public void Persistence_TemplatePinsTheClient_AndNeverMeetsAnSctpConnectionFromPortZero()
    {
        var h = new EngineHarness();
        var spec = Spec(Port, LvsScheduler.Rr, LvsProtocol.Sctp);
        spec.PersistentTimeout = 300;
        h.AddService(spec, (Rs1, 1), (Rs2, 1));
        h.ResolveAll(Rs1, Rs2);
        // A client whose SCTP source port is 0: its entry shares every key field with the template but the protocol.
        var first = RealServerOf(h.Forward(Frame(Chunk(0, Init, 20))));
        var second = RealServerOf(h.Forward(Frame(Chunk(40001, Init, 20))));
        Assert.Equal(first, second);
        h.Engine.Tick(); // nothing is due: had the second INIT taken the port-0 entry for the template, it would be
        var all = h.Engine.ListConnections();
        Assert.Equal(3, all.Count); // two connections and one template
        Assert.Equal(1, h.Engine.ListServices().Single().RealServers.Sum(r => r.PersistentConnections));
        Assert.Equal(2, all.Count(c => c.State == S.SctpInit1));
        // The port-0 client's COOKIE-ECHO moves its own entry, not the template.
        Assert.NotNull(h.Forward(Frame(Chunk(0, CookieEcho, 64))));
        var rs = h.Engine.ListServices().Single().RealServers.Single(r => r.RealAddress.Equals(Ip(first!.Value)));
        Assert.Equal(1, rs.ActiveConnections);
        Assert.Equal(1, rs.InactiveConnections);
        Assert.Equal(1, rs.PersistentConnections);
        Assert.Single(h.Engine.ListConnections(), c => c.State == S.Established);
        h.TickAfter(62);
        Assert.Equal(2, h.Engine.ConnectionCount); // INIT1 expired; the template (300 s) and ESTABLISHED stay
    }

    // ------------------------------------------------------------------ NAT

    /// <summary>VIP:5000 -> 192.168.10.3:6000 behind the inside link.</summary>
    private static NatHarness Nat(ushort realPort = 6000)
    {
        var n = new NatHarness();
        n.Service(Port, LvsProtocol.Sctp, (1, realPort));
        return n;
    }

    private static SctpPacket ToRealServer(NatHarness n, SctpPacket p, ushort rport) =>
        p with { DstMac = n.RsMac(1), SrcMac = NatHarness.InsideMac, Destination = n.Rs(1), DestinationPort = rport };

    private static SctpPacket Reply(NatHarness n, ushort rport, byte chunk, int length = 16) => new()
    {
        DstMac = n.GatewayMac, SrcMac = n.RsMac(1), Source = n.Rs(1), Destination = EngineHarness.Client,
        SourcePort = rport, DestinationPort = 40000, Tag = 0x0badcafe, Ttl = 63, Id = 0x7777,
        Chunks = new[] { (chunk, length) },
    };

    private static SctpPacket ToClient(SctpPacket reply) =>
        reply with { DstMac = ClientMac, SrcMac = DirectorMac, Source = Vip, SourcePort = Port };

    [Fact]
    public void Nat_RewritesThePort_CrcValidBothWays_StateWalkInputOutput()
    {
        var n = Nat();
        var rs = () => n.RealServer(1, Port, LvsProtocol.Sctp);

        void FromClient(byte chunk, int length, S state)
        {
            var p = Chunk(40000, chunk, length);
            var sent = n.FromClient(Frame(p));
            AssertSameBytes(Frame(ToRealServer(n, p, 6000)), sent);
            AssertSctpValid(sent!);
            Assert.Equal(state, n.Connection(40000).State);
        }
        void FromServer(byte chunk, int length, S state)
        {
            var p = Reply(n, 6000, chunk, length);
            var sent = n.FromServer(Frame(p));
            AssertSameBytes(Frame(ToClient(p)), sent);
            AssertSctpValid(sent!);
            Assert.Equal(state, n.Connection(40000).State);
        }

        FromClient(Init, 20, S.SctpInit1);
        Assert.Equal(4, n.Connection(40000).ExpiresInSeconds);
        FromServer(InitAck, 200, S.SctpCookieSent);
        FromClient(CookieEcho, 196, S.SctpCookieReplied);
        Assert.Equal(0, rs().ActiveConnections);
        Assert.Equal(1, rs().InactiveConnections);
        FromServer(CookieAck, 4, S.Established);
        Assert.Equal(1, rs().ActiveConnections);
        Assert.Equal(0, rs().InactiveConnections);
        Assert.Equal(900, n.Connection(40000).ExpiresInSeconds);
        FromClient(Data, 1001, S.Established);
        FromServer(Sack, 16, S.Established);
        FromClient(Shutdown, 8, S.SctpShutdownReceived);
        Assert.Equal(0, rs().ActiveConnections);
        Assert.Equal(1, rs().InactiveConnections);
        FromServer(ShutdownAck, 4, S.SctpShutdownAckSent);
        FromClient(ShutdownComplete, 4, S.SctpClosed);
        Assert.Equal(61, n.Connection(40000).ExpiresInSeconds);

        var st = n.RealServer(1, Port, LvsProtocol.Sctp).Statistics;
        Assert.Equal(5ul, st.InPackets);
        Assert.Equal(4ul, st.OutPackets);
        Assert.Equal(6000, n.Connection(40000).RealPort);
    }

    [Fact]
    public void Nat_SamePort_OnlyTheAddressChanges_CrcUntouched()
    {
        var n = Nat(realPort: Port);
        var p = Chunk(40000, Init, 20);
        var original = Frame(p);
        var sent = n.FromClient(original);
        AssertSameBytes(Frame(ToRealServer(n, p, Port)), sent);
        Assert.Equal(SctpOf(original).Slice(8, 4).ToArray(), SctpOf(sent!).Slice(8, 4).ToArray());
        AssertSctpValid(sent!);
        var r = Reply(n, Port, InitAck, 100);
        var back = n.FromServer(Frame(r));
        AssertSameBytes(Frame(ToClient(r)), back);
    }

    [Fact]
    public void Nat_PaddedEthernetFrame_CrcCoversTheSctpPacketOnly()
    {
        var n = Nat();
        n.FromClient(Frame(Chunk(40000, Init, 20)));
        var p = Chunk(40000, CookieAck, 4);
        var sent = n.FromClient(FrameKit.Pad(Frame(p), 80));
        AssertSameBytes(Frame(ToRealServer(n, p, 6000)), sent);
        AssertSctpValid(sent!);
    }

    // ------------------------------------------------------------------ fwmark, validation, texts

    [Fact]
    public void MarkRules_MatchSctpOnlyWhenTheyNameIt()
    {
        var h = new EngineHarness();
        var fwm = new ServiceSpec { FirewallMark = 3, Address = IPAddress.Any, Scheduler = LvsScheduler.Rr };
        h.Engine.AddMarkRule(new MarkRuleSpec { Mark = 3, Address = Ip(Vip), PrefixLength = 32, Protocol = null });
        h.Engine.AddService(fwm);
        h.Engine.AddRealServer(fwm, Real(Rs1));
        h.Resolve(Rs1);
        Assert.Null(h.Forward(Frame(Chunk(40000, Init, 20)))); // null = TCP and UDP only
        h.Engine.AddMarkRule(new MarkRuleSpec { Mark = 3, Address = Ip(Vip), PrefixLength = 32, Protocol = LvsProtocol.Sctp, PortFrom = Port, PortTo = Port });
        Assert.Equal(Rs1, RealServerOf(h.Forward(Frame(Chunk(40001, Init, 20)))));
        var c = h.Connection(40001);
        Assert.Equal(LvsProtocol.Sctp, c.Protocol);
        Assert.Equal(S.SctpInit1, c.State);
        Assert.Equal(Port, c.RealPort);
    }

    [Fact]
    public void AddService_AcceptsSctp_AndTheRefusalNamesIt()
    {
        var h = new EngineHarness();
        h.Engine.AddService(Spec(Port, LvsScheduler.Rr, LvsProtocol.Sctp));
        h.Engine.AddService(Spec(Port, LvsScheduler.Rr, LvsProtocol.Tcp)); // same VIP:port, other protocol
        Assert.Equal(2, h.Engine.ServiceCount);
        var e = Assert.Throws<LvsException>(() => h.Engine.AddService(Spec(Port, LvsScheduler.Rr, (LvsProtocol)1)));
        Assert.Equal(LvsErrorIds.InvalidProtocol, e.ErrorId);
        Assert.Contains("Tcp, Udp or Sctp", e.Message);
    }

    [Fact]
    public void IpvsadmTexts_ForAnSctpService()
    {
        var h = Dr(Rs1, Rs2);
        h.Forward(Frame(Chunk(40000, Init, 20)));
        var list = IpvsadmFormatter.FormatList(h.Engine.ListServices(), h.Engine.TableSize);
        var lines = list.Split('\n');
        Assert.Contains("SCTP 10.250.0.101:5000 rr", lines);
        Assert.Equal(string.Format("{0,-4} {1}", "SCTP", "10.250.0.101:5000") + " rr", lines[3]);
        Assert.StartsWith("  -> 10.250.0.3:5000", lines[4]);

        Assert.Equal(
            "-A --sctp-service 10.250.0.101:5000 -s rr\n" +
            "-a --sctp-service 10.250.0.101:5000 -r 10.250.0.3:5000 -g -w 1\n" +
            "-a --sctp-service 10.250.0.101:5000 -r 10.250.0.4:5000 -g -w 1\n",
            IpvsadmFormatter.FormatSave(h.Engine.ListServices()));

        var conns = IpvsadmFormatter.FormatConnections(h.Engine.ListConnections()).Split('\n');
        var dest = RealServerOf(h.Sink.Sent[^1]) == Rs1 ? "10.250.0.3:5000" : "10.250.0.4:5000";
        Assert.Equal("SCTP 00:04  INIT1       10.250.0.200:40000 10.250.0.101:5000  " + dest, conns[2]);
    }

    [Theory]
    [InlineData(S.SctpInit1, "INIT1")]
    [InlineData(S.SctpInit, "INIT")]
    [InlineData(S.SctpCookieSent, "C-SENT")]
    [InlineData(S.SctpCookieReplied, "C-REPLIED")]
    [InlineData(S.SctpCookieWait, "C-WAIT")]
    [InlineData(S.SctpCookie, "COOKIE")]
    [InlineData(S.SctpCookieEchoed, "C-ECHOED")]
    [InlineData(S.SctpShutdownSent, "S-SENT")]
    [InlineData(S.SctpShutdownReceived, "S-RECEIVED")]
    [InlineData(S.SctpShutdownAckSent, "S-ACK-SENT")]
    [InlineData(S.SctpRejected, "REJECTED")]
    [InlineData(S.SctpClosed, "CLOSED")]
    public void SctpStateNames_AsTheKernelPrintsThem(S state, string name)
    {
        Assert.Equal(name, IpvsadmFormatter.StateName(state));
        Assert.Equal("SCTP", IpvsadmFormatter.ProtocolName(LvsProtocol.Sctp));
    }
}
