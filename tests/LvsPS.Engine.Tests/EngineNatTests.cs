using static LvsPS.Engine.Tests.NatHarness;
using static LvsPS.Engine.Tests.PacketKit;

namespace LvsPS.Engine.Tests;

/// <summary>
/// LVS-NAT (Masq) with an inside link: client packets VIP:vport -> RIP:rport, replies RIP:rport -> VIP:vport,
/// byte-exact, every checksum recomputed from scratch by <see cref="PacketKit"/> and compared with the engine's
/// incremental update.
/// </summary>
public class EngineNatTests
{
    private const byte Psh = 0x08;

    /// <summary>A NAT service VIP:80 -> 192.168.10.3:8080 behind the inside link.</summary>
    private static NatHarness Mapped(ushort realPort = 8080)
    {
        var n = new NatHarness();
        n.Service(80, LvsProtocol.Tcp, (1, realPort));
        return n;
    }

    /// <summary><see cref="Mapped"/> after the three-way handshake, each step in the state the kernel's NAT table gives.</summary>
    private static NatHarness Handshaken()
    {
        var n = Mapped();
        ClientSends(n, Frames.Syn, LvsConnectionState.SynRecv);
        ServerSends(n, Frames.Syn | Frames.Ack, LvsConnectionState.SynRecv);
        ClientSends(n, Frames.Ack, LvsConnectionState.Established);
        return n;
    }

    /// <summary>What the real server must receive for a client packet: same packet, destination RIP:rport, new MACs.</summary>
    private static byte[] ToRealServer(NatHarness n, Packet p, int rs, ushort rport) =>
        Frame(p with { DstMac = n.RsMac(rs), SrcMac = n.HasInside ? InsideMac : DirectorMac, Destination = n.Rs(rs), DestinationPort = rport });

    /// <summary>What the client must receive for a reply: same packet, source VIP:vport, to the client's MAC from the director.</summary>
    private static byte[] ToClient(Packet reply, ushort vport = 80) =>
        Frame(reply with { DstMac = ClientMac, SrcMac = DirectorMac, Source = Vip, SourcePort = vport });

    [Fact]
    public void Syn_IsRewrittenToRipAndRealPort_ByteExact_OnTheInsideLink()
    {
        var n = Mapped();
        var syn = Tcp(40000, Frames.Syn);

        var sent = n.FromClient(Frame(syn));

        AssertSameBytes(ToRealServer(n, syn, 1, 8080), sent);
        AssertChecksumsValid(sent!);
        Assert.Equal(InsideMac, sent![6..12]);
        Assert.Empty(n.Outside.Sent);
        Assert.Equal(1UL, n.Engine.FramesForwarded);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]     // odd payload: the checksum pads the last byte
    [InlineData(537)]
    [InlineData(1460)]
    public void DataSegments_ByteExact_BothChecksumsMatchAFullRecomputation(int payload)
    {
        var n = Mapped();
        n.FromClient(Frame(Tcp(40000, Frames.Syn)));
        var data = Tcp(40000, Frames.Ack | Psh, payload) with { Seq = 0xfffffff0, AckNo = 0x0badf00d, Tos = 0x10, Ttl = 117, Id = 0xffff };

        var sent = n.FromClient(Frame(data));

        AssertSameBytes(ToRealServer(n, data, 1, 8080), sent);
        AssertChecksumsValid(sent!);
    }

    [Fact]
    public void ManyAddressAndPortCombinations_ChecksumsStayExact()
    {
        // Client ports and payload bytes that exercise carries in the incremental update.
        var n = Mapped(0xfffe);
        var rnd = new Random(4711);
        for (int i = 0; i < 200; i++)
        {
            ushort cport = (ushort)(1024 + i * 311);
            var payload = new byte[rnd.Next(0, 64)];
            rnd.NextBytes(payload);
            var syn = Tcp(cport, Frames.Syn) with { Payload = payload, Seq = (uint)rnd.Next(), Id = (ushort)rnd.Next(0, 65536) };
            var sent = n.FromClient(Frame(syn));
            AssertSameBytes(ToRealServer(n, syn, 1, 0xfffe), sent);

            var reply = n.Reply(1, 0xfffe, cport, Frames.Syn | Frames.Ack) with { Payload = payload, Seq = (uint)rnd.Next() };
            var back = n.FromServer(Frame(reply));
            AssertSameBytes(ToClient(reply), back);
        }
    }

    [Fact]
    public void IpOptions_AreKept_AndTheL4HeaderFoundAfterThem()
    {
        var n = Mapped();
        var syn = Tcp(40000, Frames.Syn, 10) with { Options = new byte[] { 0x94, 0x04, 0x00, 0x00 } }; // router alert
        var sent = n.FromClient(Frame(syn));

        AssertSameBytes(ToRealServer(n, syn, 1, 8080), sent);
        Assert.Equal(0x46, sent![14]);
    }

    [Fact]
    public void EthernetPadding_IsStripped_OnBothDirections()
    {
        var n = Mapped();
        var syn = Tcp(40000, Frames.Syn);
        var padded = FrameKit.Pad(Frame(syn), 60);
        padded[58] = 0xaa;

        AssertSameBytes(ToRealServer(n, syn, 1, 8080), n.FromClient(padded));

        var synAck = n.Reply(1, 8080, 40000, Frames.Syn | Frames.Ack);
        var paddedReply = FrameKit.Pad(Frame(synAck), 60);
        paddedReply[59] = 0x55;
        AssertSameBytes(ToClient(synAck), n.FromServer(paddedReply));
    }

    [Fact]
    public void Reply_IsRewrittenToVipAndServicePort_ToTheClientMac_OnTheOutsideLink()
    {
        var n = Mapped();
        n.FromClient(Frame(Tcp(40000, Frames.Syn)));
        var synAck = n.Reply(1, 8080, 40000, Frames.Syn | Frames.Ack);

        var back = n.FromServer(Frame(synAck));

        AssertSameBytes(ToClient(synAck), back);
        AssertChecksumsValid(back!);
        Assert.Equal(2UL, n.Engine.FramesForwarded);
    }

    [Fact]
    public void Reply_GoesToTheMacTheClientsFrameCameFrom()
    {
        var n = Mapped();
        byte[] router = { 0x02, 0x00, 0x5e, 0x10, 0x20, 0x30 };
        n.FromClient(Frame(Tcp(40000, Frames.Syn) with { SrcMac = router }));

        var back = n.FromServer(Frame(n.Reply(1, 8080, 40000, Frames.Syn | Frames.Ack)));

        Assert.Equal(router, back![..6]);
        Assert.Equal(DirectorMac, back[6..12]);
    }

    [Fact]
    public void RealPortDiffersFromServicePort_ListedAsRealPort()
    {
        var n = Mapped();
        n.FromClient(Frame(Tcp(40000, Frames.Syn)));

        var rs = n.RealServer(1);
        Assert.Equal((ushort)8080, rs.RealPort);
        Assert.Equal(LvsForwarding.Masq, rs.Forwarding);
        var c = n.Connection(40000);
        Assert.Equal((ushort)8080, c.RealPort);
        Assert.Equal((ushort)80, c.Port);
        Assert.Equal(Ip(Nrs1), c.RealAddress);
    }

    [Fact]
    public void RealPortZero_MeansTheServicePort()
    {
        var n = new NatHarness();
        n.Service(80, LvsProtocol.Tcp, (1, 0));
        var syn = Tcp(40000, Frames.Syn);

        AssertSameBytes(ToRealServer(n, syn, 1, 80), n.FromClient(Frame(syn)));
        Assert.Equal((ushort)80, n.RealServer(1).RealPort);
    }

    [Fact]
    public void TwoRealServers_EachConnectionKeepsItsOwnMapping()
    {
        var n = new NatHarness();
        n.Service(80, LvsProtocol.Tcp, (1, 8080), (2, 9090));
        // rr: newest first, so rs2 gets the first connection.
        var a = Tcp(40000, Frames.Syn);
        var b = Tcp(40001, Frames.Syn);
        AssertSameBytes(ToRealServer(n, a, 2, 9090), n.FromClient(Frame(a)));
        AssertSameBytes(ToRealServer(n, b, 1, 8080), n.FromClient(Frame(b)));

        var ra = n.Reply(2, 9090, 40000, Frames.Syn | Frames.Ack);
        var rb = n.Reply(1, 8080, 40001, Frames.Syn | Frames.Ack);
        AssertSameBytes(ToClient(rb), n.FromServer(Frame(rb)));
        AssertSameBytes(ToClient(ra), n.FromServer(Frame(ra)));

        // A reply from the wrong server for a connection is not one of ours.
        Assert.Null(n.FromServer(Frame(n.Reply(1, 8080, 40000, Frames.Ack))));
    }

    [Fact]
    public void Counters_InForClientPackets_OutForReplies_IpTotalLengths()
    {
        var n = Mapped();
        n.FromClient(Frame(Tcp(40000, Frames.Syn)));                          // 40
        n.FromServer(Frame(n.Reply(1, 8080, 40000, Frames.Syn | Frames.Ack))); // 40
        n.FromClient(Frame(Tcp(40000, Frames.Ack)));                          // 40
        n.FromClient(Frame(Tcp(40000, Frames.Ack | Psh, 100)));               // 140
        n.FromServer(Frame(n.Reply(1, 8080, 40000, Frames.Ack | Psh, 1000)));  // 1040
        n.FromServer(Frame(n.Reply(1, 8080, 40000, Frames.Ack | Psh, 5)));     // 45

        foreach (var s in new[] { n.H.Service().Statistics, n.RealServer(1).Statistics })
        {
            Assert.Equal(1UL, s.Connections);
            Assert.Equal((3UL, 220UL), (s.InPackets, s.InBytes));
            Assert.Equal((3UL, 1125UL), (s.OutPackets, s.OutBytes));
        }
        Assert.Equal(3UL, n.Connection(40000).Packets); // the connection's packet count is the client's side
        Assert.Equal(6UL, n.Engine.FramesForwarded);
    }

    // ------------------------------------------------------------------ TCP states: INPUT for the client, OUTPUT for replies

    private static void ClientSends(NatHarness n, byte flags, LvsConnectionState expected)
    {
        Assert.NotNull(n.FromClient(Frame(Tcp(40000, flags))));
        Assert.Equal(expected, n.Connection(40000).State);
    }

    private static void ServerSends(NatHarness n, byte flags, LvsConnectionState expected)
    {
        Assert.NotNull(n.FromServer(Frame(n.Reply(1, 8080, 40000, flags))));
        Assert.Equal(expected, n.Connection(40000).State);
    }

    private static void AssertActive(NatHarness n, int active, int inactive) =>
        Assert.Equal((active, inactive), (n.RealServer(1).ActiveConnections, n.RealServer(1).InactiveConnections));

    [Fact]
    public void Handshake_SynRecv_SynAckKeepsSynRecv_AckEstablishes()
    {
        var n = Mapped();
        ClientSends(n, Frames.Syn, LvsConnectionState.SynRecv);          // INPUT syn on NONE
        Assert.Equal(60, n.Connection(40000).ExpiresInSeconds);
        AssertActive(n, 1, 0);
        ServerSends(n, Frames.Syn | Frames.Ack, LvsConnectionState.SynRecv);  // OUTPUT syn on SYN_RECV
        Assert.Equal(60, n.Connection(40000).ExpiresInSeconds);
        ClientSends(n, Frames.Ack, LvsConnectionState.Established);      // INPUT ack on SYN_RECV
        Assert.Equal(900, n.Connection(40000).ExpiresInSeconds);
        AssertActive(n, 1, 0);
        ServerSends(n, Frames.Ack | Psh, LvsConnectionState.Established);     // OUTPUT ack on ESTABLISHED
        ClientSends(n, Frames.Ack | Psh, LvsConnectionState.Established);
    }

    [Fact]
    public void ClientClosesFirst_CloseWait_ThenServerFin_TimeWait()
    {
        var n = Handshaken();

        // INPUT fin on ESTABLISHED is CLOSE_WAIT (DR's INPUT-ONLY table would say FIN_WAIT).
        ClientSends(n, Frames.Fin | Frames.Ack, LvsConnectionState.CloseWait);
        Assert.Equal(60, n.Connection(40000).ExpiresInSeconds);
        AssertActive(n, 0, 1);
        ServerSends(n, Frames.Ack, LvsConnectionState.CloseWait);        // OUTPUT ack on CLOSE_WAIT
        ServerSends(n, Frames.Fin | Frames.Ack, LvsConnectionState.TimeWait); // OUTPUT fin on CLOSE_WAIT
        Assert.Equal(120, n.Connection(40000).ExpiresInSeconds);
        ClientSends(n, Frames.Ack, LvsConnectionState.TimeWait);         // INPUT ack on TIME_WAIT
        AssertActive(n, 0, 1);
    }

    [Fact]
    public void ServerClosesFirst_FinWait_ThenClientFin_TimeWait()
    {
        var n = Handshaken();

        ServerSends(n, Frames.Fin | Frames.Ack, LvsConnectionState.FinWait);  // OUTPUT fin on ESTABLISHED
        Assert.Equal(120, n.Connection(40000).ExpiresInSeconds);
        AssertActive(n, 0, 1);
        ClientSends(n, Frames.Ack, LvsConnectionState.FinWait);          // INPUT ack on FIN_WAIT
        ClientSends(n, Frames.Fin | Frames.Ack, LvsConnectionState.TimeWait); // INPUT fin on FIN_WAIT
        AssertActive(n, 0, 1);
    }

    [Fact]
    public void ServerResetsTheHandshake_Close()
    {
        var n = Mapped();
        ClientSends(n, Frames.Syn, LvsConnectionState.SynRecv);
        ServerSends(n, Frames.Rst | Frames.Ack, LvsConnectionState.Close);    // OUTPUT rst on SYN_RECV
        Assert.Equal(10, n.Connection(40000).ExpiresInSeconds);
        AssertActive(n, 0, 1);
    }

    [Fact]
    public void ClientRstOnSynRecv_StaysSynRecv_ServerRstOnEstablished_Close()
    {
        var n = Mapped();
        ClientSends(n, Frames.Syn, LvsConnectionState.SynRecv);
        ClientSends(n, Frames.Rst, LvsConnectionState.SynRecv);          // INPUT rst on SYN_RECV
        ClientSends(n, Frames.Ack, LvsConnectionState.Established);
        ServerSends(n, Frames.Rst, LvsConnectionState.Close);            // OUTPUT rst on ESTABLISHED
    }

    [Fact]
    public void ClientFinDuringHandshake_TimeWait()
    {
        var n = Mapped();
        ClientSends(n, Frames.Syn, LvsConnectionState.SynRecv);
        ClientSends(n, Frames.Fin, LvsConnectionState.TimeWait);         // INPUT fin on SYN_RECV
    }

    [Fact]
    public void NewSynOnTimeWait_IsRescheduled_AndRepliesFollowTheNewEntry()
    {
        var n = new NatHarness();
        n.Service(80, LvsProtocol.Tcp, (1, 8080), (2, 9090));
        // First connection to rs2 (rr, newest first), closed to TIME_WAIT.
        n.FromClient(Frame(Tcp(40000, Frames.Syn)));
        n.FromClient(Frame(Tcp(40000, Frames.Fin)));
        Assert.Equal(LvsConnectionState.TimeWait, n.Connection(40000).State);

        var syn = Tcp(40000, Frames.Syn) with { Seq = 5 };
        AssertSameBytes(ToRealServer(n, syn, 1, 8080), n.FromClient(Frame(syn)));

        // The old server's replies are no longer ours; the new one's are.
        Assert.Null(n.FromServer(Frame(n.Reply(2, 9090, 40000, Frames.Ack))));
        var r = n.Reply(1, 8080, 40000, Frames.Syn | Frames.Ack);
        AssertSameBytes(ToClient(r), n.FromServer(Frame(r)));
    }

    // ------------------------------------------------------------------ replies that are not forwarded

    [Fact]
    public void RepliesOfUnknownFlows_AreIgnored()
    {
        var n = Mapped();
        n.FromClient(Frame(Tcp(40000, Frames.Syn)));
        var ok = n.Reply(1, 8080, 40000, Frames.Syn | Frames.Ack);

        Assert.Null(n.FromServer(Frame(ok with { DestinationPort = 40001 })));        // another client port
        Assert.Null(n.FromServer(Frame(ok with { SourcePort = 80 })));                // not the real port
        Assert.Null(n.FromServer(Frame(ok with { Destination = Client + 1 })));       // another client
        Assert.Null(n.FromServer(Frame(ok with { Source = Nrs2, SrcMac = Nrs2Mac }))); // another server
        Assert.Null(n.FromServer(Frame(ok with { Protocol = Frames.ProtoUdp })));     // another protocol
        Assert.Null(n.FromServer(Frame(ok with { DstMac = Rs1Mac })));                // not sent to the director

        Assert.Equal(LvsConnectionState.SynRecv, n.Connection(40000).State);
        Assert.Equal(0UL, n.H.Service().Statistics.OutPackets);
        Assert.Equal(1UL, n.Engine.FramesForwarded);

        AssertSameBytes(ToClient(ok), n.FromServer(Frame(ok)));
    }

    [Fact]
    public void RepliesBeforeAnyConnection_AreIgnored()
    {
        var n = Mapped();
        Assert.Null(n.FromServer(Frame(n.Reply(1, 8080, 40000, Frames.Syn | Frames.Ack))));
        Assert.Empty(n.Outside.Sent);
        Assert.Empty(n.Engine.ListConnections());
    }

    [Fact]
    public void ReplyOnTheOutsideLink_ToTheInsideMac_IsNotForwarded()
    {
        var n = Mapped();
        n.FromClient(Frame(Tcp(40000, Frames.Syn)));
        // The same reply seen on link 0 with the inside MAC as its destination is not addressed to link 0's MAC.
        Assert.Null(n.FromServer(Frame(n.Reply(1, 8080, 40000, Frames.Syn | Frames.Ack)), link: 0));
    }

    [Fact]
    public void RepliesToARemovedDestination_AreDropped()
    {
        var n = Mapped();
        var spec = Spec(80);
        n.FromClient(Frame(Tcp(40000, Frames.Syn)));
        n.FromClient(Frame(Tcp(40000, Frames.Ack)));
        n.Engine.DeleteRealServer(spec, Real(Nrs1, 1, LvsForwarding.Masq, 8080));
        ulong dropped = n.Engine.FramesDropped;

        Assert.Null(n.FromServer(Frame(n.Reply(1, 8080, 40000, Frames.Ack | Psh, 10))));
        Assert.Equal(dropped + 1, n.Engine.FramesDropped);
        Assert.Null(n.FromClient(Frame(Tcp(40000, Frames.Ack | Psh, 10))));
        Assert.Equal(dropped + 2, n.Engine.FramesDropped);
        Assert.Equal(LvsConnectionState.Established, n.Connection(40000).State);
    }

    [Fact]
    public void AfterExpiry_RepliesAreNotForwarded()
    {
        var n = Mapped();
        n.FromClient(Frame(Tcp(40000, Frames.Syn)));                                   // SYN_RECV, 60 s
        var r = n.Reply(1, 8080, 40000, Frames.Syn | Frames.Ack);

        n.H.AdvanceSeconds(59);
        n.Engine.Tick();
        Assert.NotNull(n.FromServer(Frame(r)));                                        // re-arms: 60 s again

        n.H.AdvanceSeconds(61);
        n.Engine.Tick();
        Assert.Empty(n.Engine.ListConnections());
        Assert.Null(n.FromServer(Frame(r)));
        Assert.Equal((0, 0), (n.RealServer(1).ActiveConnections, n.RealServer(1).InactiveConnections));
    }

    [Fact]
    public void AfterDeleteService_RepliesAreNotForwarded()
    {
        var n = Mapped();
        n.FromClient(Frame(Tcp(40000, Frames.Syn)));
        n.Engine.DeleteService(Spec(80));

        Assert.Null(n.FromServer(Frame(n.Reply(1, 8080, 40000, Frames.Syn | Frames.Ack))));
    }

    [Fact]
    public void ReplyTimer_IsReArmedByReplies()
    {
        var n = Mapped();
        n.FromClient(Frame(Tcp(40000, Frames.Syn)));
        n.FromServer(Frame(n.Reply(1, 8080, 40000, Frames.Syn | Frames.Ack)));
        n.FromClient(Frame(Tcp(40000, Frames.Ack)));                         // ESTABLISHED, 900 s
        n.H.AdvanceSeconds(800);
        n.FromServer(Frame(n.Reply(1, 8080, 40000, Frames.Ack | Psh, 100))); // 900 s from now
        n.H.AdvanceSeconds(800);
        n.Engine.Tick();

        Assert.Equal(100, n.Connection(40000).ExpiresInSeconds);
    }

    // ------------------------------------------------------------------ UDP

    private static NatHarness Dns()
    {
        var n = new NatHarness();
        n.Service(53, LvsProtocol.Udp, (1, 5300));
        return n;
    }

    [Fact]
    public void Udp_BothDirections_ByteExact()
    {
        var n = Dns();
        var q = Udp(5353, 53, 33);

        AssertSameBytes(ToRealServer(n, q, 1, 5300), n.FromClient(Frame(q)));

        var a = n.Reply(1, 5300, 5353, 0, 120, Frames.ProtoUdp);
        var back = n.FromServer(Frame(a));
        AssertSameBytes(ToClient(a, 53), back);
        AssertChecksumsValid(back!);

        var c = n.Connection(5353);
        Assert.Equal(LvsConnectionState.Udp, c.State);
        Assert.Equal(300, c.ExpiresInSeconds);
        var s = n.H.Service(53, LvsProtocol.Udp).Statistics;
        Assert.Equal((1UL, 61UL, 1UL, 148UL), (s.InPackets, s.InBytes, s.OutPackets, s.OutBytes));
    }

    [Fact]
    public void Udp_ChecksumZero_StaysZero_BothDirections()
    {
        var n = Dns();
        var q = Udp(5353, 53, 33) with { UdpChecksum = false };

        var sent = n.FromClient(Frame(q));
        AssertSameBytes(ToRealServer(n, q, 1, 5300), sent);
        Assert.Equal(0, Get16(sent!, 14 + 20 + 6));

        var a = n.Reply(1, 5300, 5353, 0, 7, Frames.ProtoUdp) with { UdpChecksum = false };
        var back = n.FromServer(Frame(a));
        AssertSameBytes(ToClient(a, 53), back);
        Assert.Equal(0, Get16(back!, 14 + 20 + 6));
    }

    /// <summary>
    /// A payload whose last two bytes make the checksum of <paramref name="after"/> (the packet as it leaves the
    /// director) compute to 0, which UDP must send as 0xffff.
    /// </summary>
    private static byte[] PayloadMakingChecksumZero(Packet after, int length)
    {
        var payload = new byte[length];
        for (int i = 0; i < length - 2; i++) payload[i] = (byte)(i * 13 + 1);
        var f = Frame(after with { Payload = payload, UdpChecksum = false });
        var ip = f.AsSpan(14);
        int total = Get16(ip, 2);
        Span<byte> ph = stackalloc byte[12];
        Put32(ph, 0, after.Source);
        Put32(ph, 4, after.Destination);
        ph[9] = Frames.ProtoUdp;
        Put16(ph, 10, (ushort)(total - 20));
        uint s = Sum(ip.Slice(20, total - 20), Sum(ph));
        ushort fix = (ushort)(0xffff - s);                   // sum + fix = 0xffff: checksum ~0xffff = 0
        payload[length - 2] = (byte)(fix >> 8);
        payload[length - 1] = (byte)fix;
        Assert.Equal(0, L4Checksum(after.Source, after.Destination, Frames.ProtoUdp,
            Frame(after with { Payload = payload, UdpChecksum = false }).AsSpan(34)));
        return payload;
    }

    [Fact]
    public void Udp_ResultZero_IsSentAsFFFF_ClientToServer()
    {
        var n = Dns();
        var q = Udp(5353, 53, 0);
        var payload = PayloadMakingChecksumZero(q with { Destination = Nrs1, DestinationPort = 5300 }, 40);
        q = q with { Payload = payload };
        var input = Frame(q);
        Assert.NotEqual(0xffff, Get16(input, 40));           // the client's own checksum is an ordinary one

        var sent = n.FromClient(input);

        Assert.Equal(0xffff, Get16(sent!, 40));
        AssertSameBytes(ToRealServer(n, q, 1, 5300), sent);  // Frame() sends a computed 0 as 0xffff
        AssertChecksumsValid(sent!);
    }

    [Fact]
    public void Udp_ResultZero_IsSentAsFFFF_ServerToClient()
    {
        var n = Dns();
        n.FromClient(Frame(Udp(5353, 53, 10)));
        var a = n.Reply(1, 5300, 5353, 0, 0, Frames.ProtoUdp);
        var payload = PayloadMakingChecksumZero(a with { Source = Vip, SourcePort = 53 }, 64);
        a = a with { Payload = payload };

        var back = n.FromServer(Frame(a));

        Assert.Equal(0xffff, Get16(back!, 40));
        AssertSameBytes(ToClient(a, 53), back);
    }

    [Fact]
    public void Udp_ExpiryRemovesTheReplyPath()
    {
        var n = Dns();
        n.FromClient(Frame(Udp(5353, 53, 10)));
        n.H.AdvanceSeconds(301);
        n.Engine.Tick();

        Assert.Null(n.FromServer(Frame(n.Reply(1, 5300, 5353, 0, 10, Frames.ProtoUdp))));
    }

    // ------------------------------------------------------------------ the inside link itself

    [Fact]
    public void InsideRealServer_IsResolvedByArpOnTheInsideLink()
    {
        var n = new NatHarness();
        var spec = n.H.AddService(Spec(80));
        n.Outside.Clear();

        n.Engine.AddRealServer(spec, Real(Nrs1, 1, LvsForwarding.Masq, 8080));

        Assert.Empty(n.Outside.Arp);
        var arp = Assert.Single(n.Inside.Arp);
        Assert.Equal(Frames.Broadcast, arp[..6]);
        Assert.Equal(InsideMac, arp[6..12]);
        Assert.Equal(1, Get16(arp, 20));                     // request
        Assert.Equal(InsideMac, arp[22..28]);
        Assert.Equal(InsideIp, Get32(arp, 28));              // from the inside address
        Assert.Equal(Nrs1, Get32(arp, 38));

        // Unresolved: the SYN is dropped; after the ARP reply it goes out.
        Assert.Null(n.FromClient(Frame(Tcp(40000, Frames.Syn))));
        n.Resolve(1);
        Assert.Equal(Nrs1Mac, n.RealServer(1).MacAddress.Split(':').Select(x => Convert.ToByte(x, 16)).ToArray());
        Assert.NotNull(n.FromClient(Frame(Tcp(40000, Frames.Syn))));
    }

    [Fact]
    public void RouteDestinations_StayOnTheOutsideLink_WhenAnInsideLinkExists()
    {
        var n = new NatHarness();
        var spec = n.H.AddService(Spec(80), (Rs1, 1));
        n.H.Resolve(Rs1);
        n.Outside.Clear();
        n.Inside.Clear();

        var syn = Frame(Tcp(40000, Frames.Syn));
        n.Engine.ProcessFrame((byte[])syn.Clone(), 0);

        Assert.Empty(n.Inside.Sent);
        var fwd = Assert.Single(n.Outside.Sent);
        Assert.Equal(Rs1Mac, fwd[..6]);
        Assert.Equal(syn[12..], fwd[12..]);
    }

    [Fact]
    public void ClientFramesOnTheInsideLink_AreNotServed()
    {
        var n = Mapped();
        n.Engine.ProcessFrame(Frame(Tcp(40000, Frames.Syn) with { DstMac = InsideMac }), 1);
        n.Engine.ProcessFrame(Frame(Tcp(40000, Frames.Syn)), 1);

        Assert.Empty(n.Inside.Sent);
        Assert.Empty(n.Outside.Sent);
        Assert.Empty(n.Engine.ListConnections());
    }

    [Fact]
    public void ArpForTheVip_OnTheInsideLink_IsNotAnswered()
    {
        var n = Mapped();
        n.Engine.ProcessFrame(TestFrames.ArpRequest(Nrs1Mac, Nrs1, Vip), 1);

        Assert.Empty(n.Inside.Sent);
        Assert.Empty(n.Outside.Sent);
    }
}
