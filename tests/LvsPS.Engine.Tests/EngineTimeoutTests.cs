namespace LvsPS.Engine.Tests;

/// <summary>
/// ipvsadm --set tcp tcpfin udp through the engine (SetTimeouts/GetTimeouts): 0 leaves a value unchanged, each
/// value is 0..2678400 s, the values govern the ESTABLISHED, FIN_WAIT and UDP timers, and they are part of the
/// exported state.
/// </summary>
public class EngineTimeoutTests
{
    private static TimeoutSpec T(int tcp, int tcpFin, int udp) => new() { Tcp = tcp, TcpFin = tcpFin, Udp = udp };

    private static (int, int, int) Of(TimeoutSpec t) => (t.Tcp, t.TcpFin, t.Udp);

    private static EngineHarness Ready() => WebAndDns();

    private static EngineHarness Ready(TimeoutSpec timeouts)
    {
        var h = WebAndDns();
        h.Engine.SetTimeouts(timeouts);
        return h;
    }

    private static void Tick(EngineHarness h, double seconds) => h.TickAfter(seconds);

    /// <summary>The one entry is still there 1 ms before <paramref name="seconds"/> from now, gone at it.</summary>
    private static void AssertExpiresAfter(EngineHarness h, int seconds)
    {
        Tick(h, seconds - 0.001);
        Assert.Single(h.Engine.ListConnections());
        Tick(h, 0.001);
        Assert.Empty(h.Engine.ListConnections());
    }

    /// <summary>The entry of <paramref name="port"/> expires in <paramref name="seconds"/>, and after them the table is empty.</summary>
    private static void AssertGoneAfter(EngineHarness h, ushort port, int seconds)
    {
        Assert.Equal(seconds, h.Connection(port).ExpiresInSeconds);
        Tick(h, seconds);
        Assert.Empty(h.Engine.ListConnections());
    }

    private static void Established(EngineHarness h, ushort port)
    {
        Assert.Equal(Rs1, h.Syn(port));
        h.Forward(h.Tcp(port, Frames.Ack));
    }

    /// <summary>Rs1's ActiveConn and InActConn on TCP 80.</summary>
    private static void AssertCounts(EngineHarness h, int active, int inactive)
    {
        var r = h.RealServer(Rs1);
        Assert.Equal((active, inactive), (r.ActiveConnections, r.InactiveConnections));
    }

    /// <summary>With these timeouts, client port 40000's connection established and then closed by the client (FIN_WAIT).</summary>
    private static EngineHarness InFinWait(TimeoutSpec timeouts)
    {
        var h = Ready(timeouts);
        Established(h, 40000);
        h.Forward(h.Tcp(40000, Frames.Fin | Frames.Ack));
        return h;
    }

    // ------------------------------------------------------------------ get / set

    [Fact]
    public void Defaults_AreTheKernels()
    {
        var h = new EngineHarness();
        Assert.Equal((900, 120, 300), Of(h.Engine.GetTimeouts()));
        Assert.Equal((900, 120, 300), Of(h.Engine.ExportState().Timeouts!));
    }

    [Fact]
    public void Set_ChangesAllThree()
    {
        var h = new EngineHarness();
        h.Engine.SetTimeouts(T(3600, 30, 60));
        Assert.Equal((3600, 30, 60), Of(h.Engine.GetTimeouts()));
        Assert.Equal((3600, 30, 60), Of(h.Engine.ExportState().Timeouts!));
    }

    [Theory]
    [InlineData(100, 0, 0, 100, 120, 300)]
    [InlineData(0, 5, 0, 900, 5, 300)]
    [InlineData(0, 0, 7, 900, 120, 7)]
    [InlineData(0, 0, 0, 900, 120, 300)]
    [InlineData(2678400, 0, 1, 2678400, 120, 1)]
    public void Zero_LeavesAValueUnchanged(int tcp, int fin, int udp, int eTcp, int eFin, int eUdp)
    {
        var h = new EngineHarness();
        h.Engine.SetTimeouts(T(tcp, fin, udp));
        Assert.Equal((eTcp, eFin, eUdp), Of(h.Engine.GetTimeouts()));

        // And again on top of a changed set.
        h.Engine.SetTimeouts(T(0, 0, 0));
        Assert.Equal((eTcp, eFin, eUdp), Of(h.Engine.GetTimeouts()));
    }

    [Fact]
    public void GetTimeouts_ReturnsACopy()
    {
        var h = new EngineHarness();
        var t = h.Engine.GetTimeouts();
        t.Tcp = 1;
        Assert.Equal(900, h.Engine.GetTimeouts().Tcp);
        var exported = h.Engine.ExportState().Timeouts!;
        exported.Udp = 1;
        Assert.Equal(300, h.Engine.GetTimeouts().Udp);
    }

    public static IEnumerable<object[]> BadTimeouts() => new[]
    {
        new object[] { -1, 0, 0 },
        new object[] { 0, -1, 0 },
        new object[] { 0, 0, -1 },
        new object[] { 2678401, 0, 0 },
        new object[] { 0, 2678401, 0 },
        new object[] { 0, 0, 2678401 },
        new object[] { int.MaxValue, 0, 0 },
        new object[] { int.MinValue, 0, 0 },
        new object[] { 100, 50, -1 },       // the valid values are not applied either
        new object[] { 100, 2678401, 30 },
    };

    [Theory]
    [MemberData(nameof(BadTimeouts))]
    public void OutOfRange_IsRefused_AndNothingChanges(int tcp, int fin, int udp)
    {
        var h = Ready(T(1000, 100, 200));
        Established(h, 40000);
        string before = DirectorJson.Serialize(h.Engine.ExportState());
        string connections = DirectorJson.Serialize(h.Engine.ListConnections());

        var e = Assert.Throws<LvsException>(() => h.Engine.SetTimeouts(T(tcp, fin, udp)));

        Assert.Equal(LvsErrorIds.InvalidTimeout, e.ErrorId);
        Assert.Equal(LvsErrorKind.InvalidArgument, e.Kind);
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
        Assert.Equal((1000, 100, 200), Of(h.Engine.GetTimeouts()));
        Assert.Equal(before, DirectorJson.Serialize(h.Engine.ExportState()));
        Assert.Equal(connections, DirectorJson.Serialize(h.Engine.ListConnections()));
        // The engine still uses the old values.
        h.Forward(h.Tcp(40000, Frames.Ack, 10));
        Assert.Equal(1000, h.Connection(40000).ExpiresInSeconds);
    }

    [Fact]
    public void ExportedTimeouts_RestoreIntoANewEngine()
    {
        var h = Ready(T(1800, 45, 20));
        var json = DirectorJson.Serialize(h.Engine.ExportState());

        // As lvsd does at start: timeouts first, then the services.
        var state = DirectorJson.Deserialize<DirectorState>(json)!;
        var restored = new EngineHarness();
        restored.Engine.SetTimeouts(state.Timeouts!);
        foreach (var s in state.Services) restored.Engine.AddService(s);

        Assert.Equal((1800, 45, 20), Of(restored.Engine.GetTimeouts()));
        Assert.Equal(json, DirectorJson.Serialize(restored.Engine.ExportState()));
    }

    // ------------------------------------------------------------------ expiry with the fake clock

    [Fact]
    public void TcpTimeout_GovernsEstablishedEntries()
    {
        var h = Ready(T(30, 0, 0));
        Established(h, 40000);
        Assert.Equal(30, h.Connection(40000).ExpiresInSeconds);

        Tick(h, 29.999);
        Assert.Single(h.Engine.ListConnections());
        Assert.Equal(1, h.RealServer(Rs1).ActiveConnections);

        Tick(h, 0.001);
        Assert.Empty(h.Engine.ListConnections());
        Assert.Equal(0, h.RealServer(Rs1).ActiveConnections);
        // The entry is gone: a data segment is no longer forwarded.
        Assert.Null(h.Forward(h.Tcp(40000, Frames.Ack, 10)));
    }

    [Fact]
    public void TcpTimeout_EveryPacketReArmsWithTheNewValue()
    {
        var h = Ready(T(30, 0, 0));
        Established(h, 40000);
        for (int i = 0; i < 10; i++)
        {
            Tick(h, 25);
            Assert.NotNull(h.Forward(h.Tcp(40000, Frames.Ack, 10)));
        }
        AssertGoneAfter(h, 40000, 30);
    }

    [Fact]
    public void TcpFinTimeout_GovernsFinWaitEntries()
    {
        var h = InFinWait(T(0, 5, 0));
        var c = h.Connection(40000);
        Assert.Equal(LvsConnectionState.FinWait, c.State);
        Assert.Equal(5, c.ExpiresInSeconds);
        AssertCounts(h, 0, 1);

        AssertExpiresAfter(h, 5);
        AssertCounts(h, 0, 0);
    }

    [Fact]
    public void LongerTcpFinTimeout_KeepsFinWaitEntriesLonger()
    {
        var h = InFinWait(T(0, 600, 0));

        Tick(h, 120);                                   // the default would have expired it here
        Assert.Single(h.Engine.ListConnections());
        AssertGoneAfter(h, 40000, 480);
    }

    [Fact]
    public void UdpTimeout_GovernsUdpEntries()
    {
        var h = Ready(T(0, 0, 10));
        Assert.Equal(Rs1, RealServerOf(h.Forward(h.Udp(5353))));
        Assert.Equal(10, h.Connection(5353).ExpiresInSeconds);

        AssertExpiresAfter(h, 10);
        var r = h.RealServer(Rs1, 53, LvsProtocol.Udp);
        Assert.Equal((0, 0), (r.ActiveConnections, r.InactiveConnections));
        Assert.Equal(1UL, r.Statistics.Connections);

        // The next datagram makes a new entry (a new connection in the statistics).
        Assert.Equal(Rs1, RealServerOf(h.Forward(h.Udp(5353))));
        Assert.Equal(2UL, h.RealServer(Rs1, 53, LvsProtocol.Udp).Statistics.Connections);
    }

    [Fact]
    public void NewValues_DoNotShortenRunningTimers_OnlyTheNextTransition()
    {
        // As in the kernel, a changed timeout applies when a timer is next armed (the next packet).
        var h = Ready();
        Established(h, 40000);
        Assert.Equal(Rs1, RealServerOf(h.Forward(h.Udp(5353))));

        h.Engine.SetTimeouts(T(30, 0, 10));

        Tick(h, 60);
        Assert.Equal(2, h.Engine.ListConnections().Count);
        Assert.Equal(840, h.Connection(40000).ExpiresInSeconds);
        Assert.Equal(240, h.Connection(5353).ExpiresInSeconds);

        h.Forward(h.Tcp(40000, Frames.Ack, 10));
        h.Forward(h.Udp(5353));
        Assert.Equal(30, h.Connection(40000).ExpiresInSeconds);
        Assert.Equal(10, h.Connection(5353).ExpiresInSeconds);
        Tick(h, 30);
        Assert.Empty(h.Engine.ListConnections());
    }

    [Fact]
    public void OtherStates_KeepTheirTimeouts()
    {
        // --set changes ESTABLISHED, FIN_WAIT and UDP only: SYN_RECV 60, CLOSE 10, TIME_WAIT 120 stay.
        var h = Ready(T(1, 1, 1));

        h.Syn(40000);                                              // SYN_RECV
        Established(h, 40001); h.Forward(h.Tcp(40001, Frames.Rst)); // CLOSE
        h.Syn(40002); h.Forward(h.Tcp(40002, Frames.Fin | Frames.Ack)); // TIME_WAIT

        Assert.Equal((LvsConnectionState.SynRecv, 60), (h.Connection(40000).State, h.Connection(40000).ExpiresInSeconds));
        Assert.Equal((LvsConnectionState.Close, 10), (h.Connection(40001).State, h.Connection(40001).ExpiresInSeconds));
        Assert.Equal((LvsConnectionState.TimeWait, 120), (h.Connection(40002).State, h.Connection(40002).ExpiresInSeconds));
    }

    [Fact]
    public void PersistenceTemplates_FollowThePersistenceTimeout_NotTheseTimeouts()
    {
        var h = new EngineHarness();
        var s = Spec(80, LvsScheduler.Rr);
        s.PersistentTimeout = 600;
        h.AddService(s, (Rs1, 1));
        h.Resolve(Rs1);
        h.Engine.SetTimeouts(T(5, 5, 5));

        Established(h, 40000);
        var template = h.Engine.ListConnections().Single(c => c.ClientPort == 0);
        Assert.Equal(600, template.ExpiresInSeconds);
        Assert.Equal(5, h.Connection(40000).ExpiresInSeconds);

        Tick(h, 5);
        var left = Assert.Single(h.Engine.ListConnections());
        Assert.Equal((ushort)0, left.ClientPort);
        Assert.Equal(595, left.ExpiresInSeconds);
    }

    [Fact]
    public void TimeoutsAreDirectorWide_AndSurviveServiceChanges()
    {
        var h = Ready(T(77, 0, 0));
        h.Engine.Clear();
        Assert.Equal((77, 120, 300), Of(h.Engine.GetTimeouts()));

        h.AddService(8080, LvsScheduler.Wlc, (Rs2, 1));
        h.Resolve(Rs2);
        Assert.Equal(Rs2, h.Syn(40000, 8080));
        h.Forward(h.Tcp(40000, Frames.Ack, 0, 8080));
        Assert.Equal(77, h.Engine.ListConnections().Single().ExpiresInSeconds);
    }
}
