namespace LvsPS.Ipvs.Tests;

/// <summary>
/// A service's destination list kept the kernel's way (a new destination goes to the head) and the scheduler
/// told about every change, as ip_vs_ctl.c does.
/// </summary>
internal sealed class FakeService
{
    public readonly List<Destination> List = new();
    public readonly IIpvsScheduler Scheduler;
    private readonly Dictionary<Destination, string> _names = new();

    public FakeService(IIpvsScheduler scheduler) => Scheduler = scheduler;

    /// <summary>A service created with these destinations already present, in list order (the scheduler is bound once, as init_svc).</summary>
    public static FakeService WithList(IIpvsScheduler scheduler, params (string Name, int Weight)[] inListOrder)
    {
        var s = new FakeService(scheduler);
        foreach (var (name, weight) in inListOrder)
            s.List.Add(s.Make(name, weight));
        scheduler.OnDestinationsChanged(s.List, null);
        return s;
    }

    /// <summary>
    /// A service with a list in kernel order written as "A:1 2/30, B:0, C:3!": name, weight, optionally active and
    /// inactive connections, and "!" for an overloaded destination.
    /// </summary>
    public static FakeService Loaded(IIpvsScheduler scheduler, string list)
    {
        var s = new FakeService(scheduler);
        foreach (var item in list.Split(',', StringSplitOptions.TrimEntries))
        {
            var m = System.Text.RegularExpressions.Regex.Match(item, @"^(\w+):(\d+)(?: (\d+)/(\d+))?(!)?$");
            Assert.True(m.Success, $"bad destination '{item}'");
            var d = s.Make(m.Groups[1].Value, int.Parse(m.Groups[2].Value));
            if (m.Groups[3].Success)
            {
                d.ActiveConnections = int.Parse(m.Groups[3].Value);
                d.InactiveConnections = int.Parse(m.Groups[4].Value);
            }
            d.Overloaded = m.Groups[5].Success;
            s.List.Add(d);
        }
        scheduler.OnDestinationsChanged(s.List, null);
        return s;
    }

    public Destination Make(string name, int weight)
    {
        byte last = (byte)(_names.Count + 1);
        var d = new Destination(new IPAddress(new byte[] { 10, 0, 0, last }), 80, LvsForwarding.Route, weight)
        {
            AddressValue = 0x0A000000u | last,
        };
        _names[d] = name;
        return d;
    }

    /// <summary>ipvsadm -a: insert at the head, then add_dest.</summary>
    public Destination Add(string name, int weight)
    {
        var d = Make(name, weight);
        List.Insert(0, d);
        Scheduler.OnDestinationsChanged(List, null);
        return d;
    }

    /// <summary>ipvsadm -d: unlink, then del_dest.</summary>
    public void Remove(string name)
    {
        var d = this[name];
        List.Remove(d);
        Scheduler.OnDestinationsChanged(List, d);
    }

    /// <summary>ipvsadm -e -w: change the weight, then upd_dest.</summary>
    public void SetWeight(string name, int weight)
    {
        this[name].Weight = weight;
        Scheduler.OnDestinationsChanged(List, null);
    }

    public Destination this[string name] => _names.First(kv => kv.Value == name && List.Contains(kv.Key)).Key;

    /// <summary>The packet every <see cref="Pick()"/> schedules: 10.0.0.99:40000 -> 10.250.0.101:80 at t = 0.</summary>
    public static readonly SchedulingContext DefaultPacket = new(0x0A000063, 40000, 0x0AFA0065, 80, 0);

    public string Pick() => Pick(DefaultPacket);

    public string Pick(in SchedulingContext packet) => NameOf(Scheduler.Schedule(List, packet));

    /// <summary>The name a destination was made with, "-" for null.</summary>
    public string NameOf(Destination? d) => d is null ? "-" : _names[d];

    public string Picks(int count)
    {
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < count; i++)
            sb.Append(Pick());
        return sb.ToString();
    }
}

public class RoundRobinSchedulerTests
{
    [Fact]
    public void RotatesInListOrderStartingAtTheHead()
    {
        var s = FakeService.WithList(new RoundRobinScheduler(), ("A", 1), ("B", 1), ("C", 1));
        Assert.Equal("ABCABCA", s.Picks(7));
    }

    [Fact]
    public void NewestDestinationIsFirstInTheRotation()
    {
        var s = new FakeService(new RoundRobinScheduler());
        s.Add("A", 1);
        s.Add("B", 1);
        s.Add("C", 1); // list is C, B, A
        Assert.Equal("CBACBA", s.Picks(6));
    }

    [Fact]
    public void SkipsWeightZeroAndOverloadedDestinations()
    {
        var s = FakeService.WithList(new RoundRobinScheduler(), ("A", 1), ("B", 0), ("C", 1), ("D", 1));
        s["D"].Overloaded = true;
        Assert.Equal("ACACAC", s.Picks(6));
    }

    [Fact]
    public void WeightIsIgnoredBeyondZero()
    {
        var s = FakeService.WithList(new RoundRobinScheduler(), ("A", 100), ("B", 1));
        Assert.Equal("ABABAB", s.Picks(6));
    }

    [Fact]
    public void DeletingTheCursorMovesItBackSoTheFollowingNodeIsNext()
    {
        var s = FakeService.WithList(new RoundRobinScheduler(), ("A", 1), ("B", 1), ("C", 1));
        Assert.Equal("AB", s.Picks(2)); // cursor on B
        s.Remove("B");                  // rr_del_dest: cursor back to A
        Assert.Equal("CACA", s.Picks(4));
    }

    [Fact]
    public void DeletingTheFirstNodeWhileItIsTheCursorMovesTheCursorToTheHead()
    {
        var s = FakeService.WithList(new RoundRobinScheduler(), ("A", 1), ("B", 1), ("C", 1));
        Assert.Equal("A", s.Pick());
        s.Remove("A");
        Assert.Null(((RoundRobinScheduler)s.Scheduler).Cursor);
        Assert.Equal("BCB", s.Picks(3));
    }

    [Fact]
    public void DeletingAnotherNodeLeavesTheCursor()
    {
        var s = FakeService.WithList(new RoundRobinScheduler(), ("A", 1), ("B", 1), ("C", 1));
        Assert.Equal("AB", s.Picks(2));
        s.Remove("A");
        Assert.Equal("CBC", s.Picks(3));
    }

    [Fact]
    public void AddingADestinationKeepsTheCursorAndTheNewHeadComesAfterTheWrap()
    {
        var s = FakeService.WithList(new RoundRobinScheduler(), ("A", 1), ("B", 1), ("C", 1));
        Assert.Equal("AB", s.Picks(2));
        s.Add("D", 1); // list D, A, B, C; cursor still on B
        Assert.Equal("CDABC", s.Picks(5));
    }

    [Fact]
    public void TheCursorNodeItselfIsTriedLast()
    {
        var s = FakeService.WithList(new RoundRobinScheduler(), ("A", 1), ("B", 1), ("C", 1));
        Assert.Equal("AB", s.Picks(2));
        s["A"].Overloaded = true;
        s["C"].Overloaded = true;
        Assert.Equal("BB", s.Picks(2));
    }

    [Fact]
    public void NothingAvailableReturnsNullAndKeepsTheCursor()
    {
        var s = FakeService.WithList(new RoundRobinScheduler(), ("A", 1), ("B", 1), ("C", 1));
        Assert.Equal("A", s.Pick());
        s.SetWeight("A", 0);
        s.SetWeight("B", 0);
        s.SetWeight("C", 0);
        Assert.Equal("--", s.Picks(2));
        s.SetWeight("A", 1);
        s.SetWeight("B", 1);
        s.SetWeight("C", 1);
        Assert.Equal("BCA", s.Picks(3)); // continues after A
    }

    [Fact]
    public void EmptyServiceReturnsNull()
    {
        var s = new FakeService(new RoundRobinScheduler());
        Assert.Equal("-", s.Pick());
    }
}

public class WeightedRoundRobinSchedulerTests
{
    [Fact]
    public void Weights432GiveAABABCABC()
    {
        var s = FakeService.WithList(new WeightedRoundRobinScheduler(), ("A", 4), ("B", 3), ("C", 2));
        Assert.Equal("AABABCABC" + "AABABCABC" + "AABABCABC", s.Picks(27));
    }

    [Fact]
    public void Weights51GiveAAAAAB()
    {
        var s = FakeService.WithList(new WeightedRoundRobinScheduler(), ("A", 5), ("B", 1));
        Assert.Equal("AAAAAB" + "AAAAAB" + "AAAAAB", s.Picks(18));
    }

    [Fact]
    public void Weights42UseTheGcdStep()
    {
        var s = FakeService.WithList(new WeightedRoundRobinScheduler(), ("A", 4), ("B", 2));
        var w = (WeightedRoundRobinScheduler)s.Scheduler;
        Assert.Equal(2, w.Step);
        Assert.Equal(3, w.MaxWeight); // 4 - (2 - 1)
        Assert.Equal("AABAABAAB", s.Picks(9));
    }

    [Fact]
    public void Weights321AreServedExactly3To2To1()
    {
        var s = FakeService.WithList(new WeightedRoundRobinScheduler(), ("A", 3), ("B", 2), ("C", 1));
        for (int round = 0; round < 5; round++)
        {
            string six = s.Picks(6);
            Assert.Equal("AABABC", six);
            Assert.Equal(3, six.Count(c => c == 'A'));
            Assert.Equal(2, six.Count(c => c == 'B'));
            Assert.Equal(1, six.Count(c => c == 'C'));
        }
    }

    [Fact]
    public void AddingDestinationsOneByOneStartsWithAWeightOnePass()
    {
        // init_svc on an empty service gives cw = mw = 0; the first add sets cw = mw (1 for C: 2 - (2 - 1));
        // the next adds keep cw = 1 (not above mw, di = 1), so the first round takes everyone once.
        var s = new FakeService(new WeightedRoundRobinScheduler());
        s.Add("C", 2);
        s.Add("B", 3);
        s.Add("A", 4); // list A, B, C
        Assert.Equal(1, ((WeightedRoundRobinScheduler)s.Scheduler).CurrentWeight);
        Assert.Equal("ABC" + "AABABCABC" + "AABABCABC", s.Picks(21));
    }

    [Fact]
    public void WeightChangeMidStreamResetsTheCursorAndRoundsTheCurrentWeight()
    {
        var s = FakeService.WithList(new WeightedRoundRobinScheduler(), ("A", 6), ("B", 4));
        var w = (WeightedRoundRobinScheduler)s.Scheduler;
        Assert.Equal("AAB", s.Picks(3)); // di 2, mw 5: cw 5 -> 3
        Assert.Equal(3, w.CurrentWeight);

        s.SetWeight("A", 8); // di = 4, mw = 8 - 3 = 5, cw = (3 / 4) * 4 + 1 = 1, cursor to head
        Assert.Equal(4, w.Step);
        Assert.Equal(5, w.MaxWeight);
        Assert.Equal(1, w.CurrentWeight);
        Assert.Null(w.Cursor);
        Assert.Equal("AB" + "AAB" + "AAB" + "AAB", s.Picks(11));
    }

    [Fact]
    public void RaisingAWeightAboveTheCurrentKeepsCwWhenStepIsOne()
    {
        var s = FakeService.WithList(new WeightedRoundRobinScheduler(), ("A", 4), ("B", 3), ("C", 2));
        Assert.Equal("AAB", s.Picks(3)); // cw = 3, cursor B
        s.SetWeight("C", 4);                // di 1, mw 4, cw stays 3, cursor to head
        Assert.Equal(3, ((WeightedRoundRobinScheduler)s.Scheduler).CurrentWeight);
        // cw 3: A B C | cw 2: A B C | cw 1: A B C | cw 4: A C | cw 3: A B C ...
        Assert.Equal("ABC" + "ABC" + "ABC" + "AC" + "ABC", s.Picks(14));
    }

    [Fact]
    public void LoweringTheMaximumBelowTheCurrentWeightRestartsAtTheNewMaximum()
    {
        var s = FakeService.WithList(new WeightedRoundRobinScheduler(), ("A", 5), ("B", 1));
        Assert.Equal("A", s.Pick()); // cw 5
        s.SetWeight("A", 2);         // mw 2 < cw 5 -> cw = 2
        Assert.Equal(2, ((WeightedRoundRobinScheduler)s.Scheduler).CurrentWeight);
        Assert.Equal("AABAAB", s.Picks(6));
    }

    [Fact]
    public void RemovingADestinationRecomputesFromTheHead()
    {
        var s = FakeService.WithList(new WeightedRoundRobinScheduler(), ("A", 4), ("B", 3), ("C", 2));
        Assert.Equal("AABA", s.Picks(4)); // cw 2, cursor A
        s.Remove("A");                    // di 1, mw 3, cw 2 kept
        Assert.Equal("BC" + "BC" + "B" + "BC", s.Picks(7));
    }

    [Fact]
    public void ZeroWeightAndOverloadedDestinationsAreSkipped()
    {
        var s = FakeService.WithList(new WeightedRoundRobinScheduler(), ("A", 2), ("B", 0), ("C", 1));
        Assert.Equal("AACAAC", s.Picks(6));
        s["A"].Overloaded = true;
        Assert.Equal("CCC", s.Picks(3));
    }

    [Fact]
    public void AllWeightsZeroMeansNoDestination()
    {
        var s = FakeService.WithList(new WeightedRoundRobinScheduler(), ("A", 0), ("B", 0));
        Assert.Equal(0, ((WeightedRoundRobinScheduler)s.Scheduler).MaxWeight);
        Assert.Equal("--", s.Picks(2));
    }

    [Fact]
    public void AllOverloadedReturnsNullWithoutLoopingForever()
    {
        var s = FakeService.WithList(new WeightedRoundRobinScheduler(), ("A", 3), ("B", 1));
        Assert.Equal("A", s.Pick());
        s["A"].Overloaded = true;
        s["B"].Overloaded = true;
        Assert.Equal("---", s.Picks(3));
        s["B"].Overloaded = false;
        Assert.Equal("BB", s.Picks(2));
    }
}

/// <summary>
/// The schedulers that look only at counters and weights (lc, wlc, sed, nq, fo, ovf) on lists given in kernel order as
/// "name:weight active/inactive", "!" marking an overloaded destination (<see cref="FakeService.Loaded"/>); "-" is
/// no destination.
/// </summary>
public class StatelessSchedulerTests
{
    [Theory]
    // lc: the smallest activeconns * 256 + inactconns
    [InlineData(LvsScheduler.Lc, "A:1 1/0, B:1 0/300", "A")] // 256 < 300
    [InlineData(LvsScheduler.Lc, "A:1 1/0, B:1 0/255", "B")]
    // lc: a tie goes to the first in list order, and the weight is ignored
    [InlineData(LvsScheduler.Lc, "A:1 0/5, B:100 0/5, C:1 0/5", "A")]
    [InlineData(LvsScheduler.Lc, "A:1 0/6, B:100 0/5, C:1 0/5", "B")]
    // lc skips quiesced and overloaded destinations
    [InlineData(LvsScheduler.Lc, "A:0, B:1 5/0, C:1 9/0", "B")]
    [InlineData(LvsScheduler.Lc, "A:0, B:1 5/0!, C:1 9/0", "C")]
    [InlineData(LvsScheduler.Lc, "A:0, B:1 5/0!, C:0 9/0", "-")]
    // wlc: the smallest overhead / weight
    [InlineData(LvsScheduler.Wlc, "A:1 1/0, B:3 2/0", "B")] // 256 / 1 against 512 / 3
    // wlc: an exact ratio tie keeps the first (256 * 2 == 512 * 1)
    [InlineData(LvsScheduler.Wlc, "A:1 1/0, B:2 2/0", "A")]
    [InlineData(LvsScheduler.Wlc, "B:2 2/0, A:1 1/0", "B")]
    // wlc counts inactive connections
    [InlineData(LvsScheduler.Wlc, "A:1 0/1000, B:1 1/0", "B")] // 1000 against 256
    // wlc starts with the first available destination, and weight 0 never wins
    [InlineData(LvsScheduler.Wlc, "A:0, B:1 50/50, C:0", "B")]
    [InlineData(LvsScheduler.Wlc, "A:0, B:1 50/50!, C:0", "-")]
    // wlc uses 64-bit products: overheads 7,733,504 and 7,733,248; 7733504 * 65534 = 506,807,451,136 >
    // 7733248 * 65535 = 506,798,407,680, so B; truncated to 32 bits the comparison would be
    // 1,310,208 > 4,287,234,048 (false) and keep A.
    [InlineData(LvsScheduler.Wlc, "A:65535 30209/0, B:65534 30208/0", "B")]
    // sed ignores inactive connections and adds one: 1 against 2
    [InlineData(LvsScheduler.Sed, "A:1 0/1000, B:1 1/0", "A")]
    // sed weighs active + 1: 2 / 1 against 4 / 3, then 6 / 3 == 2 / 1, a tie the first keeps
    [InlineData(LvsScheduler.Sed, "A:1 1/0, B:3 3/0", "B")]
    [InlineData(LvsScheduler.Sed, "A:1 1/0, B:3 5/0", "A")]
    // sed with no connections prefers the heavier weight, not the first (1 * 2 > 1 * 1)
    [InlineData(LvsScheduler.Sed, "A:1, B:2", "B")]
    // nq takes the first idle server whatever its weight (sed would pick B)
    [InlineData(LvsScheduler.Nq, "A:1, B:10", "A")]
    [InlineData(LvsScheduler.Nq, "A:1 1/0, B:10", "B")]
    // nq falls back to sed when nobody is idle: 2 / 1 against 4 / 3
    [InlineData(LvsScheduler.Nq, "A:1 1/0, B:3 3/0, C:1 1/0", "B")]
    // nq ignores idle but quiesced or overloaded servers
    [InlineData(LvsScheduler.Nq, "A:0, B:1!, C:1 7/0", "C")]
    // fo: the highest weight, the first wins ties; connections do not count
    [InlineData(LvsScheduler.Fo, "A:5, B:10 1000/0, C:10", "B")]
    [InlineData(LvsScheduler.Fo, "A:5, B:10 1000/0!, C:10", "C")]
    [InlineData(LvsScheduler.Fo, "A:5, B:10 1000/0!, C:0", "A")]
    [InlineData(LvsScheduler.Fo, "A:0, B:10 1000/0!, C:0", "-")]
    // ovf: the weight is a cap on active connections (2 <= 2 is still eligible)
    [InlineData(LvsScheduler.Ovf, "A:1, B:2", "B")]
    [InlineData(LvsScheduler.Ovf, "A:1, B:2 2/0", "B")]
    [InlineData(LvsScheduler.Ovf, "A:1, B:2 3/0", "A")]
    [InlineData(LvsScheduler.Ovf, "A:1 2/0, B:2 3/0", "-")]
    // ovf: a tie goes to the first, and inactive connections are ignored
    [InlineData(LvsScheduler.Ovf, "A:2 0/1000, B:2, C:0", "A")]
    [InlineData(LvsScheduler.Ovf, "A:2 0/1000!, B:2, C:0", "B")]
    public void Picks(LvsScheduler kind, string list, string expected)
        => Assert.Equal(expected, FakeService.Loaded(SchedulerFactory.Create(kind), list).Pick());
}

public class SchedulerFactoryTests
{
    [Theory]
    [InlineData(LvsScheduler.Rr, typeof(RoundRobinScheduler))]
    [InlineData(LvsScheduler.Wrr, typeof(WeightedRoundRobinScheduler))]
    [InlineData(LvsScheduler.Lc, typeof(LeastConnectionScheduler))]
    [InlineData(LvsScheduler.Wlc, typeof(WeightedLeastConnectionScheduler))]
    [InlineData(LvsScheduler.Sed, typeof(ShortestExpectedDelayScheduler))]
    [InlineData(LvsScheduler.Nq, typeof(NeverQueueScheduler))]
    [InlineData(LvsScheduler.Fo, typeof(WeightedFailoverScheduler))]
    [InlineData(LvsScheduler.Ovf, typeof(WeightedOverflowScheduler))]
    [InlineData(LvsScheduler.Lblc, typeof(LocalityBasedLeastConnectionScheduler))]
    [InlineData(LvsScheduler.Lblcr, typeof(LocalityBasedLeastConnectionReplicationScheduler))]
    [InlineData(LvsScheduler.Dh, typeof(DestinationHashingScheduler))]
    [InlineData(LvsScheduler.Sh, typeof(SourceHashingScheduler))]
    [InlineData(LvsScheduler.Mh, typeof(MaglevHashingScheduler))]
    [InlineData(LvsScheduler.Twos, typeof(PowerOfTwoChoicesScheduler))]
    public void CreatesEveryScheduler(LvsScheduler kind, Type type)
    {
        var s = SchedulerFactory.Create(kind);
        Assert.IsType(type, s);
        Assert.Equal(kind, s.Kind);
        Assert.True(SchedulerFactory.IsImplemented(kind));
        Assert.NotSame(s, SchedulerFactory.Create(kind));
    }

    [Fact]
    public void EverySchedulerIsImplemented()
    {
        Assert.Equal(Enum.GetValues<LvsScheduler>(), SchedulerFactory.ImplementedSchedulers);
    }

    [Fact]
    public void UndefinedSchedulerValueIsInvalidScheduler()
    {
        var ex = Assert.Throws<LvsException>(() => SchedulerFactory.Create((LvsScheduler)99));
        Assert.Equal(LvsErrorIds.InvalidScheduler, ex.ErrorId);
        Assert.Equal(LvsErrorKind.InvalidArgument, ex.Kind);
        Assert.False(SchedulerFactory.IsImplemented((LvsScheduler)99));
    }

    [Theory]
    [InlineData("rr", LvsScheduler.Rr)]
    [InlineData("WLC", LvsScheduler.Wlc)]
    [InlineData("lblcr", LvsScheduler.Lblcr)]
    [InlineData("twos", LvsScheduler.Twos)]
    public void ParsesNames(string name, LvsScheduler kind)
    {
        Assert.True(SchedulerFactory.TryParse(name, out var k));
        Assert.Equal(kind, k);
        Assert.Equal(name.ToLowerInvariant(), SchedulerFactory.Name(k));
    }

    [Fact]
    public void RejectsUnknownNames()
    {
        Assert.False(SchedulerFactory.TryParse("rx", out _));
        Assert.False(SchedulerFactory.TryParse("", out _));
        Assert.False(SchedulerFactory.TryParse(null, out _));
    }

    /// <summary>Every scheduler the kernel has (rr … twos): a new one is covered without editing the list.</summary>
    public static IEnumerable<object[]> AllSchedulers() => Enum.GetValues<LvsScheduler>().Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(AllSchedulers))]
    public void ScheduleDoesNotAllocate(LvsScheduler kind)
    {
        var flags = kind is LvsScheduler.Sh or LvsScheduler.Mh
            ? LvsSchedulerFlags.Fallback | LvsSchedulerFlags.Port
            : LvsSchedulerFlags.None;
        var s = new FakeService(SchedulerFactory.Create(kind, flags));
        for (int i = 0; i < 8; i++)
        {
            var d = s.Add("D" + i, 1 + i % 3);
            d.ActiveConnections = i % 4;
            d.InactiveConnections = i;
        }
        s["D3"].Overloaded = true;
        IReadOnlyList<Destination> list = s.List;
        // 64 client and 64 destination addresses; time runs over several collector periods (lblc, lblcr).
        for (int i = 0; i < 2000; i++)
            s.Scheduler.Schedule(list, Packet(i));

        Destination? last = null;
        long allocated = Allocations.Least(attempt =>
        {
            for (int i = 2000 + attempt * 10_000; i < 12_000 + attempt * 10_000; i++)
                last = s.Scheduler.Schedule(list, Packet(i));
        });

        Assert.NotNull(last);
        Assert.Equal(0, allocated);
    }

    private static SchedulingContext Packet(int i)
        => new((uint)(0x0A000100 + i % 64), (ushort)(1024 + i), (uint)(0x0AFA0000 + i % 64), 80, i * 100L);
}
