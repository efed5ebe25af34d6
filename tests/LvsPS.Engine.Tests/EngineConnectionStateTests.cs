namespace LvsPS.Engine.Tests;

/// <summary>Connection states and ActiveConn/InActConn as ipvsadm shows them for DR (the INPUT-ONLY table).</summary>
public class EngineConnectionStateTests
{
    private const byte Psh = 0x08;

    private static EngineHarness OneServer(LvsProtocol protocol = LvsProtocol.Tcp, ushort port = 80)
    {
        var h = new EngineHarness();
        h.AddService(Spec(port, LvsScheduler.Rr, protocol), (Rs1, 1));
        h.Resolve(Rs1);
        h.Sink.Clear();
        return h;
    }

    private static EngineHarness TwoServers()
    {
        var h = Resolved(80, LvsScheduler.Rr, (Rs1, 1), (Rs2, 1));
        h.Sink.Clear();
        return h;
    }

    /// <summary><see cref="OneServer"/> after client port 40000's SYN and ACK.</summary>
    private static EngineHarness Established()
    {
        var h = OneServer();
        h.Forward(h.Tcp(40000, Frames.Syn));
        h.Forward(h.Tcp(40000, Frames.Ack));
        return h;
    }

    private static void AssertCounters(EngineHarness h, uint rs, int active, int inactive)
    {
        var r = h.RealServer(rs);
        Assert.Equal((active, inactive), (r.ActiveConnections, r.InactiveConnections));
    }

    /// <summary>Client port 40000's entry is in <paramref name="state"/>, and Rs1 counts these connections.</summary>
    private static void AssertState(EngineHarness h, LvsConnectionState state, int active, int inactive)
    {
        Assert.Equal(state, h.Connection(40000).State);
        AssertCounters(h, Rs1, active, inactive);
    }

    [Fact]
    public void Syn_SynRecv_Active()
    {
        var h = OneServer();
        h.Forward(h.Tcp(40000, Frames.Syn));

        var c = h.Connection(40000);
        Assert.Equal(LvsConnectionState.SynRecv, c.State);
        Assert.Equal(LvsProtocol.Tcp, c.Protocol);
        Assert.Equal(Ip(Client), c.ClientAddress);
        Assert.Equal(Ip(Vip), c.VirtualAddress);
        Assert.Equal((ushort)80, c.Port);
        Assert.Equal(Ip(Rs1), c.RealAddress);
        Assert.Equal((ushort)80, c.RealPort);
        Assert.Equal(1UL, c.Packets);
        AssertCounters(h, Rs1, 1, 0);
        Assert.Equal(1, h.Service().ActiveConnections);
        Assert.Equal(1, h.Engine.ConnectionCount);
    }

    [Fact]
    public void SynThenAck_Established_Active()
    {
        var h = Established();
        AssertState(h, LvsConnectionState.Established, 1, 0);

        h.Forward(h.Tcp(40000, Frames.Ack | Psh, 500));
        AssertState(h, LvsConnectionState.Established, 1, 0);
        Assert.Equal(3UL, h.Connection(40000).Packets);
    }

    [Fact]
    public void Fin_FinWait_MovesToInActConn()
    {
        var h = Established();
        h.Forward(h.Tcp(40000, Frames.Fin | Frames.Ack));
        AssertState(h, LvsConnectionState.FinWait, 0, 1);

        // The client's last ACK keeps it in FIN_WAIT (the director never sees the server's FIN in DR).
        h.Forward(h.Tcp(40000, Frames.Ack));
        AssertState(h, LvsConnectionState.FinWait, 0, 1);
    }

    [Fact]
    public void Rst_Close_InActConn()
    {
        var h = Established();
        var fwd = h.Forward(h.Tcp(40000, Frames.Rst | Frames.Ack));

        Assert.NotNull(fwd); // the RST itself is forwarded
        AssertState(h, LvsConnectionState.Close, 0, 1);
    }

    [Fact]
    public void SynThenFin_TimeWait()
    {
        var h = OneServer();
        h.Forward(h.Tcp(40000, Frames.Syn));
        h.Forward(h.Tcp(40000, Frames.Fin | Frames.Ack));
        AssertState(h, LvsConnectionState.TimeWait, 0, 1);
    }

    [Fact]
    public void Udp_IsCountedInInActConn()
    {
        var h = OneServer(LvsProtocol.Udp, 53);
        Assert.NotNull(h.Forward(h.Udp(5353)));
        Assert.NotNull(h.Forward(h.Udp(5353)));

        var c = h.Connection(5353);
        Assert.Equal(LvsConnectionState.Udp, c.State);
        Assert.Equal(LvsProtocol.Udp, c.Protocol);
        Assert.Equal(2UL, c.Packets);
        var r = h.RealServer(Rs1, 53, LvsProtocol.Udp);
        Assert.Equal((0, 1), (r.ActiveConnections, r.InactiveConnections));
        Assert.Equal(1UL, r.Statistics.Connections);
    }

    [Fact]
    public void RstOnSynRecv_StaysSynRecv()
    {
        var h = OneServer();
        h.Forward(h.Tcp(40000, Frames.Syn));
        h.Forward(h.Tcp(40000, Frames.Rst));
        AssertState(h, LvsConnectionState.SynRecv, 1, 0); // the kernel's INPUT-ONLY rst row
    }

    [Theory]
    [InlineData("close", LvsConnectionState.Close)]
    [InlineData("timewait", LvsConnectionState.TimeWait)]
    public void NewSyn_OnAFinishedEntry_IsRescheduled(string path, LvsConnectionState finished)
    {
        var h = TwoServers();
        Drive(h, 40000, path);
        Assert.Equal(Ip(Rs2), h.Connection(40000).RealAddress);
        Assert.Equal(finished, h.Connection(40000).State);
        AssertCounters(h, Rs2, 0, 1);

        // The client reuses its port: a fresh connection, scheduled afresh (rr moves on to rs1).
        Assert.Equal(Rs1, h.Syn(40000));

        var c = h.Connection(40000);
        Assert.Equal(LvsConnectionState.SynRecv, c.State);
        Assert.Equal(Ip(Rs1), c.RealAddress);
        Assert.Equal(1UL, c.Packets);
        AssertCounters(h, Rs2, 0, 0);
        AssertCounters(h, Rs1, 1, 0);
        Assert.Equal(2UL, h.Service().Statistics.Connections);
        Assert.Equal(1, h.Engine.ConnectionCount);
    }

    [Fact]
    public void NewSyn_OnAnEstablishedEntry_StaysOnItsServer()
    {
        var h = TwoServers();
        Assert.Equal(Rs2, h.Syn(40000));
        h.Forward(h.Tcp(40000, Frames.Ack));

        Assert.Equal(Rs2, h.Syn(40000));
        Assert.Equal(1UL, h.Service().Statistics.Connections);
        AssertCounters(h, Rs2, 1, 0);
    }

    [Fact]
    public void NewSyn_OnAFinWaitEntry_IsNotRescheduled()
    {
        var h = TwoServers();
        Assert.Equal(Rs2, h.Syn(40000));
        h.Forward(h.Tcp(40000, Frames.Ack));
        h.Forward(h.Tcp(40000, Frames.Fin | Frames.Ack));

        Assert.Equal(Rs2, h.Syn(40000));
        Assert.Equal(LvsConnectionState.SynRecv, h.Connection(40000).State);
        AssertCounters(h, Rs2, 1, 0);
    }

    [Theory]
    [InlineData(Frames.Ack)]
    [InlineData(Frames.Ack | Psh)]
    [InlineData(Frames.Syn | Frames.Ack)]
    [InlineData(Frames.Fin | Frames.Ack)]
    [InlineData(Frames.Rst)]
    [InlineData(Frames.Syn | Frames.Rst)]
    [InlineData(Frames.Syn | Frames.Fin)]
    [InlineData(0)]
    public void TcpWithoutEntry_NotANewSyn_IsDropped(byte flags)
    {
        var h = OneServer();

        Assert.Null(h.Forward(h.Tcp(40000, flags, 10)));

        Assert.Equal(1UL, h.Engine.FramesDropped);
        Assert.Empty(h.Engine.ListConnections());
        Assert.Equal(0UL, h.Service().Statistics.Connections);
        Assert.Equal(0UL, h.Service().Statistics.InPackets);
        AssertCounters(h, Rs1, 0, 0);
    }

    [Fact]
    public void DifferentClients_SamePort_AreDifferentConnections()
    {
        var h = OneServer();
        h.Forward(h.Tcp(40000, Frames.Syn));
        h.Process(TestFrames.Tcp(ClientMac, DirectorMac, Client + 1, Vip, 40000, 80, Frames.Syn, 0));

        Assert.Equal(2, h.Engine.ListConnections().Count);
        AssertCounters(h, Rs1, 2, 0);
    }

    // ------------------------------------------------------------------ expiry

    public static IEnumerable<object[]> Timeouts() => new[]
    {
        new object[] { "syn", LvsConnectionState.SynRecv, 60 },
        new object[] { "established", LvsConnectionState.Established, 900 },
        new object[] { "finwait", LvsConnectionState.FinWait, 120 },
        new object[] { "close", LvsConnectionState.Close, 10 },
        new object[] { "timewait", LvsConnectionState.TimeWait, 120 },
    };

    private static void Drive(EngineHarness h, ushort port, string path)
    {
        h.Forward(h.Tcp(port, Frames.Syn));
        switch (path)
        {
            case "established": h.Forward(h.Tcp(port, Frames.Ack)); break;
            case "finwait": h.Forward(h.Tcp(port, Frames.Ack)); h.Forward(h.Tcp(port, Frames.Fin | Frames.Ack)); break;
            case "close": h.Forward(h.Tcp(port, Frames.Ack)); h.Forward(h.Tcp(port, Frames.Rst)); break; // RST on SYN_RECV stays SYN_RECV
            case "timewait": h.Forward(h.Tcp(port, Frames.Fin | Frames.Ack)); break;
        }
    }

    [Theory]
    [MemberData(nameof(Timeouts))]
    public void Tick_ExpiresTcpEntries_AfterTheStateTimeout(string path, LvsConnectionState state, int seconds)
    {
        var h = OneServer();
        h.AdvanceSeconds(3);
        Drive(h, 40000, path);
        var c = h.Connection(40000);
        Assert.Equal(state, c.State);
        Assert.Equal(seconds, c.ExpiresInSeconds);
        bool active = TcpStateTableIsActive(state);

        h.NowMs += seconds * 1000L - 1;
        h.Engine.Tick();
        Assert.Single(h.Engine.ListConnections());
        Assert.Equal(1, h.Connection(40000).ExpiresInSeconds); // 1 ms left, shown rounded up
        AssertCounters(h, Rs1, active ? 1 : 0, active ? 0 : 1);

        h.NowMs += 1;
        h.Engine.Tick();
        Assert.Empty(h.Engine.ListConnections());
        Assert.Equal(0, h.Engine.ConnectionCount);
        AssertCounters(h, Rs1, 0, 0);
        // Statistics survive the entry.
        Assert.Equal(1UL, h.RealServer(Rs1).Statistics.Connections);
    }

    private static bool TcpStateTableIsActive(LvsConnectionState s) =>
        s is LvsConnectionState.SynRecv or LvsConnectionState.Established;

    [Fact]
    public void Tick_ExpiresUdpEntries_After300s()
    {
        var h = OneServer(LvsProtocol.Udp, 53);
        h.Forward(h.Udp(5353));
        Assert.Equal(300, h.Connection(5353).ExpiresInSeconds);

        h.TickAfter(299.999);
        Assert.Single(h.Engine.ListConnections());

        h.NowMs += 1;
        h.Engine.Tick();
        Assert.Empty(h.Engine.ListConnections());
        var r = h.RealServer(Rs1, 53, LvsProtocol.Udp);
        Assert.Equal((0, 0), (r.ActiveConnections, r.InactiveConnections));
    }

    [Fact]
    public void EveryPacket_RestartsTheTimer()
    {
        var h = OneServer();
        Drive(h, 40000, "established");
        for (int i = 0; i < 5; i++)
        {
            h.TickAfter(800);
            Assert.NotNull(h.Forward(h.Tcp(40000, Frames.Ack, 10)));
        }

        Assert.Equal(900, h.Connection(40000).ExpiresInSeconds);
        h.TickAfter(900);
        Assert.Empty(h.Engine.ListConnections());
    }

    [Fact]
    public void ExpiresInSeconds_CountsDown_RoundedUp()
    {
        var h = OneServer();
        h.Forward(h.Tcp(40000, Frames.Syn));
        Assert.Equal(60, h.Connection(40000).ExpiresInSeconds);

        h.AdvanceSeconds(10.5);
        Assert.Equal(50, h.Connection(40000).ExpiresInSeconds);

        h.AdvanceSeconds(49.5);
        Assert.Equal(0, h.Connection(40000).ExpiresInSeconds);
    }

    [Fact]
    public void MixedEntries_TickRemovesOnlyTheExpiredOnes()
    {
        var h = OneServer();
        Drive(h, 40000, "close");       // 10 s
        Drive(h, 40001, "syn");         // 60 s
        Drive(h, 40002, "finwait");     // 120 s
        Drive(h, 40003, "established"); // 900 s
        AssertCounters(h, Rs1, 2, 2);

        h.AdvanceSeconds(10); h.Engine.Tick();
        Assert.Equal(new ushort[] { 40001, 40002, 40003 }, h.Engine.ListConnections().Select(c => c.ClientPort).OrderBy(p => p));
        AssertCounters(h, Rs1, 2, 1);

        h.AdvanceSeconds(50); h.Engine.Tick();
        AssertCounters(h, Rs1, 1, 1);

        h.AdvanceSeconds(60); h.Engine.Tick();
        AssertCounters(h, Rs1, 1, 0);

        h.AdvanceSeconds(780); h.Engine.Tick();
        AssertCounters(h, Rs1, 0, 0);
        Assert.Equal(0, h.Engine.ConnectionCount);
    }

    [Fact]
    public void ChangedTimeouts_ApplyToNewTransitions()
    {
        var h = OneServer();
        h.Engine.Timeouts.Set(100, 20, 30);
        Drive(h, 40000, "established");
        Assert.Equal(100, h.Connection(40000).ExpiresInSeconds);
        h.Forward(h.Tcp(40000, Frames.Fin | Frames.Ack));
        Assert.Equal(20, h.Connection(40000).ExpiresInSeconds);
    }

    [Fact]
    public void AfterExpiry_ANonSynIsDropped_AndASynIsScheduledAgain()
    {
        var h = OneServer();
        Drive(h, 40000, "established");
        h.TickAfter(900);

        Assert.Null(h.Forward(h.Tcp(40000, Frames.Ack, 10)));
        Assert.Equal(Rs1, h.Syn(40000));
        Assert.Equal(2UL, h.RealServer(Rs1).Statistics.Connections);
    }

    [Fact]
    public void DeleteService_RemovesItsConnections()
    {
        var h = new EngineHarness();
        var web = h.AddService(80, LvsScheduler.Rr, (Rs1, 1));
        h.AddService(443, LvsScheduler.Rr, (Rs1, 1));
        h.Resolve(Rs1);
        h.Syn(40000, 80);
        h.Syn(40000, 443);

        h.Engine.DeleteService(web);

        var left = Assert.Single(h.Engine.ListConnections());
        Assert.Equal((ushort)443, left.Port);
        Assert.Null(h.Forward(h.Tcp(40000, Frames.Ack, 0, 80)));
    }

    [Fact]
    public void DeletedRealServer_DroppedPacketsDoNotKeepTheEntryAlive()
    {
        var h = new EngineHarness();
        var s = h.AddService(Spec(53, LvsScheduler.Rr, LvsProtocol.Udp), (Rs1, 1), (Rs2, 1));
        h.ResolveAll(Rs1, Rs2);
        Assert.Equal(Rs2, RealServerOf(h.Forward(h.Udp(5353))));
        var svcBytes = h.Service(53, LvsProtocol.Udp).Statistics.InBytes;

        h.Engine.DeleteRealServer(s, Real(Rs2));
        foreach (var at in new[] { 100, 200, 290 })
        {
            h.NowMs = 1_000_000 + at * 1000L;
            h.Engine.Tick();
            Assert.Null(h.Forward(h.Udp(5353))); // still going to the deleted server: dropped
        }
        h.NowMs = 1_000_000 + 301_000;
        h.Engine.Tick();

        // ip_vs_in drops before ip_vs_in_stats and before the timer is restarted: no counting, no refresh.
        Assert.Equal(svcBytes, h.Service(53, LvsProtocol.Udp).Statistics.InBytes);
        // 301 s after the last forwarded datagram the entry (timeout 300 s) has expired and the flow moves on.
        Assert.Equal(Rs1, RealServerOf(h.Forward(h.Udp(5353))));
    }
}
