namespace LvsPS.Engine.Tests;

/// <summary>Hostile or broken frames addressed to a served VIP:port never throw, are never forwarded and are counted.</summary>
public class EngineMalformedFrameTests
{
    private static EngineHarness Ready() => WebAndDns();

    private static void AssertDropped(EngineHarness h, byte[] frame)
    {
        ulong dropped = h.Engine.FramesDropped, received = h.Engine.FramesReceived, forwarded = h.Engine.FramesForwarded;
        int connections = h.Engine.ConnectionCount;

        var e = Record.Exception(() => h.Process(frame));

        Assert.Null(e);
        Assert.Equal(received + 1, h.Engine.FramesReceived);
        Assert.Equal(dropped + 1, h.Engine.FramesDropped);
        Assert.Equal(forwarded, h.Engine.FramesForwarded);
        Assert.Equal(connections, h.Engine.ConnectionCount);
        Assert.Empty(h.Sink.Sent);
    }

    private static byte[] GoodSyn(EngineHarness h) => h.Tcp(40000, Frames.Syn, 16);

    /// <summary>The good SYN changed by <paramref name="mutate"/>, its IP header checksum made right again: dropped.</summary>
    private static void AssertDroppedAfter(Action<byte[]> mutate)
    {
        var h = Ready();
        var f = GoodSyn(h);
        mutate(f);
        AssertDropped(h, FrameKit.FixIpChecksum(f));
    }

    [Fact]
    public void TheGoodFrame_IsForwarded() // the control case for every test below
    {
        var h = Ready();
        Assert.NotNull(h.Forward(GoodSyn(h)));
    }

    [Theory]
    [InlineData(0)]  // truncated Ethernet header
    [InlineData(1)]
    [InlineData(6)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)] // truncated IP header
    [InlineData(15)]
    [InlineData(33)]
    public void TruncatedEthernetOrIpHeader(int length)
    {
        var h = Ready();
        AssertDropped(h, GoodSyn(h)[..length]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    public void BadIhl(int ihl) => AssertDroppedAfter(f => f[14] = (byte)(0x40 | ihl));

    [Fact]
    public void IhlBeyondTotalLength()
    {
        var h = Ready();
        var f = h.Tcp(40000, Frames.Syn); // total 40
        f[14] = 0x4f;                      // IHL 60
        AssertDropped(h, f);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(65535)]
    public void TotalLengthLargerThanTheFrame(int extra) =>
        AssertDroppedAfter(f => Frames.W16(f, 16, (ushort)Math.Min(65535, Frames.U16(f, 16) + extra)));

    [Theory]
    [InlineData(0)]
    [InlineData(19)]
    public void TotalLengthSmallerThanTheHeader(int total) => AssertDroppedAfter(f => Frames.W16(f, 16, (ushort)total));

    [Theory]
    [InlineData(0x2000)] // MF: first fragment
    [InlineData(0x0001)] // offset 8
    [InlineData(0x00b9)] // offset 1480, last fragment
    [InlineData(0x3fff)]
    [InlineData(0x6000)] // DF + MF
    public void Fragments(int flagsAndOffset) => AssertDroppedAfter(f => Frames.W16(f, 20, (ushort)flagsAndOffset));

    [Fact]
    public void FragmentOfAnExistingConnection_IsDroppedToo()
    {
        var h = Ready();
        h.Forward(GoodSyn(h));
        h.Sink.Clear();
        var f = h.Tcp(40000, Frames.Ack, 100);
        Frames.W16(f, 20, 0x2000);
        AssertDropped(h, FrameKit.FixIpChecksum(f));
        Assert.Equal(1UL, h.Connection(40000).Packets);
    }

    [Fact]
    public void ReservedFlagAndDf_AreNotFragments()
    {
        var h = Ready();
        var f = GoodSyn(h);
        Frames.W16(f, 20, 0x4000); // DF only (what TestFrames sets)
        Assert.NotNull(h.Forward(FrameKit.FixIpChecksum(f)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(8)]
    [InlineData(19)]
    public void TruncatedTcpHeader(int tcpBytes)
    {
        var h = Ready();
        var f = h.Tcp(40000, Frames.Syn)[..(34 + tcpBytes)];
        Frames.W16(f, 16, (ushort)(20 + tcpBytes));
        AssertDropped(h, FrameKit.FixIpChecksum(f));
    }

    [Fact]
    public void TruncatedTcpHeader_TotalLengthCutsItShort_InsideALongerFrame()
    {
        var h = Ready();
        var f = FrameKit.Pad(h.Tcp(40000, Frames.Syn), 60); // the frame has the bytes, the IP packet does not
        Frames.W16(f, 16, 20 + 12);
        AssertDropped(h, FrameKit.FixIpChecksum(f));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void TruncatedUdpHeader(int udpBytes)
    {
        var h = Ready();
        var f = h.Udp(5353, 0)[..(34 + udpBytes)];
        Frames.W16(f, 16, (ushort)(20 + udpBytes));
        AssertDropped(h, FrameKit.FixIpChecksum(f));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    [InlineData(5)]
    [InlineData(15)]
    public void NonIPv4Version(int version) => AssertDroppedAfter(f => f[14] = (byte)(version << 4 | 5));

    [Theory]
    [InlineData(1)]   // ICMP
    [InlineData(47)]  // GRE
    [InlineData(132)] // SCTP
    public void OtherProtocolsToTheVip(byte protocol) => AssertDroppedAfter(f => f[23] = protocol);

    [Fact]
    public void RandomMutations_NeverThrow_AndNeverForwardWithoutAnEntry()
    {
        var h = Ready();
        var rnd = new Random(20240521);
        var seeds = new[]
        {
            h.Tcp(40000, Frames.Syn, 16),
            h.Tcp(40001, Frames.Ack, 100),
            h.Udp(5353, 40),
            TestFrames.ArpRequest(ClientMac, Client, Vip),
            TestFrames.ArpReply(Rs1Mac, Rs1, DirectorMac, DirectorIp),
        };
        for (int i = 0; i < 20000; i++)
        {
            var f = (byte[])seeds[rnd.Next(seeds.Length)].Clone();
            int edits = rnd.Next(1, 6);
            for (int j = 0; j < edits; j++)
            {
                int at = 12 + rnd.Next(Math.Max(1, f.Length - 12));
                if (at < f.Length) f[at] = (byte)rnd.Next(256);
            }
            if (rnd.Next(4) == 0) f = f[..rnd.Next(f.Length + 1)];
            var e = Record.Exception(() => h.Engine.ProcessFrame(f));
            Assert.Null(e);
            if (rnd.Next(50) == 0) h.Engine.Tick();
        }
        // Every forwarded frame is exactly 14 + its IP total length.
        foreach (var s in h.Sink.IPv4)
            Assert.True(s.Length == 14 + Frames.U16(s, 16) || s[14 + 9] == 1, "forwarded frame length");
        Assert.Equal(20000UL, h.Engine.FramesReceived - 1);
    }

    [Fact]
    public void RandomBytes_NeverThrow()
    {
        var h = Ready();
        var rnd = new Random(7);
        for (int i = 0; i < 20000; i++)
        {
            var f = new byte[rnd.Next(0, 128)];
            rnd.NextBytes(f);
            if (f.Length >= 34 && rnd.Next(2) == 0)
            {
                f[12] = 0x08; f[13] = 0x00; f[14] = 0x45;
                Frames.W32(f, 30, Vip);
            }
            Assert.Null(Record.Exception(() => h.Engine.ProcessFrame(f)));
        }
    }
}
