namespace LvsPS.Ipvs.Tests.Scheduling;

public class LocalityBasedLeastConnectionSchedulerTests
{
    private const long Minute = 60_000;
    private const long Hour = 60 * Minute;
    private const uint Vip = 0x0AFA0065;

    private static SchedulingContext To(uint destination, long nowMs, uint client = 0x0A000063)
        => new(client, 40000, destination, 80, nowMs);

    private static (FakeService S, LocalityBasedLeastConnectionScheduler L) Service(params (string, int)[] list)
    {
        var l = new LocalityBasedLeastConnectionScheduler(startMs: 0);
        return (FakeService.WithList(l, list), l);
    }

    [Fact]
    public void TheFirstConnectionToAnAddressIsWlcAndThenSticks()
    {
        var (s, l) = Service(("A", 1), ("B", 1));
        Assert.Equal("A", s.Pick(To(Vip, 1000))); // tie: the first in list order
        Assert.Same(s["A"], l.CachedDestination(Vip));
        s["A"].ActiveConnections = 1;             // wlc would now pick B
        for (int i = 0; i < 5; i++)
            Assert.Equal("A", s.Pick(To(Vip, 2000 + i, client: 0x0B000000u + (uint)i)));
        Assert.Equal(1, l.EntryCount);
    }

    [Fact]
    public void EachDestinationAddressHasItsOwnEntry()
    {
        var (s, l) = Service(("A", 1), ("B", 1));
        Assert.Equal("A", s.Pick(To(0x0AFA0065, 1000)));
        s["A"].ActiveConnections = 1;
        Assert.Equal("B", s.Pick(To(0x0AFA0066, 1000)));
        Assert.Equal("A", s.Pick(To(0x0AFA0065, 1000)));
        Assert.Equal("B", s.Pick(To(0x0AFA0066, 1000)));
        Assert.Equal(2, l.EntryCount);
    }

    [Fact]
    public void OverloadedMeansMoreActiveThanWeightWhileSomeServerIsUnderHalf()
    {
        var (s, l) = Service(("A", 2), ("B", 2));
        Assert.Equal("A", s.Pick(To(Vip, 0)));
        s["A"].ActiveConnections = 3; // 3 > 2
        s["B"].ActiveConnections = 1; // 1 * 2 < 2 is false: nobody is under half, so A is not "overloaded"
        Assert.Equal("A", s.Pick(To(Vip, 1)));
        s["A"].ActiveConnections = 2; // 2 > 2 is false
        s["B"].ActiveConnections = 0;
        Assert.Equal("A", s.Pick(To(Vip, 2)));
        s["A"].ActiveConnections = 3; // now A is over its weight and B is under half
        Assert.Equal("B", s.Pick(To(Vip, 3)));
        Assert.Same(s["B"], l.CachedDestination(Vip));
        s["A"].ActiveConnections = 0; // the entry stays on B
        Assert.Equal("B", s.Pick(To(Vip, 4)));
    }

    [Fact]
    public void TheThresholdOverloadFlagDoesNotMoveACachedEntry()
    {
        var (s, _) = Service(("A", 1), ("B", 1));
        Assert.Equal("A", s.Pick(To(Vip, 0)));
        s["A"].Overloaded = true; // ip_vs_lblc_schedule does not look at IP_VS_DEST_F_OVERLOAD for the cached server
        Assert.Equal("A", s.Pick(To(Vip, 1)));
        Assert.Equal("B", s.Pick(To(0x0AFA0066, 1))); // a new address: wlc skips the overloaded A
    }

    [Fact]
    public void QuiescedOrRemovedServersAreRescheduledAndReplaced()
    {
        var (s, l) = Service(("A", 1), ("B", 1), ("C", 1));
        Assert.Equal("A", s.Pick(To(Vip, 0)));
        s.SetWeight("A", 0);
        Assert.Equal("B", s.Pick(To(Vip, 1)));
        Assert.Equal(1, l.EntryCount);
        Assert.Equal(2, l.EntriesCounter); // ip_vs_lblc_new frees the old entry without decrementing
        s.Remove("B");
        Assert.Equal("C", s.Pick(To(Vip, 2)));
        Assert.Equal(1, l.EntryCount);
        Assert.Equal(3, l.EntriesCounter);
    }

    [Fact]
    public void NoAvailableServerGivesNull()
    {
        var (s, _) = Service(("A", 0));
        Assert.Equal("-", s.Pick(To(Vip, 0)));
    }

    [Fact]
    public void AnEntryIdleFor24HoursGoesAtTheFirstFullCheckAfterwards()
    {
        // timer at 1, 2, ... minutes; counter 1 -> 30 over the first 29 firings; full checks at 30, 60, 90 ... minutes
        var (s, l) = Service(("A", 1), ("B", 1));
        Assert.Equal("A", s.Pick(To(Vip, 10_000)));
        l.AdvanceTo(24 * Hour + 30 * Minute - 1); // the full check at 24h00 ran: 24h00 < 10 s + 24 h
        Assert.Equal(1, l.EntryCount);
        Assert.Equal(30, l.CollectorCounter); // the full check at 24h00 set it to 1; the firings 24h01..24h29 raised it to 30
        l.AdvanceTo(24 * Hour + 30 * Minute);
        Assert.Equal(0, l.EntryCount);
        Assert.Equal(0, l.EntriesCounter);
        Assert.Null(l.CachedDestination(Vip));
    }

    [Fact]
    public void UseKeepsAnEntryAlive()
    {
        var (s, l) = Service(("A", 1), ("B", 1));
        Assert.Equal("A", s.Pick(To(Vip, 0)));
        s["A"].ActiveConnections = 1;
        for (long t = 20 * Hour; t <= 100 * Hour; t += 20 * Hour)
            Assert.Equal("A", s.Pick(To(Vip, t)));
        Assert.Equal(1, l.EntryCount);
    }

    [Fact]
    public void CollectorFiringsFollowTheKernelTimerOneAtATimeOrAllAtOnce()
    {
        var (s1, l1) = Service(("A", 1), ("B", 1));
        var (s2, l2) = Service(("A", 1), ("B", 1));
        for (int i = 0; i < 40; i++)
        {
            s1.Pick(To(0x0AFA0000u + (uint)i, i * 37 * Minute));
            s2.Pick(To(0x0AFA0000u + (uint)i, i * 37 * Minute));
        }
        for (long t = 0; t <= 60 * Hour; t += Minute)
            l1.AdvanceTo(t);
        l2.AdvanceTo(60 * Hour);
        Assert.Equal(l1.EntryCount, l2.EntryCount);
        Assert.Equal(l1.CollectorCounter, l2.CollectorCounter);
        Assert.Equal(l1.NextCheckMs, l2.NextCheckMs);
        Assert.Equal(l1.Rover, l2.Rover);
        // entries last used before 60h00 - 24h = 36h00 are gone: i * 37 min < 36 h <=> i <= 58 -> all 40
        Assert.Equal(0, l1.EntryCount);
    }

    [Fact]
    public void OverTheMaximumTheCollectorWaitsForIdleEntriesAndGivesTheSameTableStepByStepOrAllAtOnce()
    {
        var (s1, l1) = Service(("A", 1), ("B", 1));
        var (s2, l2) = Service(("A", 1), ("B", 1));
        foreach (var (s, l) in new[] { (s1, l1), (s2, l2) })
        {
            for (uint i = 0; i < 16400; i++)
                s.Pick(To(0x0C000000u + i, 20 * Minute + i)); // 20:00.000 .. 20:16.399, the last 15 refused
        }
        Assert.Equal(16385, l1.EntryCount);
        var trace = new List<int>();
        for (long t = 20 * Minute; t <= 5 * Hour; t += Minute)
        {
            l1.AdvanceTo(t);
            trace.Add(l1.EntryCount);
        }
        l2.AdvanceTo(5 * Hour);
        Assert.Equal(l1.EntryCount, l2.EntryCount);
        Assert.Equal(l1.EntriesCounter, l2.EntriesCounter);
        Assert.Equal(l1.Rover, l2.Rover);
        Assert.Equal(l1.CollectorCounter, l2.CollectorCounter);
        Assert.Equal(l1.NextCheckMs, l2.NextCheckMs);

        // firings 21..25 min find nothing idle for 6 minutes; at 26:00 only the entry used at 20:00.000 is, and goes
        Assert.Equal(Enumerable.Repeat(16385, 6), trace.Take(6));
        Assert.Equal(16384, trace[6]);
        Assert.Null(l1.CachedDestination(0x0C000000u));
        Assert.Equal(16384, l1.EntryCount);
        Assert.Equal(ReferenceSipHash.Hash32(0x0C000000u, 10), (uint)l1.Rover);
    }

    [Fact]
    public void TheClockStartsAtTheFirstTimeSeenWithoutAStartTime()
    {
        var l = new LocalityBasedLeastConnectionScheduler();
        Assert.Null(l.NextCheckMs);
        var s = FakeService.WithList(l, ("A", 1));
        s.Pick(To(Vip, 5_000));
        Assert.Equal(65_000, l.NextCheckMs);
    }

    [Fact]
    public void OverTheMaximumNewEntriesAreRefusedAndTheCollectorTrimsIdleOnes()
    {
        var (s, l) = Service(("A", 1), ("B", 1));
        // entries are created while the counter is <= 16384: the 16385th is the last
        for (uint i = 0; i < 16390; i++)
            Assert.Equal("A", s.Pick(To(0x0B000000u + i, 1000)));
        Assert.Equal(16385, l.EntryCount);
        Assert.Equal(16385, l.EntriesCounter);

        // 1 min: nothing idle for 6 minutes yet; 7 min (counter 1 all along): goal = (16385 - 16384) * 4 / 3 = 1,
        // buckets from rover + 1 = 1 upwards, a whole bucket at a time
        l.AdvanceTo(6 * Minute);
        Assert.Equal(16385, l.EntryCount);
        l.AdvanceTo(7 * Minute);

        var perBucket = Enumerable.Range(0, 16385)
            .GroupBy(i => ReferenceSipHash.Hash32(0x0B000000u + (uint)i, 10))
            .ToDictionary(g => g.Key, g => g.Count());
        uint first = Enumerable.Range(1, 1023).Select(b => (uint)b).First(perBucket.ContainsKey);
        Assert.Equal(16385 - perBucket[first], l.EntryCount);
        Assert.Equal((int)first, l.Rover);
        Assert.Equal(1, l.CollectorCounter);
    }
}

public class LocalityBasedLeastConnectionReplicationSchedulerTests
{
    private const long Hour = 3_600_000;
    private const uint Vip = 0x0AFA0065;

    private static SchedulingContext To(uint destination, long nowMs) => new(0x0A000063, 40000, destination, 80, nowMs);

    private static (FakeService S, LocalityBasedLeastConnectionReplicationScheduler L) Service(params (string, int)[] list)
    {
        var l = new LocalityBasedLeastConnectionReplicationScheduler(startMs: 0);
        return (FakeService.WithList(l, list), l);
    }

    /// <summary>
    /// A service whose entry for <see cref="Vip"/> holds the set B, A: A is chosen at time 0 and then has two active
    /// connections (over its weight 1 while B is idle), so that B joins the set at <paramref name="at"/>.
    /// </summary>
    private static (FakeService S, LocalityBasedLeastConnectionReplicationScheduler L) WithSetBA(long at, params (string, int)[] list)
    {
        var (s, l) = Service(list);
        Assert.Equal("A", s.Pick(To(Vip, 0)));
        s["A"].ActiveConnections = 2;
        Assert.Equal("B", s.Pick(To(Vip, at)));
        Assert.Equal("BA", Set(s, l));
        return (s, l);
    }

    /// <summary>A packet to <see cref="Vip"/> every hour from 1 h to <paramref name="until"/>, each scheduled to <paramref name="expected"/>.</summary>
    private static void PickHourly(FakeService s, string expected, long until)
    {
        for (long t = Hour; t <= until; t += Hour)
            Assert.Equal(expected, s.Pick(To(Vip, t)));
    }

    private static string Set(FakeService s, LocalityBasedLeastConnectionReplicationScheduler l, uint addr = Vip)
        => string.Concat(l.ServerSet(addr).Select(s.NameOf));

    [Fact]
    public void TheSetGrowsWhenItsBestMemberIsOverloaded()
    {
        var (s, l) = Service(("A", 1), ("B", 1), ("C", 1));
        Assert.Equal("A", s.Pick(To(Vip, 1000)));
        Assert.Equal("A", Set(s, l));
        Assert.Equal(1000, l.SetLastModified(Vip));

        s["A"].ActiveConnections = 2; // over its weight, and B, C are under half
        Assert.Equal("B", s.Pick(To(Vip, 2000)));
        Assert.Equal("BA", Set(s, l)); // newest member first
        Assert.Equal(2000, l.SetLastModified(Vip));

        // the set's weighted least-connection member now: B (0) over A (512)
        Assert.Equal("B", s.Pick(To(Vip, 3000)));
        s["B"].ActiveConnections = 2;
        Assert.Equal("C", s.Pick(To(Vip, 4000)));
        Assert.Equal("CBA", Set(s, l));
    }

    [Fact]
    public void TheSetPicksItsWeightedLeastLoadedMemberNotTheWholeService()
    {
        var (s, l) = Service(("A", 2), ("B", 1), ("C", 1));
        Assert.Equal("A", s.Pick(To(Vip, 0)));
        s["A"].ActiveConnections = 3;
        s["B"].ActiveConnections = 0;
        Assert.Equal("B", s.Pick(To(Vip, 1))); // set B, A
        s["A"].ActiveConnections = 1;            // A 256/2 vs B 256/1
        s["B"].ActiveConnections = 1;
        Assert.Equal("A", s.Pick(To(Vip, 2)));
        Assert.Equal("BA", Set(s, l));           // C, idle, is not a member and is not considered
    }

    [Fact]
    public void AfterTheExpirationWithoutChangeTheMostLoadedMemberIsDropped()
    {
        var (s, l) = WithSetBA(1000, ("A", 1), ("B", 1));   // last change 1000
        s["A"].ActiveConnections = 1;                        // not overloaded any more (1 > 1 is false)
        PickHourly(s, "B", until: 23 * Hour);                // keep the entry in use (the full check would drop it)
        Assert.Equal("B", s.Pick(To(Vip, 1000 + 24 * Hour))); // exactly the expiration: not after it
        Assert.Equal("BA", Set(s, l));
        Assert.Equal("B", s.Pick(To(Vip, 1001 + 24 * Hour)));
        Assert.Equal("B", Set(s, l));                        // A (256) was the most loaded
        Assert.Equal(1001 + 24 * Hour, l.SetLastModified(Vip));
        Assert.Equal("B", s.Pick(To(Vip, 1002 + 48 * Hour))); // a single member is never dropped
        Assert.Equal("B", Set(s, l));
    }

    [Fact]
    public void TheDroppedMemberMayBeTheOneReturned()
    {
        // set_min is taken before set_max drops a member, and set_max also weighs members no longer in the service
        var (s, l) = WithSetBA(1000, ("A", 1), ("B", 1), ("C", 1));
        s["A"].ActiveConnections = 0;
        s.Remove("A");
        s["B"].ActiveConnections = 1;                        // 256: the most loaded member, and the set's only usable one
        PickHourly(s, "B", until: 24 * Hour);
        Assert.Equal("B", s.Pick(To(Vip, 1001 + 24 * Hour))); // B is dropped but still returned
        Assert.Equal("A", Set(s, l));
        Assert.Equal("C", s.Pick(To(Vip, 1002 + 24 * Hour))); // no usable member: wlc over B (256), C (0)
        Assert.Equal("CA", Set(s, l));
    }

    [Fact]
    public void RemovedMembersAreSkippedButStayInTheSet()
    {
        var (s, l) = WithSetBA(1, ("A", 1), ("B", 1), ("C", 1));
        s["A"].ActiveConnections = 0;
        s.Remove("B");
        Assert.Equal("A", s.Pick(To(Vip, 2)));   // B is no longer in the service
        Assert.Equal(2, l.ServerSet(Vip).Count);
    }

    [Fact]
    public void IdleEntriesExpireWithTheirSet()
    {
        var (s, l) = Service(("A", 1), ("B", 1));
        Assert.Equal("A", s.Pick(To(Vip, 0)));
        l.AdvanceTo(24 * Hour);                   // full checks every 30 min: the one at 24h00 deletes it
        Assert.Equal(0, l.EntryCount);
        Assert.Empty(l.ServerSet(Vip));
        Assert.Equal("A", s.Pick(To(Vip, 24 * Hour + 1)));
        Assert.Equal(1, l.EntryCount);
    }
}
