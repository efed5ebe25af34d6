namespace LvsPS.Engine.Tests;

public class EngineStatisticsTests
{
    private static EngineHarness Web()
    {
        var h = new EngineHarness();
        h.AddService(80, LvsScheduler.Rr, (Rs1, 1), (Rs2, 1));
        h.AddService(Spec(53, LvsScheduler.Rr, LvsProtocol.Udp), (Rs1, 1));
        h.ResolveAll(Rs1, Rs2);
        return h;
    }

    private static void AssertStats(LvsStatistics s, ulong conns, ulong pkts, ulong bytes)
    {
        Assert.Equal((conns, pkts, bytes), (s.Connections, s.InPackets, s.InBytes));
        Assert.Equal(0UL, s.OutPackets); // DR: replies never cross the director
        Assert.Equal(0UL, s.OutBytes);
    }

    [Fact]
    public void ConnsPacketsAndBytes_PerServiceAndPerRealServer()
    {
        var h = Web();
        // Connection 1 (to rs2): SYN 40 + ACK 40 + data 540 (IP total lengths).
        h.Forward(h.Tcp(40000, Frames.Syn));
        h.Forward(h.Tcp(40000, Frames.Ack));
        h.Forward(h.Tcp(40000, Frames.Ack, 500));
        // Connection 2 (to rs1): SYN 40, padded to 60 on the wire (padding is not counted).
        h.Forward(FrameKit.Pad(h.Tcp(40001, Frames.Syn), 60));
        // UDP: two datagrams of 20 + 8 + 100.
        h.Forward(h.Udp(5353, 100));
        h.Forward(h.Udp(5353, 100));

        AssertStats(h.Service(80).Statistics, 2, 4, 40 + 40 + 540 + 40);
        AssertStats(h.RealServer(Rs2).Statistics, 1, 3, 620);
        AssertStats(h.RealServer(Rs1).Statistics, 1, 1, 40);
        AssertStats(h.Service(53, LvsProtocol.Udp).Statistics, 1, 2, 256);
        AssertStats(h.RealServer(Rs1, 53, LvsProtocol.Udp).Statistics, 1, 2, 256);
        Assert.Equal(6UL, h.Engine.FramesForwarded);
    }

    [Fact]
    public void DroppedFramesWithoutEntry_AreNotCounted()
    {
        var h = Web();
        h.Forward(h.Tcp(40000, Frames.Ack, 100));        // no entry
        h.Forward(h.Tcp(40000, Frames.Syn, port: 8080)); // no service

        AssertStats(h.Service(80).Statistics, 0, 0, 0);
        AssertStats(h.RealServer(Rs1).Statistics, 0, 0, 0);
        AssertStats(h.RealServer(Rs2).Statistics, 0, 0, 0);
    }

    [Fact]
    public void Zero_ClearsEveryCounter_ButNotTheConnections()
    {
        var h = Web();
        h.Forward(h.Tcp(40000, Frames.Syn));
        h.Forward(h.Udp(5353));

        h.Engine.Zero(null);

        foreach (var s in h.Engine.ListServices())
        {
            AssertStats(s.Statistics, 0, 0, 0);
            foreach (var r in s.RealServers) AssertStats(r.Statistics, 0, 0, 0);
        }
        Assert.Equal(2, h.Engine.ListConnections().Count);
        Assert.Equal(1, h.RealServer(Rs2).ActiveConnections);

        // Counting starts again from zero; the existing connection is not counted as a new one.
        h.Forward(h.Tcp(40000, Frames.Ack));
        AssertStats(h.Service(80).Statistics, 0, 1, 40);
    }

    [Fact]
    public void Zero_OneService_LeavesTheOthers()
    {
        var h = Web();
        h.Forward(h.Tcp(40000, Frames.Syn));
        h.Forward(h.Udp(5353, 100));

        h.Engine.Zero(Spec(80));

        AssertStats(h.Service(80).Statistics, 0, 0, 0);
        AssertStats(h.RealServer(Rs2).Statistics, 0, 0, 0);
        AssertStats(h.Service(53, LvsProtocol.Udp).Statistics, 1, 1, 128);
        AssertStats(h.RealServer(Rs1, 53, LvsProtocol.Udp).Statistics, 1, 1, 128);
    }

    [Fact]
    public void Zero_UnknownService_Throws()
    {
        var h = Web();
        var e = Assert.Throws<LvsException>(() => h.Engine.Zero(Spec(81)));
        Assert.Equal(LvsErrorIds.ServiceNotFound, e.ErrorId);
    }

    [Fact]
    public void ListServices_ReturnsSnapshots()
    {
        var h = Web();
        h.Forward(h.Tcp(40000, Frames.Syn));
        var before = h.Service(80);

        h.Forward(h.Tcp(40001, Frames.Syn));

        Assert.Equal(1UL, before.Statistics.Connections);
        Assert.Equal(2UL, h.Service(80).Statistics.Connections);
    }
}
