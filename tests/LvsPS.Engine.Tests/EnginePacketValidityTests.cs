namespace LvsPS.Engine.Tests;

/// <summary>
/// Packets a kernel drops (issue 8, item 8): a SYN with a bad IPv4 header checksum, or from a martian source, is
/// dropped before any lookup, as ip_rcv_core and ip_route_input_slow drop it: not forwarded, no entry, no scheduling,
/// counted under its reason (Get-LvsDirector's DropsByReason). Frames are built by PacketKit, whose checksums are
/// computed independently of the engine; a valid SYN between the bad ones is still forwarded.
/// The sources the kernel accepts (240/4 since 2.6.25, 0/8 other than 0.0.0.0 since 5.3; measured on 6.18, see
/// docs/RELIABILITY.md) are forwarded as a kernel director would.
/// </summary>
public class EnginePacketValidityTests
{
    private static EngineHarness Ready()
    {
        var h = EngineHarness.Resolved(80, LvsScheduler.Rr, (Rs1, 1), (Rs2, 1));
        h.AddService(Spec(80, LvsScheduler.Rr, vip: Vip2), (Rs1, 1));
        h.Engine.InterfacePrefixLength = 24; // 10.250.0.0/24, as PcapLink reads it from the interface
        h.Sink.Clear();
        return h;
    }

    private static byte[] SynFrom(uint source, ushort port = 40000) =>
        PacketKit.Frame(PacketKit.Tcp(port, Frames.Syn) with { Source = source });

    private static byte[] BadChecksum(byte[] frame)
    {
        frame[14 + 10] ^= 0x5a;
        return frame;
    }

    public static IEnumerable<object[]> Dropped() => new[]
    {
        new object[] { "bad IP header checksum", BadChecksum(SynFrom(Client)), "BadChecksum" },
        new object[] { "checksum field zeroed", ZeroChecksum(SynFrom(Client)), "BadChecksum" },
        new object[] { "limited broadcast 255.255.255.255", SynFrom(0xFFFFFFFF), "SourceBroadcast" },
        new object[] { "subnet broadcast 10.250.0.255", SynFrom(0x0AFA00FF), "SourceBroadcast" },
        new object[] { "multicast 224.0.0.5", SynFrom(0xE0000005), "SourceMulticast" },
        new object[] { "multicast 239.255.255.255", SynFrom(0xEFFFFFFF), "SourceMulticast" },
        new object[] { "loopback 127.0.0.1", SynFrom(0x7F000001), "SourceLoopback" },
        new object[] { "loopback 127.200.1.2", SynFrom(0x7FC80102), "SourceLoopback" },
        new object[] { "0.0.0.0", SynFrom(0), "SourceZero" },
        new object[] { "the VIP itself", SynFrom(Vip), "SourceLocal" },
        new object[] { "another VIP of the director", SynFrom(Vip2), "SourceLocal" },
        new object[] { "the director's own address", SynFrom(DirectorIp), "SourceLocal" },
    };

    private static byte[] ZeroChecksum(byte[] frame)
    {
        frame[24] = 0;
        frame[25] = 0;
        return frame;
    }

    [Theory]
    [MemberData(nameof(Dropped))]
    public void Syn_IsDropped_NotScheduled_AndCountedByReason(string what, byte[] frame, string reasonName)
    {
        var reason = Enum.Parse<DropReason>(reasonName);
        var h = Ready();
        ulong dropped = h.Engine.FramesDropped;

        h.Process(frame);

        Assert.True(h.Sink.Sent.Count == 0, what + ": forwarded or answered");
        Assert.Equal(0, h.Engine.ConnectionCount);
        Assert.Equal(0UL, h.Engine.ListServices().Aggregate(0UL, (n, s) => n + s.Statistics.Connections));
        Assert.Equal(dropped + 1, h.Engine.FramesDropped);
        Assert.Equal(1UL, h.Engine.DropCount(reason));
        var status = h.Engine.GetStatus();
        Assert.Equal(1UL, status.DropsByReason[reason.ToString()]);
        Assert.Single(status.DropsByReason);
        // Nothing was scheduled: rr still starts where it would have (Rs2, the newest, first).
        Assert.Equal(Rs2, RealServerOf(h.Forward(SynFrom(Client, 40001))));
    }

    [Theory]
    [MemberData(nameof(Dropped))]
    public void SegmentOfAnEstablishedConnection_FromTheSameBadSource_DoesNotTouchIt(string what, byte[] frame, string reasonName)
    {
        var reason = Enum.Parse<DropReason>(reasonName);
        var h = Ready();
        Assert.NotNull(h.Forward(SynFrom(Client, 40000)));
        var c = h.Connection(40000);

        // The same bad packet as a data segment, then the good one.
        var ack = (byte[])frame.Clone();
        ack[14 + 20 + 13] = Frames.Ack;
        h.Process(ack);

        Assert.True(h.Sink.Sent.Count == 1, what);
        Assert.Equal(c.Packets, h.Connection(40000).Packets);
        Assert.Equal(1UL, h.Engine.DropCount(reason));
    }

    [Fact]
    public void EveryReason_CountsOnItsOwn_AndValidSynsAreForwardedBetweenThem()
    {
        var h = Ready();
        ushort port = 41000;
        int forwarded = 0;
        foreach (var row in Dropped())
        {
            h.Process((byte[])row[1]);
            if (h.Forward(SynFrom(Client, port++)) is not null) forwarded++;
        }

        Assert.Equal(Dropped().Count(), forwarded);
        Assert.Equal(forwarded, h.Engine.ConnectionCount);
        var byReason = h.Engine.GetStatus().DropsByReason;
        Assert.Equal(2UL, byReason["BadChecksum"]);
        Assert.Equal(2UL, byReason["SourceBroadcast"]);
        Assert.Equal(2UL, byReason["SourceMulticast"]);
        Assert.Equal(2UL, byReason["SourceLoopback"]);
        Assert.Equal(1UL, byReason["SourceZero"]);
        Assert.Equal(3UL, byReason["SourceLocal"]);
        Assert.Equal((ulong)Dropped().Count(), h.Engine.FramesDropped);
    }

    [Theory]
    [InlineData(0xF0010203u)] // 240.1.2.3, class E
    [InlineData(0xFEFFFFFEu)] // 254.255.255.254
    [InlineData(0x00010203u)] // 0.1.2.3
    [InlineData(0x0AFA00FEu)] // 10.250.0.254, a neighbour on the subnet
    [InlineData(0xC0A80101u)] // 192.168.1.1, beyond a router
    public void Sources_TheKernelAccepts_AreForwarded(uint source)
    {
        var h = Ready();

        Assert.NotNull(h.Forward(SynFrom(source)));

        Assert.Equal(1, h.Engine.ConnectionCount);
        Assert.Empty(h.Engine.GetStatus().DropsByReason);
    }

    [Fact]
    public void SubnetBroadcast_IsOnlyMartianWhenThePrefixIsKnown()
    {
        var h = Ready();
        h.Engine.InterfacePrefixLength = 0;
        Assert.NotNull(h.Forward(SynFrom(0x0AFA00FF)));

        h.Engine.InterfacePrefixLength = 16; // 10.250.255.255 is the broadcast now; 10.250.0.255 a host
        Assert.NotNull(h.Forward(SynFrom(0x0AFA00FF, 40001)));
        Assert.Null(h.Forward(SynFrom(0x0AFAFFFF, 40002)));
        Assert.Equal(1UL, h.Engine.DropCount(DropReason.SourceBroadcast));
    }

    [Fact]
    public void BadFrames_ToAnotherMac_AreNotCounted()
    {
        // PACKET_OTHERHOST goes first, as in ip_rcv_core: a flooded frame is not ours to judge.
        var h = Ready();
        foreach (var row in Dropped())
        {
            var f = (byte[])((byte[])row[1]).Clone();
            LabMac(0x00, 0x77).CopyTo(f, 0);
            h.Process(f);
        }

        Assert.Equal(0UL, h.Engine.FramesDropped);
        Assert.Empty(h.Engine.GetStatus().DropsByReason);
    }

    [Fact]
    public void HeaderChecksum_AgreesWithAnIndependentSum_WithOptions()
    {
        var good = PacketKit.Frame(PacketKit.Tcp(40000, Frames.Syn) with { Options = new byte[] { 1, 1, 1, 0, 0x44, 8, 5, 0 } });
        Assert.True(PacketKit.IpHeaderValid(good.AsSpan(14)));
        Assert.True(Ipv4Packet.HeaderChecksumValid(good.AsSpan(14, 28)));
        Assert.Equal(Ipv4Check.Ok, Ipv4Packet.Parse(good, out _));
        for (int i = 0; i < 28; i++)
        {
            var bad = (byte[])good.Clone();
            bad[14 + i] ^= 0x01;
            if (i is 0 or 2 or 3) continue; // version/IHL and total length are checked as lengths first
            Assert.Equal(Ipv4Check.BadChecksum, Ipv4Packet.Parse(bad, out _));
        }
    }

    [Fact]
    public void NatReply_WithABadChecksum_IsDroppedOnTheInsideLink()
    {
        var n = new NatHarness();
        n.Service(80, LvsProtocol.Tcp, (1, 8080));
        n.H.Process(SynFrom(Client));
        Assert.Single(n.Inside.IPv4);
        n.Outside.Clear();
        var reply = PacketKit.Frame(new PacketKit.Packet
        {
            DstMac = NatHarness.InsideMac, SrcMac = NatHarness.Nrs1Mac, Source = NatHarness.Nrs1, Destination = Client,
            SourcePort = 8080, DestinationPort = 40000, Flags = Frames.Syn | Frames.Ack,
        });

        n.Engine.ProcessFrame(BadChecksum((byte[])reply.Clone()), 1);

        Assert.Empty(n.Outside.Sent);
        Assert.Equal(1UL, n.Engine.DropCount(DropReason.BadChecksum));
        n.Engine.ProcessFrame((byte[])reply.Clone(), 1);
        Assert.Single(n.Outside.IPv4);
    }
}
