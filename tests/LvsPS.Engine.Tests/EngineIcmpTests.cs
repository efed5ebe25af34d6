namespace LvsPS.Engine.Tests;

/// <summary>No available real server: ICMP port unreachable back to the client, as ip_vs_leave does.</summary>
public class EngineIcmpTests
{
    private static EngineHarness AllQuiesced(LvsProtocol protocol = LvsProtocol.Tcp, ushort port = 80)
    {
        var h = new EngineHarness();
        var s = h.AddService(Spec(port, LvsScheduler.Wrr, protocol), (Rs1, 1), (Rs2, 1));
        h.ResolveAll(Rs1, Rs2);
        h.Engine.EditRealServer(s, Real(Rs1, 0));
        h.Engine.EditRealServer(s, Real(Rs2, 0));
        h.Sink.Clear();
        return h;
    }

    private static void AssertPortUnreachable(byte[] icmpFrame, byte[] original)
    {
        int origTotal = Frames.U16(original, 16);
        int origIhl = (original[14] & 0x0f) * 4;
        int quoted = Math.Min(origTotal, origIhl + 8);

        // Ethernet: back to whoever sent the packet (the client or its router), from the director.
        Assert.Equal(original[6..12], icmpFrame[..6]);
        Assert.Equal(DirectorMac, icmpFrame[6..12]);
        Assert.Equal(new byte[] { 0x08, 0x00 }, icmpFrame[12..14]);

        var ip = icmpFrame.AsSpan(14);
        Assert.Equal(0x45, ip[0]);
        int total = Frames.U16(ip, 2);
        Assert.Equal(20 + 8 + quoted, total);
        Assert.Equal(14 + total, icmpFrame.Length);
        Assert.Equal(0, Frames.U16(ip, 6) & 0x3fff);     // not a fragment
        Assert.True(ip[8] > 0);                          // TTL
        Assert.Equal(1, ip[9]);                          // ICMP
        Assert.Equal(Frames.U32(original, 14 + 16), Frames.U32(ip, 12)); // from the VIP
        Assert.Equal(Frames.U32(original, 14 + 12), Frames.U32(ip, 16)); // to the client
        Assert.Equal(0, FrameKit.ReferenceChecksum(ip[..20]));            // valid header checksum

        var icmp = ip.Slice(20, total - 20);
        Assert.Equal(3, icmp[0]); // destination unreachable
        Assert.Equal(3, icmp[1]); // port unreachable
        Assert.Equal(0, FrameKit.ReferenceChecksum(icmp));
        Assert.Equal(0u, Frames.U32(icmp, 4)); // unused
        Assert.True(icmp.Slice(8).SequenceEqual(original.AsSpan(14, quoted)), "quotes the original IP header + 8 bytes");
    }

    [Fact]
    public void TcpSyn_AllWeightsZero_GetsPortUnreachable()
    {
        var h = AllQuiesced();
        var syn = h.Tcp(40000, Frames.Syn, 100);

        h.Process(syn);

        var icmp = Assert.Single(h.Sink.Sent);
        AssertPortUnreachable(icmp, syn);
        Assert.Equal(14 + 20 + 8 + 28, icmp.Length);
        Assert.Equal(1UL, h.Engine.IcmpUnreachableSent);
        Assert.Equal(1UL, h.Engine.FramesDropped);
        Assert.Equal(0UL, h.Engine.FramesForwarded);
        Assert.Empty(h.Engine.ListConnections());
        Assert.Equal(0UL, h.Service().Statistics.Connections);
    }

    [Fact]
    public void Udp_AllWeightsZero_GetsPortUnreachable()
    {
        var h = AllQuiesced(LvsProtocol.Udp, 53);
        var dgram = h.Udp(5353, 64);

        h.Process(dgram);

        AssertPortUnreachable(Assert.Single(h.Sink.Sent), dgram);
    }

    [Fact]
    public void PaddedSyn_QuotesTheIpPacketOnly()
    {
        var h = AllQuiesced();
        var syn = FrameKit.Pad(h.Tcp(40000, Frames.Syn), 60);

        h.Process(syn);

        AssertPortUnreachable(Assert.Single(h.Sink.Sent), syn);
    }

    [Fact]
    public void MinimalUdp_IsQuotedWhole()
    {
        var h = AllQuiesced(LvsProtocol.Udp, 53);
        var dgram = h.Udp(5353, 0); // 28 bytes: exactly IP header + 8

        h.Process(dgram);

        AssertPortUnreachable(Assert.Single(h.Sink.Sent), dgram);
    }

    [Fact]
    public void IpOptions_AreQuotedWithTheHeader()
    {
        var h = AllQuiesced();
        var plain = h.Tcp(40000, Frames.Syn);
        var f = new byte[plain.Length + 8];
        plain.AsSpan(0, 34).CopyTo(f);
        f[34] = 1; f[35] = 1; f[36] = 1; f[37] = 1; f[38] = 1; f[39] = 1; f[40] = 1; f[41] = 0;
        plain.AsSpan(34).CopyTo(f.AsSpan(42));
        f[14] = 0x47; // IHL 7
        Frames.W16(f, 16, (ushort)(plain.Length - 14 + 8));
        Frames.W16(f, 24, 0);
        Frames.W16(f, 24, DirectorEngine.Checksum(f.AsSpan(14, 28)));

        h.Process(f);

        var icmp = Assert.Single(h.Sink.Sent);
        AssertPortUnreachable(icmp, f);
        Assert.Equal(14 + 20 + 8 + 28 + 8, icmp.Length);
    }

    [Fact]
    public void NonSynWithoutEntry_GetsNoIcmp_JustDropped()
    {
        var h = AllQuiesced();
        h.Process(h.Tcp(40000, Frames.Ack, 10));
        Assert.Empty(h.Sink.Sent);
        Assert.Equal(0UL, h.Engine.IcmpUnreachableSent);
    }

    [Fact]
    public void ServiceWithoutRealServers_GetsPortUnreachable()
    {
        var h = EmptyService();
        var syn = h.Tcp(40000, Frames.Syn);

        h.Process(syn);

        AssertPortUnreachable(Assert.Single(h.Sink.Sent), syn);
    }

    [Fact]
    public void EngineChecksum_MatchesAReferenceImplementation()
    {
        var rnd = new Random(1234);
        for (int len = 0; len < 80; len++)
        {
            var data = new byte[len];
            rnd.NextBytes(data);
            Assert.Equal(FrameKit.ReferenceChecksum(data), DirectorEngine.Checksum(data));
        }
    }
}
