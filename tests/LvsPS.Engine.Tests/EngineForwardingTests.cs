namespace LvsPS.Engine.Tests;

public class EngineForwardingTests
{
    private static EngineHarness ResolvedRr(params uint[] reals)
    {
        var h = Resolved(80, LvsScheduler.Rr, reals.Select(r => (r, 1)).ToArray());
        h.Sink.Clear();
        return h;
    }

    [Fact]
    public void Syn_IsRewrittenToTheRealServerMac_RestUnchanged()
    {
        var h = ResolvedRr(Rs1);
        var syn = h.Tcp(40000, Frames.Syn);

        var fwd = h.Forward(syn);

        Assert.NotNull(fwd);
        Assert.Equal(Rs1Mac, fwd![..6]);
        Assert.Equal(DirectorMac, fwd[6..12]);
        Assert.Equal(syn[12..], fwd[12..]); // EtherType, IP and TCP untouched (TTL, checksums, addresses)
        Assert.Equal(syn.Length, fwd.Length);
        Assert.Equal(1UL, h.Engine.FramesForwarded);
        Assert.Equal(0UL, h.Engine.FramesDropped);
    }

    [Fact]
    public void DataSegment_WithPayload_IsForwardedByteForByte()
    {
        var h = ResolvedRr(Rs1);
        h.Forward(h.Tcp(40000, Frames.Syn));
        var data = FrameKit.WithPattern(h.Tcp(40000, Frames.Ack | 0x08, 1200), 54);
        data = FrameKit.FixIpChecksum(data);

        var fwd = h.Forward(data);

        Assert.NotNull(fwd);
        Assert.Equal(Rs1Mac, fwd![..6]);
        Assert.Equal(DirectorMac, fwd[6..12]);
        Assert.Equal(data[12..], fwd[12..]);
    }

    [Fact]
    public void EthernetPadding_IsStripped_FrameLengthIs14PlusIpTotalLength()
    {
        var h = ResolvedRr(Rs1);
        var syn = h.Tcp(40000, Frames.Syn);     // 54 bytes
        var padded = FrameKit.Pad(syn, 60);
        padded[58] = 0xaa;                        // padding garbage must not leak
        padded[59] = 0x55;

        var fwd = h.Forward(padded);

        Assert.NotNull(fwd);
        Assert.Equal(14 + 40, fwd!.Length);
        Assert.Equal(syn[12..], fwd[12..]);
    }

    [Fact]
    public void UdpPadding_IsStrippedToo()
    {
        var h = new EngineHarness();
        h.AddService(Spec(53, LvsScheduler.Rr, LvsProtocol.Udp), (Rs1, 1));
        h.Resolve(Rs1);
        var dgram = h.Udp(5353, payload: 2); // 44 bytes on the wire before padding

        var fwd = h.Forward(FrameKit.Pad(dgram, 60));

        Assert.NotNull(fwd);
        Assert.Equal(14 + 30, fwd!.Length);
        Assert.Equal(Rs1Mac, fwd[..6]);
        Assert.Equal(dgram[12..], fwd[12..]);
    }

    [Fact]
    public void FramesBeforeTheMacIsResolved_AreDropped_ThenForwardedOnceResolved()
    {
        var h = new EngineHarness();
        h.AddService(80, LvsScheduler.Rr, (Rs1, 1));
        h.Sink.Clear();

        Assert.Null(h.Forward(h.Tcp(40000, Frames.Syn)));
        Assert.Null(h.Forward(h.Tcp(40000, Frames.Syn))); // retransmission
        Assert.Equal(2UL, h.Engine.FramesDropped);
        Assert.Equal(0UL, h.Engine.FramesForwarded);
        Assert.Empty(h.Sink.IPv4);

        h.Resolve(Rs1);
        var fwd = h.Forward(h.Tcp(40000, Frames.Syn));
        Assert.Equal(Rs1Mac, fwd![..6]);
        Assert.Equal(1UL, h.Engine.FramesForwarded);
        Assert.Equal(2UL, h.Engine.FramesDropped);
    }

    [Fact]
    public void PortWithoutService_IsNotForwarded()
    {
        var h = ResolvedRr(Rs1);

        Assert.Null(h.Forward(h.Tcp(40000, Frames.Syn, port: 8080)));
        Assert.Null(h.Forward(h.Udp(40000, port: 80))); // UDP to a TCP-only port

        Assert.Empty(h.Sink.Sent);
        Assert.Equal(0UL, h.Engine.FramesForwarded);
        Assert.Equal(2UL, h.Engine.FramesDropped);
        Assert.Empty(h.Engine.ListConnections());
    }

    [Fact]
    public void TrafficToANonVipAddress_IsIgnored()
    {
        var h = ResolvedRr(Rs1);

        Assert.Null(h.Forward(h.Tcp(40000, Frames.Syn, vip: 0x0AFA0099)));
        Assert.Null(h.Forward(h.Tcp(40000, Frames.Syn, vip: DirectorIp)));

        Assert.Empty(h.Sink.Sent);
        Assert.Empty(h.Engine.ListConnections());
    }

    [Fact]
    public void NonIPv4NonArpEtherTypes_AreIgnored()
    {
        var h = ResolvedRr(Rs1);
        var f = h.Tcp(40000, Frames.Syn);
        f[12] = 0x86; f[13] = 0xdd; // IPv6 EtherType
        ulong received = h.Engine.FramesReceived;

        h.Process(f);

        Assert.Empty(h.Sink.Sent);
        Assert.Equal(received + 1, h.Engine.FramesReceived);
        Assert.Empty(h.Engine.ListConnections());
    }

    [Fact]
    public void EveryPacketOfAConnection_GoesToTheSameRealServer()
    {
        var h = ResolvedRr(Rs1, Rs2);
        var first = h.Syn(40000);

        for (int i = 0; i < 5; i++)
            Assert.Equal(first, RealServerOf(h.Forward(h.Tcp(40000, Frames.Ack, 100))));
        Assert.Equal(first, RealServerOf(h.Forward(h.Tcp(40000, Frames.Fin | Frames.Ack))));
    }

    [Fact]
    public void IpOptions_AreForwardedUnchanged()
    {
        var h = ResolvedRr(Rs1);
        // SYN with a 4-byte IP option (IHL 6): NOP NOP NOP EOL.
        var plain = h.Tcp(40000, Frames.Syn);
        var f = new byte[plain.Length + 4];
        plain.AsSpan(0, 34).CopyTo(f);
        f[34] = 1; f[35] = 1; f[36] = 1; f[37] = 0;
        plain.AsSpan(34).CopyTo(f.AsSpan(38));
        f[14] = 0x46;
        Frames.W16(f, 16, (ushort)(plain.Length - 14 + 4));
        Frames.W16(f, 24, 0);
        Frames.W16(f, 24, DirectorEngine.Checksum(f.AsSpan(14, 24)));

        var fwd = h.Forward(f);

        Assert.NotNull(fwd);
        Assert.Equal(f[12..], fwd![12..]);
        Assert.Equal(LvsConnectionState.SynRecv, h.Connection(40000).State);
    }

    [Fact]
    public void ServicesOnTwoPorts_AreIndependent()
    {
        var h = new EngineHarness();
        h.AddService(80, LvsScheduler.Rr, (Rs1, 1));
        h.AddService(443, LvsScheduler.Rr, (Rs2, 1));
        h.ResolveAll(Rs1, Rs2);

        Assert.Equal(Rs1, h.Syn(40000, 80));
        Assert.Equal(Rs2, h.Syn(40000, 443));
        Assert.Equal(2, h.Engine.ListConnections().Count);
    }
}
