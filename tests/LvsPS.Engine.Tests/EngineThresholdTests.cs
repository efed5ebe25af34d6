namespace LvsPS.Engine.Tests;

/// <summary>
/// Connection thresholds (ipvsadm -x/-y) and the OVERLOAD mark as ip_vs_bind_dest / ip_vs_unbind_dest /
/// __ip_vs_update_dest keep it: set on bind when ActiveConn+InActConn reaches the upper threshold, cleared on
/// unbind below the lower threshold (or below 3/4 of the upper one when there is no lower threshold).
/// </summary>
public class EngineThresholdTests
{
    private static RealServerSpec RealT(uint address, int upper, int lower = 0, int weight = 1) =>
        new() { Address = Ip(address), Forwarding = LvsForwarding.Route, Weight = weight, UpperThreshold = upper, LowerThreshold = lower };

    /// <summary>One service (rr unless told) with only rs1, with the given thresholds.</summary>
    private static (EngineHarness H, ServiceSpec S) OneServer(int upper, int lower = 0, LvsScheduler scheduler = LvsScheduler.Rr)
    {
        var h = new EngineHarness();
        var s = Spec(80, scheduler);
        h.Engine.AddService(s);
        h.Engine.AddRealServer(s, RealT(Rs1, upper, lower));
        h.Resolve(Rs1);
        h.Sink.Clear();
        return (h, s);
    }

    /// <summary>SYN, ACK, RST: an entry in CLOSE that expires 10 s after the RST (counted in InActConn).</summary>
    private static void Closed(EngineHarness h, ushort port)
    {
        Assert.NotNull(h.Forward(h.Tcp(port, Frames.Syn)));
        h.Forward(h.Tcp(port, Frames.Ack));
        h.Forward(h.Tcp(port, Frames.Rst));
    }

    private static void Tick(EngineHarness h, double seconds) => h.TickAfter(seconds);

    private static bool Overloaded(EngineHarness h, uint rs) => h.RealServer(rs).Overloaded;

    private static int Total(EngineHarness h, uint rs) => h.RealServer(rs).ActiveConnections + h.RealServer(rs).InactiveConnections;

    /// <summary>The SYN was answered with ICMP port unreachable and made no entry.</summary>
    private static void AssertRefusedWithIcmp(EngineHarness h, ushort port)
    {
        int entries = h.Engine.ConnectionCount;
        ulong icmp = h.Engine.IcmpUnreachableSent;
        var sent = h.Forward(h.Tcp(port, Frames.Syn));
        Assert.NotNull(sent);
        Assert.Equal(ClientMac, sent![..6]);
        Assert.Equal(1, sent[14 + 9]);                 // ICMP
        Assert.Equal(icmp + 1, h.Engine.IcmpUnreachableSent);
        Assert.Equal(entries, h.Engine.ConnectionCount);
    }

    // ------------------------------------------------------------------ upper threshold

    [Fact]
    public void UpperThreshold_ReachedOnBind_MarksOverloaded_AndNoNewConnectionIsScheduled()
    {
        var (h, _) = OneServer(upper: 2);

        Assert.Equal(Rs1, h.Syn(40000));
        Assert.False(Overloaded(h, Rs1));
        Assert.Equal(Rs1, h.Syn(40001));
        Assert.True(Overloaded(h, Rs1));               // 2 >= 2

        AssertRefusedWithIcmp(h, 40002);
        AssertRefusedWithIcmp(h, 40003);
        Assert.Equal(2, h.RealServer(Rs1).ActiveConnections);
        Assert.Equal(2UL, h.RealServer(Rs1).Statistics.Connections);

        // Overload only stops scheduling: the existing connections still flow.
        Assert.Equal(Rs1, RealServerOf(h.Forward(h.Tcp(40000, Frames.Ack, 100))));
        Assert.Equal(Rs1, RealServerOf(h.Forward(h.Tcp(40001, Frames.Ack, 100))));
    }

    [Fact]
    public void InactiveConnectionsCountTowardsTheThreshold()
    {
        var (h, _) = OneServer(upper: 2);
        Closed(h, 40000);
        Closed(h, 40001);
        Assert.Equal((0, 2), (h.RealServer(Rs1).ActiveConnections, h.RealServer(Rs1).InactiveConnections));
        Assert.True(Overloaded(h, Rs1));
        AssertRefusedWithIcmp(h, 40002);
    }

    [Fact]
    public void UnbindWithoutLowerThreshold_ClearsBelowThreeQuartersOfTheUpper()
    {
        var (h, _) = OneServer(upper: 4);
        long t0 = h.NowMs;
        for (ushort i = 0; i < 4; i++)
        {
            Closed(h, (ushort)(40000 + i));            // each expires 1 s after the previous one
            h.AdvanceSeconds(1);
        }
        Assert.True(Overloaded(h, Rs1));
        h.NowMs = t0;

        Tick(h, 10);                                   // 3 left: 3*4 = 12, not < 12
        Assert.Equal(3, Total(h, Rs1));
        Assert.True(Overloaded(h, Rs1));
        AssertRefusedWithIcmp(h, 41000);

        Tick(h, 1);                                    // 2 left: 8 < 12
        Assert.Equal(2, Total(h, Rs1));
        Assert.False(Overloaded(h, Rs1));
        Assert.Equal(Rs1, h.Syn(41001));
    }

    [Fact]
    public void UnbindWithLowerThreshold_ClearsOnlyBelowTheLower()
    {
        var (h, _) = OneServer(upper: 4, lower: 2);
        long t0 = h.NowMs;
        for (ushort i = 0; i < 4; i++)
        {
            Closed(h, (ushort)(40000 + i));
            h.AdvanceSeconds(1);
        }
        Assert.True(Overloaded(h, Rs1));
        h.NowMs = t0;

        Tick(h, 10);                                   // 3: not < 2
        Assert.True(Overloaded(h, Rs1));
        Tick(h, 1);                                    // 2: not < 2 (the 3/4 rule would have cleared it here)
        Assert.Equal(2, Total(h, Rs1));
        Assert.True(Overloaded(h, Rs1));
        AssertRefusedWithIcmp(h, 41000);
        Tick(h, 1);                                    // 1 < 2
        Assert.False(Overloaded(h, Rs1));
        Assert.Equal(Rs1, h.Syn(41001));
    }

    [Fact]
    public void OnceCleared_ReachingTheUpperAgain_MarksItAgain()
    {
        var (h, _) = OneServer(upper: 1);
        Closed(h, 40000);
        Assert.True(Overloaded(h, Rs1));
        Tick(h, 10);
        Assert.False(Overloaded(h, Rs1));              // 0 < 3/4

        Assert.Equal(Rs1, h.Syn(40001));
        Assert.True(Overloaded(h, Rs1));
        AssertRefusedWithIcmp(h, 40002);
    }

    [Fact]
    public void NoThresholds_NeverOverloaded()
    {
        var (h, _) = OneServer(upper: 0);
        for (ushort p = 40000; p < 40200; p++) Assert.Equal(Rs1, h.Syn(p));
        Assert.False(Overloaded(h, Rs1));
        Assert.Equal(200, h.RealServer(Rs1).ActiveConnections);
    }

    [Fact]
    public void ConnectionReuseAfterTimeWait_UnbindsAndRebinds()
    {
        // A SYN on a TIME_WAIT entry removes it (unbind) before scheduling, so an overloaded server at exactly its
        // upper threshold can take the reused port again.
        var (h, _) = OneServer(upper: 1);
        Assert.Equal(Rs1, h.Syn(40000));
        h.Forward(h.Tcp(40000, Frames.Fin | Frames.Ack));
        Assert.Equal(LvsConnectionState.TimeWait, h.Connection(40000).State);
        Assert.True(Overloaded(h, Rs1));

        Assert.Equal(Rs1, h.Syn(40000));

        Assert.Equal(LvsConnectionState.SynRecv, h.Connection(40000).State);
        Assert.True(Overloaded(h, Rs1));
        Assert.Equal((1, 0), (h.RealServer(Rs1).ActiveConnections, h.RealServer(Rs1).InactiveConnections));
    }

    // ------------------------------------------------------------------ schedulers

    [Theory]
    [InlineData(LvsScheduler.Rr)]
    [InlineData(LvsScheduler.Wrr)]
    [InlineData(LvsScheduler.Lc)]
    [InlineData(LvsScheduler.Wlc)]
    [InlineData(LvsScheduler.Sed)]
    [InlineData(LvsScheduler.Nq)]
    [InlineData(LvsScheduler.Fo)]
    public void OverloadedServer_IsSkippedByTheScheduler(LvsScheduler scheduler)
    {
        var h = new EngineHarness();
        var s = Spec(80, scheduler);
        h.Engine.AddService(s);
        h.Engine.AddRealServer(s, RealT(Rs1, upper: 2, weight: 100)); // preferred by every weighted scheduler
        h.Engine.AddRealServer(s, RealT(Rs2, upper: 0, weight: 1));
        h.ResolveAll(Rs1, Rs2);

        var picks = Enumerable.Range(0, 12).Select(i => h.Syn((ushort)(40000 + i))).ToList();

        Assert.Equal(2, picks.Count(p => p == Rs1));
        Assert.Equal(10, picks.Count(p => p == Rs2));
        Assert.True(Overloaded(h, Rs1));
        Assert.False(Overloaded(h, Rs2));
        Assert.Equal(2, h.RealServer(Rs1).ActiveConnections);
    }

    [Fact]
    public void EveryServerOverloaded_IcmpPortUnreachable()
    {
        var h = new EngineHarness();
        var s = Spec(80, LvsScheduler.Wlc);
        h.Engine.AddService(s);
        h.Engine.AddRealServer(s, RealT(Rs1, upper: 1));
        h.Engine.AddRealServer(s, RealT(Rs2, upper: 1));
        h.ResolveAll(Rs1, Rs2);

        var first = new[] { h.Syn(40000), h.Syn(40001) };

        Assert.Equal(new uint?[] { Rs1, Rs2 }.OrderBy(x => x), first.OrderBy(x => x));
        AssertRefusedWithIcmp(h, 40002);
        Assert.Equal(2UL, h.Service().Statistics.Connections);
    }

    [Fact]
    public void Persistence_TemplateOverridesOverload_ButNotForNewClients()
    {
        const uint OtherClient = 0x0AFA00C9;
        var h = new EngineHarness();
        var s = Spec(80, LvsScheduler.Rr);
        s.PersistentTimeout = 300;
        h.Engine.AddService(s);
        h.Engine.AddRealServer(s, RealT(Rs1, upper: 0));
        h.Engine.AddRealServer(s, RealT(Rs2, upper: 1));   // list [rs2, rs1]: rr picks rs2 first
        h.ResolveAll(Rs1, Rs2);

        Assert.Equal(Rs2, h.Syn(40000));
        var rs2 = h.RealServer(Rs2);
        // The template is bound first (total 0: not overloaded), then the connection (total 1: overloaded).
        Assert.Equal((1, 1, true), (rs2.ActiveConnections, rs2.PersistentConnections, rs2.Overloaded));

        // The client's template still places it on rs2 (ip_vs_check_template looks at availability, not overload).
        Assert.Equal(Rs2, h.Syn(40001));
        Assert.Equal(2, h.RealServer(Rs2).ActiveConnections);
        // A new client is scheduled, and the scheduler skips the overloaded rs2.
        Assert.Equal(Rs1, RealServerOf(h.Forward(h.Tcp(40000, Frames.Syn, client: OtherClient))));
        Assert.Equal(Rs1, RealServerOf(h.Forward(h.Tcp(40000, Frames.Syn, client: OtherClient + 1))));
    }

    [Fact]
    public void TemplatesDoNotCountTowardsTheThreshold()
    {
        var h = new EngineHarness();
        var s = Spec(80, LvsScheduler.Rr);
        s.PersistentTimeout = 300;
        h.Engine.AddService(s);
        h.Engine.AddRealServer(s, RealT(Rs1, upper: 2));
        h.Resolve(Rs1);

        // Two clients, one connection each (the second reaches the threshold); both end: two templates remain, total 0.
        for (uint c = 0; c < 2; c++)
        {
            Assert.NotNull(h.Forward(h.Tcp(40000, Frames.Syn, client: Client + c)));
            h.Forward(h.Tcp(40000, Frames.Ack, client: Client + c));
            h.Forward(h.Tcp(40000, Frames.Rst, client: Client + c));
        }
        Assert.True(Overloaded(h, Rs1));
        Tick(h, 10);
        var r = h.RealServer(Rs1);
        Assert.Equal((0, 0, 2, false), (r.ActiveConnections, r.InactiveConnections, r.PersistentConnections, r.Overloaded));

        Assert.NotNull(h.Forward(h.Tcp(40001, Frames.Syn, client: Client + 5)));
        r = h.RealServer(Rs1);
        Assert.Equal((1, 3, false), (r.ActiveConnections, r.PersistentConnections, r.Overloaded));
    }

    // ------------------------------------------------------------------ editing

    /// <summary>rs1 with upper 2 and two connections: overloaded.</summary>
    private static (EngineHarness H, ServiceSpec S) OverloadedAtTwo()
    {
        var (h, s) = OneServer(upper: 2);
        h.Syn(40000);
        h.Syn(40001);
        Assert.True(Overloaded(h, Rs1));
        return (h, s);
    }

    [Fact]
    public void Edit_RaisingTheUpperThreshold_ClearsTheMark()
    {
        var (h, s) = OverloadedAtTwo();

        h.Engine.EditRealServer(s, RealT(Rs1, upper: 3));

        Assert.False(Overloaded(h, Rs1));
        Assert.Equal(3, h.RealServer(Rs1).UpperThreshold);
        Assert.Equal(Rs1, h.Syn(40002));
        Assert.True(Overloaded(h, Rs1));               // 3 >= 3 at this bind
        AssertRefusedWithIcmp(h, 40003);
    }

    [Fact]
    public void Edit_RemovingTheUpperThreshold_ClearsTheMark()
    {
        var (h, s) = OverloadedAtTwo();

        h.Engine.EditRealServer(s, RealT(Rs1, upper: 0));

        Assert.False(Overloaded(h, Rs1));
        for (ushort p = 40002; p < 40010; p++) Assert.Equal(Rs1, h.Syn(p));
        Assert.False(Overloaded(h, Rs1));
    }

    [Theory]
    [InlineData(2, 0)]
    [InlineData(2, 1)]
    [InlineData(1, 0)]
    [InlineData(1, 1)]
    public void Edit_SameOrLowerUpperThreshold_KeepsTheMark(int upper, int lower)
    {
        var (h, s) = OverloadedAtTwo();

        h.Engine.EditRealServer(s, RealT(Rs1, upper, lower));

        Assert.True(Overloaded(h, Rs1));
        Assert.Equal((upper, lower), (h.RealServer(Rs1).UpperThreshold, h.RealServer(Rs1).LowerThreshold));
        AssertRefusedWithIcmp(h, 40002);
    }

    [Fact]
    public void Edit_LoweringTheUpperBelowTheCurrentCount_MarksAtOnce()
    {
        var (h, s) = OneServer(upper: 10);
        for (ushort p = 40000; p < 40003; p++) h.Syn(p);

        h.Engine.EditRealServer(s, RealT(Rs1, upper: 2));

        Assert.True(Overloaded(h, Rs1));               // ip_vs_dest_update_overload on the edit: 3 >= 2
        AssertRefusedWithIcmp(h, 40003);
    }

    [Fact]
    public void Edit_ChangingTheWeight_KeepsTheMark()
    {
        var (h, s) = OverloadedAtTwo();
        h.Engine.EditRealServer(s, RealT(Rs1, upper: 2, weight: 5));
        Assert.True(Overloaded(h, Rs1));
        Assert.Equal(5, h.RealServer(Rs1).Weight);
    }

    /// <summary>Rs1 overloaded at two connections, deleted and added again with <paramref name="upper"/>, resolved.</summary>
    private static EngineHarness DeletedAndReAdded(int upper)
    {
        var (h, s) = OverloadedAtTwo();
        h.Engine.DeleteRealServer(s, Real(Rs1));
        h.Engine.AddRealServer(s, RealT(Rs1, upper: upper));
        h.Resolve(Rs1);
        return h;
    }

    [Fact]
    public void DeletedAndReAddedWithTheSameThresholds_StaysOverloaded()
    {
        var h = DeletedAndReAdded(upper: 2);
        var r = h.RealServer(Rs1);
        Assert.Equal((2, true), (r.ActiveConnections, r.Overloaded));
        AssertRefusedWithIcmp(h, 40002);
    }

    [Fact]
    public void DeletedAndReAddedWithoutThresholds_IsNoLongerOverloaded()
    {
        var h = DeletedAndReAdded(upper: 0);
        var r = h.RealServer(Rs1);
        Assert.Equal(2, r.ActiveConnections);           // the old connections came back with it
        Assert.False(r.Overloaded);
        Assert.Equal(Rs1, h.Syn(40002));
    }

    // ------------------------------------------------------------------ listing, state, validation

    [Fact]
    public void Thresholds_AreListed_ExportedAndRestored()
    {
        var h = new EngineHarness();
        var s = Spec(80, LvsScheduler.Wlc);
        s.RealServers.Add(RealT(Rs1, upper: 100, lower: 50));
        s.RealServers.Add(RealT(Rs2, upper: 7));
        h.Engine.AddService(s);

        var r1 = h.RealServer(Rs1);
        Assert.Equal((100, 50, false), (r1.UpperThreshold, r1.LowerThreshold, r1.Overloaded));
        Assert.Equal((7, 0), (h.RealServer(Rs2).UpperThreshold, h.RealServer(Rs2).LowerThreshold));

        var state = h.Engine.ExportState();
        var exported = state.Services.Single().RealServers;
        Assert.Equal((100, 50), (exported.Single(r => r.Address.Equals(Ip(Rs1))).UpperThreshold, exported.Single(r => r.Address.Equals(Ip(Rs1))).LowerThreshold));

        AssertRestoresThroughJson(state);
    }

    private static void AssertRefused(EngineHarness h, Action call) =>
        h.AssertRefused(LvsErrorIds.InvalidThreshold, LvsErrorKind.InvalidArgument, call);

    public static IEnumerable<object[]> BadThresholds() => new[]
    {
        new object[] { -1, 0 },
        new object[] { 0, -1 },
        new object[] { -5, -5 },
        new object[] { int.MinValue, 0 },
        new object[] { 10, 11 },
        new object[] { 1, 2 },
        new object[] { 10, -1 },
    };

    [Theory]
    [MemberData(nameof(BadThresholds))]
    public void BadThresholds_AreRefused_Everywhere(int upper, int lower)
    {
        var (h, s) = OverloadedAtTwo();

        AssertRefused(h, () => h.Engine.AddRealServer(s, RealT(Rs2, upper, lower)));
        AssertRefused(h, () => h.Engine.EditRealServer(s, RealT(Rs1, upper, lower)));
        var svc = Spec(8080, LvsScheduler.Rr);
        svc.RealServers.Add(RealT(Rs3, 0));
        svc.RealServers.Add(RealT(Rs2, upper, lower));
        AssertRefused(h, () => h.Engine.AddService(svc));

        // The refused edit left rs1 as it was, mark included.
        var r = h.RealServer(Rs1);
        Assert.Equal((2, 0, true), (r.UpperThreshold, r.LowerThreshold, r.Overloaded));
        Assert.DoesNotContain(h.Engine.ListServices(), x => x.Port == 8080);
    }

    [Theory]
    [InlineData(5, 5)]
    [InlineData(5, 0)]
    [InlineData(int.MaxValue, 1)]
    public void GoodThresholds_AreAccepted(int upper, int lower)
    {
        var (h, s) = OneServer(upper: 0);
        h.Engine.AddRealServer(s, RealT(Rs2, upper, lower));
        h.Engine.EditRealServer(s, RealT(Rs1, upper, lower));
        Assert.Equal((upper, lower), (h.RealServer(Rs1).UpperThreshold, h.RealServer(Rs1).LowerThreshold));
        Assert.Equal((upper, lower), (h.RealServer(Rs2).UpperThreshold, h.RealServer(Rs2).LowerThreshold));
    }
}
