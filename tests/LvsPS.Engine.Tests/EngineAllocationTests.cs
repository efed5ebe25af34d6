namespace LvsPS.Engine.Tests;

public class EngineAllocationTests
{
    /// <summary>
    /// Feeds the same buffer again. The engine rewrites the Ethernet header in place (destination := the real
    /// server), and a frame not addressed to the director's MAC is ignored, so the destination MAC is put back
    /// first; otherwise every frame after the first would take the "not ours" exit and measure nothing.
    /// </summary>
    private static void Feed(DirectorEngine engine, byte[] frame)
    {
        DirectorMac.AsSpan().CopyTo(frame);
        engine.ProcessFrame(frame);
    }

    /// <summary>The least a window of <paramref name="count"/> frames allocated; how many windows ran.</summary>
    private static (long Allocated, int Windows) Measure(DirectorEngine engine, byte[] frame, int count) =>
        (Allocations.Least(_ => { for (int i = 0; i < count; i++) Feed(engine, frame); }, out int windows), windows);

    [Fact]
    public void EstablishedDataSegment_AllocatesNothing()
    {
        var sink = new CountingSink();
        long now = 1_000_000;
        var engine = new DirectorEngine("alloc", (byte[])DirectorMac.Clone(), DirectorIp, sink, 12, () => now);
        var spec = Spec(80, LvsScheduler.Wlc);
        engine.AddService(spec);
        engine.AddRealServer(spec, Real(Rs1));
        engine.AddRealServer(spec, Real(Rs2));
        engine.ProcessFrame(TestFrames.ArpReply(Rs1Mac, Rs1, DirectorMac, DirectorIp));
        engine.ProcessFrame(TestFrames.ArpReply(Rs2Mac, Rs2, DirectorMac, DirectorIp));
        // Other connections in the table, so the lookup walks a populated table.
        for (ushort p = 1000; p < 1200; p++)
            engine.ProcessFrame(TestFrames.Tcp(ClientMac, DirectorMac, Client, Vip, p, 80, Frames.Syn, 0));
        engine.ProcessFrame(TestFrames.Tcp(ClientMac, DirectorMac, Client, Vip, 40000, 80, Frames.Syn, 0));
        engine.ProcessFrame(TestFrames.Tcp(ClientMac, DirectorMac, Client, Vip, 40000, 80, Frames.Ack, 0));
        var data = TestFrames.Tcp(ClientMac, DirectorMac, Client, Vip, 40000, 80, Frames.Ack | 0x08, 1400);

        for (int i = 0; i < 20_000; i++) Feed(engine, data); // warm-up
        int sentBefore = sink.Count;
        var (allocated, windows) = Measure(engine, data, 1000);

        Assert.Equal(0, allocated);
        Assert.Equal(windows * 1000, sink.Count - sentBefore); // every measured frame was forwarded, none ignored
        Assert.Equal(14 + 20 + 20 + 1400, sink.LastLength);
        var rs = engine.ListServices()[0].RealServers.Single(r => r.ActiveConnections > 0 && r.Statistics.InPackets > 20_000);
        Assert.Equal(LvsConnectionState.Established, engine.ListConnections().Single(c => c.ClientPort == 40000).State);
        Assert.NotNull(rs);
    }

    [Fact]
    public void EstablishedUdpFlow_AllocatesNothing()
    {
        var sink = new CountingSink();
        long now = 1_000_000;
        var engine = new DirectorEngine("alloc", (byte[])DirectorMac.Clone(), DirectorIp, sink, 12, () => now);
        var spec = Spec(53, LvsScheduler.Rr, LvsProtocol.Udp);
        engine.AddService(spec);
        engine.AddRealServer(spec, Real(Rs1));
        engine.ProcessFrame(TestFrames.ArpReply(Rs1Mac, Rs1, DirectorMac, DirectorIp));
        var dgram = FrameKit.Udp(ClientMac, DirectorMac, Client, Vip, 5353, 53, 100);

        for (int i = 0; i < 20_000; i++) Feed(engine, dgram);
        int sentBefore = sink.Count;
        var (allocated, windows) = Measure(engine, dgram, 1000);

        Assert.Equal(0, allocated);
        // Every measured datagram was really forwarded (not ignored), at its full length.
        Assert.Equal(windows * 1000, sink.Count - sentBefore);
        Assert.Equal(14 + 20 + 8 + 100, sink.LastLength);
        Assert.Equal(1, engine.ConnectionCount);
    }
}
