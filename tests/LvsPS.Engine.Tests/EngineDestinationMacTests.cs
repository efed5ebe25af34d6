namespace LvsPS.Engine.Tests;

/// <summary>
/// Only IPv4 frames addressed to the director's MAC are forwarded. A switch floods unknown unicast (and every
/// broadcast or multicast) to all ports; such a frame was meant for another host, and forwarding it would
/// duplicate the traffic (the kernel's IPVS likewise handles only PACKET_HOST skbs).
/// </summary>
public class EngineDestinationMacTests
{
    private static readonly byte[] OtherHostMac = LabMac(0x00, 0x77);
    private static readonly byte[] BroadcastMac = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    private static readonly byte[] MulticastMac = { 0x01, 0x00, 0x5e, 0x7a, 0x00, 0x65 };
    /// <summary>The director's MAC with the last byte changed.</summary>
    private static readonly byte[] NearlyDirectorMac = LabMac(0x00, 0x02);
    /// <summary>The director's MAC with the group bit set (a multicast address, not the director's).</summary>
    private static readonly byte[] GroupBitDirectorMac = { 0x03, 0x4c, 0x56, 0x00, 0x00, 0x01 };

    public static IEnumerable<object[]> ForeignMacs() => new[]
    {
        new object[] { "other host", OtherHostMac },
        new object[] { "broadcast", BroadcastMac },
        new object[] { "multicast", MulticastMac },
        new object[] { "last byte differs", NearlyDirectorMac },
        new object[] { "group bit", GroupBitDirectorMac },
        new object[] { "real server", Rs1Mac },
    };

    private static EngineHarness TwoServers()
    {
        var h = new EngineHarness();
        h.AddService(80, LvsScheduler.Rr, (Rs1, 1), (Rs2, 1));
        h.AddService(Spec(53, LvsScheduler.Rr, LvsProtocol.Udp), (Rs1, 1));
        h.ResolveAll(Rs1, Rs2);
        h.Sink.Clear();
        return h;
    }

    private static byte[] To(byte[] mac, byte[] frame)
    {
        var f = (byte[])frame.Clone();
        mac.CopyTo(f, 0);
        return f;
    }

    /// <summary>Everything observable about the engine except FramesReceived.</summary>
    private static string Snapshot(EngineHarness h) =>
        LvsPS.Ipvs.Director.DirectorJson.Serialize(new
        {
            services = h.Engine.ListServices(),
            connections = h.Engine.ListConnections(),
            h.Engine.FramesForwarded,
            h.Engine.FramesDropped,
            h.Engine.IcmpUnreachableSent,
            h.Engine.ArpRepliesSent,
        });

    [Theory]
    [MemberData(nameof(ForeignMacs))]
    public void Syn_ToAnotherMac_IsIgnored(string what, byte[] mac)
    {
        var h = TwoServers();
        string before = Snapshot(h);
        ulong received = h.Engine.FramesReceived;

        h.Process(To(mac, h.Tcp(40000, Frames.Syn)));

        Assert.True(h.Sink.Sent.Count == 0, what);
        Assert.Equal(received + 1, h.Engine.FramesReceived);
        Assert.Empty(h.Engine.ListConnections());
        Assert.Equal(0UL, h.Service().Statistics.Connections);
        Assert.Equal(before, Snapshot(h)); // not forwarded, not scheduled, not counted, not even as a drop

        // The scheduler did not move either: the first SYN really sent to the director goes where it would have.
        Assert.Equal(Rs2, h.Syn(40000));
    }

    [Theory]
    [MemberData(nameof(ForeignMacs))]
    public void UdpDatagram_ToAnotherMac_IsIgnored(string what, byte[] mac)
    {
        var h = TwoServers();
        string before = Snapshot(h);

        h.Process(To(mac, h.Udp(5353)));

        Assert.True(h.Sink.Sent.Count == 0, what);
        Assert.Equal(before, Snapshot(h));
        Assert.Equal(Rs1, RealServerOf(h.Forward(h.Udp(5353))));
    }

    [Theory]
    [MemberData(nameof(ForeignMacs))]
    public void SegmentOfAnEstablishedConnection_ToAnotherMac_DoesNotTouchTheEntry(string what, byte[] mac)
    {
        var h = TwoServers();
        Assert.Equal(Rs2, h.Syn(40000));
        h.Forward(h.Tcp(40000, Frames.Ack));
        h.AdvanceSeconds(100);
        string before = Snapshot(h);
        h.Sink.Clear();

        // A FIN and a RST seen only because the switch flooded them: no state change, no timer restart, no counting.
        h.Process(To(mac, h.Tcp(40000, Frames.Fin | Frames.Ack)));
        h.Process(To(mac, h.Tcp(40000, Frames.Rst)));
        h.Process(To(mac, h.Tcp(40000, Frames.Ack, 500)));

        Assert.True(h.Sink.Sent.Count == 0, what);
        Assert.Equal(before, Snapshot(h));
        var c = h.Connection(40000);
        Assert.Equal(LvsConnectionState.Established, c.State);
        Assert.Equal(800, c.ExpiresInSeconds);
        Assert.Equal(2UL, c.Packets);
        Assert.Equal((1, 0), (h.RealServer(Rs2).ActiveConnections, h.RealServer(Rs2).InactiveConnections));

        // The same segment sent to the director is forwarded as usual.
        Assert.Equal(Rs2, RealServerOf(h.Forward(h.Tcp(40000, Frames.Ack, 500))));
        Assert.Equal(900, h.Connection(40000).ExpiresInSeconds);
    }

    [Fact]
    public void Syn_ToAnotherMac_WithNoRealServer_GetsNoIcmp()
    {
        var h = new EngineHarness();
        h.AddService(80, LvsScheduler.Wlc); // no real server: a SYN for us is answered with port unreachable
        h.Sink.Clear();

        h.Process(To(OtherHostMac, h.Tcp(40000, Frames.Syn)));
        h.Process(To(BroadcastMac, h.Tcp(40001, Frames.Syn)));

        Assert.Empty(h.Sink.Sent);
        Assert.Equal(0UL, h.Engine.IcmpUnreachableSent);

        Assert.NotNull(h.Forward(h.Tcp(40002, Frames.Syn)));
        Assert.Equal(1UL, h.Engine.IcmpUnreachableSent);
    }

    [Fact]
    public void TheDirectorsOwnForwardedFrame_SeenAgain_IsNotForwardedTwice()
    {
        // A forwarded frame carries the real server's MAC; if the capture hands it back (e.g. a mirror port, or the
        // "not ether src" filter missing), it must not loop or be counted again.
        var h = TwoServers();
        var fwd = h.Forward(h.Tcp(40000, Frames.Syn))!;
        Assert.Equal(Rs2Mac, fwd[..6]);
        string before = Snapshot(h);
        h.Sink.Clear();

        h.Process(fwd);

        Assert.Empty(h.Sink.Sent);
        Assert.Equal(before, Snapshot(h));
        Assert.Equal(1UL, h.Connection(40000).Packets);
    }

    [Fact]
    public void ArpBroadcasts_AreStillAnswered()
    {
        // The rule is for IPv4 only: who-has is a broadcast and must still be answered.
        var h = TwoServers();

        h.Process(TestFrames.ArpRequest(ClientMac, Client, Vip));

        var reply = Assert.Single(h.Sink.Arp);
        Assert.Equal(ClientMac, reply[..6]);
        Assert.Equal(DirectorMac, reply[22..28]); // sender hardware address: the director
        Assert.Equal(1UL, h.Engine.ArpRepliesSent);
    }

    [Fact]
    public void InterleavedFloodedAndOwnFrames_OnlyOwnAreForwarded()
    {
        var h = TwoServers();
        for (ushort p = 40000; p < 40010; p++)
        {
            h.Process(To(OtherHostMac, h.Tcp(p, Frames.Syn)));
            h.Forward(h.Tcp(p, Frames.Syn));
            h.Process(To(BroadcastMac, h.Tcp(p, Frames.Ack, 100)));
        }

        Assert.Equal(10, h.Sink.IPv4.Count());
        Assert.Equal(10UL, h.Engine.FramesForwarded);
        Assert.Equal(10UL, h.Service().Statistics.Connections);
        Assert.Equal(10UL, h.Service().Statistics.InPackets);
        Assert.All(h.Engine.ListConnections(), c => Assert.Equal(LvsConnectionState.SynRecv, c.State));
        Assert.Equal(5, h.RealServer(Rs1).ActiveConnections);
        Assert.Equal(5, h.RealServer(Rs2).ActiveConnections);
    }
}
