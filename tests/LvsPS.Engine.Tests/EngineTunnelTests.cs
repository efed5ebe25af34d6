using static LvsPS.Engine.Tests.PacketKit;

namespace LvsPS.Engine.Tests;

/// <summary>
/// IP-in-IP (Forwarding Tunnel): Ethernet to the real server, a new outer IPv4 header director -> RIP with
/// protocol 4, the client's packet untouched inside; ICMP fragmentation-needed when it would not fit the MTU.
/// </summary>
public class EngineTunnelTests
{
    private static EngineHarness Tunnelled(LvsProtocol protocol = LvsProtocol.Tcp, ushort port = 80, ushort realPort = 0, params uint[] reals)
    {
        var h = new EngineHarness();
        var spec = Spec(port, LvsScheduler.Rr, protocol);
        h.Engine.AddService(spec);
        if (reals.Length == 0) reals = new[] { Rs1 };
        foreach (var r in reals) h.Engine.AddRealServer(spec, Real(r, 1, LvsForwarding.Tunnel, realPort));
        h.ResolveAll(reals);
        h.Sink.Clear();
        return h;
    }

    /// <summary><see cref="Tunnelled"/> with client port 40000's SYN sent to Rs1, the sink cleared.</summary>
    private static EngineHarness TunnelledAfterSyn()
    {
        var h = Tunnelled();
        h.Forward(Frame(Tcp(40000, Frames.Syn)));
        h.Sink.Clear();
        return h;
    }

    /// <summary>The encapsulated frame built from scratch; the outer IP identification is the one the engine chose.</summary>
    private static byte[] Encapsulated(byte[] clientFrame, uint rip, ushort outerId)
    {
        int inner = Get16(clientFrame, 16);
        var f = new byte[14 + 20 + inner];
        MacOf(rip).CopyTo(f, 0);
        DirectorMac.CopyTo(f, 6);
        f[12] = 0x08; f[13] = 0x00;
        var o = f.AsSpan(14, 20);
        o[0] = 0x45;
        o[1] = clientFrame[15];                                   // TOS of the inner packet
        Put16(o, 2, (ushort)(inner + 20));
        Put16(o, 4, outerId);
        Put16(o, 6, (ushort)(Get16(clientFrame, 20) & 0x4000));   // DF of the inner packet, nothing else
        o[8] = clientFrame[22];                                   // TTL of the inner packet (ip_vs_tunnel_xmit)
        o[9] = 4;                                                 // IPPROTO_IPIP
        Put32(o, 12, DirectorIp);
        Put32(o, 16, rip);
        Put16(o, 10, Checksum(o));
        clientFrame.AsSpan(14, inner).CopyTo(f.AsSpan(34));
        return f;
    }

    private static void AssertEncapsulated(byte[] clientFrame, uint rip, byte[]? sent)
    {
        Assert.NotNull(sent);
        Assert.True(sent!.Length >= 34, "an outer header");
        AssertSameBytes(Encapsulated(clientFrame, rip, Get16(sent, 18)), sent);
        Assert.True(IpHeaderValid(sent.AsSpan(14)), "outer header checksum");
        Assert.True(IpHeaderValid(sent.AsSpan(34)), "inner header checksum");
        Assert.True(L4Valid(sent.AsSpan(34)), "inner TCP/UDP checksum");
    }

    [Fact]
    public void Syn_IsEncapsulated_ByteExact()
    {
        var h = Tunnelled();
        var syn = Frame(Tcp(40000, Frames.Syn));

        var sent = h.Forward(syn);

        AssertEncapsulated(syn, Rs1, sent);
        Assert.Equal(14 + 20 + 40, sent!.Length);
        Assert.Equal(1UL, h.Engine.FramesForwarded);
        Assert.Single(h.Sink.Sent);
    }

    [Fact]
    public void Tos_IsCopied_DfCopied_InnerTtlAndIdUntouched()
    {
        var h = Tunnelled();
        var syn = Frame(Tcp(40000, Frames.Syn) with { Tos = 0xb9, Ttl = 3, Id = 0xbeef });
        var sent = h.Forward(syn);
        AssertEncapsulated(syn, Rs1, sent);
        Assert.Equal(0xb9, sent![15]);
        Assert.Equal(0x4000, Get16(sent, 20));

        var noDf = Frame(Tcp(40000, Frames.Ack, 100) with { DontFragment = false, Tos = 0x28 });
        sent = h.Forward(noDf);
        AssertEncapsulated(noDf, Rs1, sent);
        Assert.Equal(0, Get16(sent!, 20));
        Assert.Equal(0x28, sent![15]);
    }

    [Fact]
    public void OuterIds_DifferBetweenPackets_WithoutDf()
    {
        var h = Tunnelled();
        h.Forward(Frame(Tcp(40000, Frames.Syn)));
        var ids = new HashSet<ushort>();
        for (int i = 0; i < 20; i++)
        {
            var f = Frame(Tcp(40000, Frames.Ack, i) with { DontFragment = false });
            ids.Add(Get16(h.Forward(f)!, 18));
        }
        Assert.Equal(20, ids.Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(999)]
    public void DataWithIpOptions_InnerPacketCopiedVerbatim(int payload)
    {
        var h = Tunnelled();
        h.Forward(Frame(Tcp(40000, Frames.Syn)));
        var data = Frame(Tcp(40000, Frames.Ack | 0x08, payload) with { Options = new byte[] { 1, 1, 1, 0 } });

        AssertEncapsulated(data, Rs1, h.Forward(data));
    }

    [Fact]
    public void EthernetPadding_IsNotEncapsulated()
    {
        var h = Tunnelled();
        var syn = Frame(Tcp(40000, Frames.Syn));
        var padded = FrameKit.Pad(syn, 60);
        padded[59] = 0x77;

        var sent = h.Forward(padded);

        AssertEncapsulated(syn, Rs1, sent);
        Assert.Equal(14 + 20 + 40, sent!.Length);
    }

    [Fact]
    public void Udp_IsEncapsulated()
    {
        var h = Tunnelled(LvsProtocol.Udp, 53);
        var q = Frame(Udp(5353, 53, 77));

        AssertEncapsulated(q, Rs1, h.Forward(q));
        Assert.Equal(LvsConnectionState.Udp, h.Connection(5353).State);
    }

    [Fact]
    public void RealPort_IsForcedToTheServicePort()
    {
        var h = Tunnelled(realPort: 8080);

        var rs = h.RealServer(Rs1);
        Assert.Equal((ushort)80, rs.RealPort);
        Assert.Equal(LvsForwarding.Tunnel, rs.Forwarding);

        var syn = Frame(Tcp(40000, Frames.Syn));
        AssertEncapsulated(syn, Rs1, h.Forward(syn));              // the inner port stays 80
        Assert.Equal((ushort)80, h.Connection(40000).RealPort);
    }

    [Fact]
    public void RoundRobin_AcrossTunnelledServers_OuterDestinationFollows()
    {
        var h = Tunnelled(reals: new[] { Rs1, Rs2 });
        var a = Frame(Tcp(40000, Frames.Syn));
        var b = Frame(Tcp(40001, Frames.Syn));

        AssertEncapsulated(a, Rs2, h.Forward(a));                   // newest first
        AssertEncapsulated(b, Rs1, h.Forward(b));
        var more = Frame(Tcp(40000, Frames.Ack, 10));
        AssertEncapsulated(more, Rs2, h.Forward(more));
    }

    [Fact]
    public void MixedService_DrAndTunnel()
    {
        var h = new EngineHarness();
        var spec = h.AddService(Spec(80), (Rs1, 1));
        h.Engine.AddRealServer(spec, Real(Rs2, 1, LvsForwarding.Tunnel));
        h.ResolveAll(Rs1, Rs2);
        h.Sink.Clear();

        var a = Frame(Tcp(40000, Frames.Syn));
        AssertEncapsulated(a, Rs2, h.Forward(a));
        var b = Frame(Tcp(40001, Frames.Syn));
        var routed = h.Forward(b);
        Assert.Equal(Rs1Mac, routed![..6]);
        Assert.Equal(b[12..], routed[12..]);
    }

    [Fact]
    public void States_UseTheInputOnlyTable_LikeDr()
    {
        var h = Tunnelled();
        h.Forward(Frame(Tcp(40000, Frames.Syn)));
        Assert.Equal(LvsConnectionState.SynRecv, h.Connection(40000).State);
        h.Forward(Frame(Tcp(40000, Frames.Ack)));
        Assert.Equal(LvsConnectionState.Established, h.Connection(40000).State);
        h.Forward(Frame(Tcp(40000, Frames.Fin | Frames.Ack)));
        Assert.Equal(LvsConnectionState.FinWait, h.Connection(40000).State); // INPUT-ONLY fin on ESTABLISHED (NAT: CLOSE_WAIT)
        Assert.Equal(120, h.Connection(40000).ExpiresInSeconds);
        h.Forward(Frame(Tcp(40000, Frames.Ack)));
        Assert.Equal(LvsConnectionState.FinWait, h.Connection(40000).State);

        var rs = h.RealServer(Rs1);
        Assert.Equal((0, 1), (rs.ActiveConnections, rs.InactiveConnections));
        Assert.Equal((4UL, 160UL, 0UL, 0UL), (rs.Statistics.InPackets, rs.Statistics.InBytes, rs.Statistics.OutPackets, rs.Statistics.OutBytes));
    }

    [Fact]
    public void UnresolvedTunnelServer_IsArpedOnTheOutsideLink_AndDropsUntilResolved()
    {
        var h = new EngineHarness();
        var spec = h.AddService(Spec(80));
        h.Sink.Clear();
        h.Engine.AddRealServer(spec, Real(Rs1, 1, LvsForwarding.Tunnel));

        var arp = Assert.Single(h.Sink.Arp);
        Assert.Equal(Rs1, Get32(arp, 38));
        h.Sink.Clear();
        var syn = Frame(Tcp(40000, Frames.Syn));
        Assert.Null(h.Forward(syn));
        h.Resolve(Rs1);
        AssertEncapsulated(syn, Rs1, h.Forward(syn));
    }

    [Fact]
    public void RemovedTunnelServer_ItsConnectionsAreDropped()
    {
        var h = Tunnelled();
        h.Forward(Frame(Tcp(40000, Frames.Syn)));
        h.Engine.DeleteRealServer(Spec(80), Real(Rs1, 1, LvsForwarding.Tunnel));

        Assert.Null(h.Forward(Frame(Tcp(40000, Frames.Ack))));
    }

    // ------------------------------------------------------------------ MTU

    /// <summary>A TCP frame whose IP total length is <paramref name="ipTotal"/>.</summary>
    private static byte[] OfSize(int ipTotal, bool df = true, ushort clientPort = 40000, byte flags = Frames.Ack | 0x08) =>
        Frame(Tcp(clientPort, flags, ipTotal - 40) with { DontFragment = df });

    private static void AssertFragmentationNeeded(byte[] icmpFrame, byte[] original, ushort mtu)
    {
        var ip = icmpFrame.AsSpan(14);
        int total = Get16(ip, 2);
        Assert.Equal(14 + total, icmpFrame.Length);
        int quoted = total - 28;
        int origIhl = (original[14] & 0x0f) * 4;
        Assert.True(quoted >= origIhl + 8, "quotes at least the IP header and 8 bytes");
        Assert.True(total <= 576, "an ICMP error fits in 576 bytes");

        var expected = new byte[14 + total];
        original.AsSpan(6, 6).CopyTo(expected);                  // back to the sender's MAC
        DirectorMac.CopyTo(expected, 6);
        expected[12] = 0x08; expected[13] = 0x00;
        var e = expected.AsSpan(14);
        e[0] = 0x45;
        Put16(e, 2, (ushort)total);
        Put16(e, 4, Get16(ip, 4));                               // identification: the engine's choice
        e[8] = ip[8];
        Assert.True(ip[8] > 0, "TTL");
        e[9] = 1;                                                // ICMP
        Put32(e, 12, Get32(original, 30));                       // from the VIP
        Put32(e, 16, Get32(original, 26));                       // to the client
        Put16(e, 10, Checksum(e.Slice(0, 20)));
        var icmp = e.Slice(20);
        icmp[0] = 3;                                             // destination unreachable
        icmp[1] = 4;                                             // fragmentation needed and DF set
        Put16(icmp, 6, mtu);                                     // next-hop MTU
        original.AsSpan(14, quoted).CopyTo(icmp.Slice(8));
        Put16(icmp, 2, Checksum(icmp));

        AssertSameBytes(expected, icmpFrame);
        Assert.Equal(0xffffu, Sum(ip.Slice(0, 20)));
        Assert.Equal(0xffffu, Sum(ip.Slice(20, total - 20)));
    }

    [Fact]
    public void InnerOf1480_Fits_OuterIs1500()
    {
        var h = Tunnelled();
        h.Forward(Frame(Tcp(40000, Frames.Syn)));
        var big = OfSize(1480);

        var sent = h.Forward(big);

        AssertEncapsulated(big, Rs1, sent);
        Assert.Equal(1514, sent!.Length);
        Assert.Equal(1500, Get16(sent, 16));
        Assert.Equal(0UL, h.Engine.TooBigDropped);
    }

    [Fact]
    public void InnerOf1481_WithDf_GetsFragmentationNeeded_1480_AndIsNotForwarded()
    {
        var h = TunnelledAfterSyn();
        ulong forwarded = h.Engine.FramesForwarded, icmps = h.Engine.IcmpUnreachableSent;
        var big = OfSize(1481);

        h.Process(big);

        var icmp = Assert.Single(h.Sink.Sent);
        AssertFragmentationNeeded(icmp, big, 1480);
        Assert.Equal(forwarded, h.Engine.FramesForwarded);
        Assert.Equal(icmps + 1, h.Engine.IcmpUnreachableSent);
        // Tracked before the transmit step, as ip_vs_in does: the ACK moved the entry on although it was not sent.
        Assert.Equal(LvsConnectionState.Established, h.Connection(40000).State);
    }

    [Fact]
    public void TooBigSyn_WithDf_GetsFragmentationNeeded()
    {
        var h = Tunnelled();
        var big = OfSize(1500, flags: Frames.Syn);

        h.Process(big);

        AssertFragmentationNeeded(Assert.Single(h.Sink.Sent), big, 1480);
    }

    [Fact]
    public void InnerOf1481_WithoutDf_IsDropped_Silently_AndCounted()
    {
        var h = TunnelledAfterSyn();
        ulong forwarded = h.Engine.FramesForwarded, dropped = h.Engine.FramesDropped;

        h.Process(OfSize(1481, df: false));

        Assert.Empty(h.Sink.Sent);
        Assert.Equal(1UL, h.Engine.TooBigDropped);
        Assert.Equal(dropped + 1, h.Engine.FramesDropped);
        Assert.Equal(forwarded, h.Engine.FramesForwarded);
        Assert.Equal(0UL, h.Engine.IcmpUnreachableSent);

        // Smaller packets of the same connection still go through.
        var ok = OfSize(1480, df: false);
        AssertEncapsulated(ok, Rs1, h.Forward(ok));
    }

    [Fact]
    public void ASmallerMtu_MovesTheLimit()
    {
        var h = Tunnelled();
        h.Engine.Mtu = 1400;
        h.Forward(Frame(Tcp(40000, Frames.Syn)));

        var fits = OfSize(1380);
        AssertEncapsulated(fits, Rs1, h.Forward(fits));

        h.Sink.Clear();
        var big = OfSize(1381);
        h.Process(big);
        AssertFragmentationNeeded(Assert.Single(h.Sink.Sent), big, 1380);
    }

    [Fact]
    public void RoutedServers_AreNotLimitedByTheTunnelMtu()
    {
        var h = new EngineHarness();
        h.AddService(80, LvsScheduler.Rr, (Rs1, 1));
        h.Resolve(Rs1);
        h.Sink.Clear();
        h.Forward(Frame(Tcp(40000, Frames.Syn)));
        var full = OfSize(1500);

        var fwd = h.Forward(full);

        Assert.Equal(full[12..], fwd![12..]);
        Assert.Equal(0UL, h.Engine.TooBigDropped);
    }
}
