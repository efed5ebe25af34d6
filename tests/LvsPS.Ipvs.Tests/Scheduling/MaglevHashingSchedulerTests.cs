namespace LvsPS.Ipvs.Tests.Scheduling;

public class MaglevHashingSchedulerTests
{
    private const ulong K1 = 2654435761UL;
    private const ulong K2 = 2654446892UL;

    private static SchedulingContext From(uint client, ushort port = 40000) => new(client, port, 0x0AFA0065, 80, 0);

    /// <summary>
    /// The Maglev table as the paper states it, with ip_vs_mh.c's inputs: destination i prefers the positions
    /// (offset_i + j * skip_i) mod M for j = 0, 1, 2 ...; lap after lap, in list order, each destination takes its
    /// next <c>turns</c> preferred free positions.
    /// </summary>
    private static Destination?[] ReferenceTable(IReadOnlyList<Destination> list, int m = 4093, int tabBits = 6)
    {
        var table = new Destination?[m];
        var lw = list.Select(d => d.LastWeight).ToArray();
        int g = 0;
        foreach (int w in lw.Where(w => w > 0))
            g = g == 0 ? w : (int)System.Numerics.BigInteger.GreatestCommonDivisor(g, w);
        if (g == 0)
            return table;
        int mw = lw.Max() / g;
        int bitsOfMw = 0;
        while ((mw >> bitsOfMw) != 0) bitsOfMw++;
        int rshift = Math.Max(0, bitsOfMw - tabBits);

        int n = list.Count;
        var offset = new long[n];
        var skip = new long[n];
        var turns = new int[n];
        var j = new long[n];
        for (int i = 0; i < n; i++)
        {
            uint key = Key(list[i].Address) + list[i].Port;
            offset[i] = ReferenceSipHash.Hsiphash(key, K1, K1) % (uint)m;
            skip[i] = ReferenceSipHash.Hsiphash(key, K2, K2) % (uint)(m - 1) + 1;
            turns[i] = Math.Max((lw[i] / g) >> rshift, lw[i] != 0 ? 1 : 0);
        }
        int filled = 0;
        while (filled < m)
        {
            for (int i = 0; i < n && filled < m; i++)
            {
                for (int t = 0; t < turns[i] && filled < m; t++)
                {
                    long pos;
                    while (table[pos = (offset[i] + j[i] * skip[i]) % m] is not null)
                        j[i]++;
                    table[pos] = list[i];
                    filled++;
                }
            }
        }
        return table;
    }

    /// <summary>ntohl of the IPv4 address, or the XOR of the four big-endian words of an IPv6 one.</summary>
    private static uint Key(IPAddress a)
    {
        byte[] b = a.GetAddressBytes();
        uint k = 0;
        for (int i = 0; i < b.Length; i += 4)
            k ^= System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(i, 4));
        return k;
    }

    private static int ReferenceSlot(uint client, ushort port, uint roffset = 0, int m = 4093)
        => (int)(ReferenceSipHash.Hsiphash(roffset + port + client, K1, K1) % (uint)m);

    private static FakeService Service(LvsSchedulerFlags flags, params (string, int)[] list)
        => FakeService.WithList(new MaglevHashingScheduler(flags), list);

    private static Destination?[] Lookup(FakeService s) => ((MaglevHashingScheduler)s.Scheduler).Lookup.ToArray();

    private static int Count(FakeService s, string name) => Lookup(s).Count(d => d is not null && s.NameOf(d) == name);

    [Fact]
    public void DefaultTableHas4093EntriesAllFilled()
    {
        var s = Service(LvsSchedulerFlags.None, ("A", 1), ("B", 1), ("C", 1));
        var mh = (MaglevHashingScheduler)s.Scheduler;
        Assert.Equal(4093, mh.TableSize);
        Assert.All(Lookup(s), Assert.NotNull);
    }

    [Fact]
    public void TableMatchesThePaperConstructionWithTheKernelsHashes()
    {
        var s = Service(LvsSchedulerFlags.None, ("A", 3), ("B", 1), ("C", 2), ("D", 5), ("E", 1));
        var expected = ReferenceTable(s.List);
        var actual = Lookup(s);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(ReferenceEquals(expected[i], actual[i]), $"entry {i}: expected {s.NameOf(expected[i])}, got {s.NameOf(actual[i])}");
    }

    [Fact]
    public void TableMatchesForAHundredServersWithMixedWeights()
    {
        var s = new FakeService(new MaglevHashingScheduler());
        for (int i = 0; i < 100; i++)
            s.Add("S" + i, 1 + (i * 37) % 200);
        var expected = ReferenceTable(s.List);
        Assert.Equal(expected, Lookup(s));
    }

    [Fact]
    public void EqualWeightsShareTheTableWithinOneEntry()
    {
        var s = Service(LvsSchedulerFlags.None, ("A", 1), ("B", 1), ("C", 1), ("D", 1));
        // 4093 = 4 * 1023 + 1: the first in list order gets the last entry
        Assert.Equal(1024, Count(s, "A"));
        Assert.Equal(1023, Count(s, "B"));
        Assert.Equal(1023, Count(s, "C"));
        Assert.Equal(1023, Count(s, "D"));
    }

    [Fact]
    public void WeightsTwoToOneGiveTwoTurnsPerLap()
    {
        var s = Service(LvsSchedulerFlags.None, ("A", 2), ("B", 1));
        // laps of 3 entries: 1364 laps = 4092, then A takes the last one
        Assert.Equal(2 * 1364 + 1, Count(s, "A"));
        Assert.Equal(1364, Count(s, "B"));
        var mh = (MaglevHashingScheduler)s.Scheduler;
        Assert.Equal(1, mh.Gcd);
        Assert.Equal(0, mh.RShift);
    }

    [Fact]
    public void GcdScalesWeightsDown()
    {
        var s = Service(LvsSchedulerFlags.None, ("A", 20), ("B", 10));
        Assert.Equal(10, ((MaglevHashingScheduler)s.Scheduler).Gcd);
        Assert.Equal(2729, Count(s, "A"));
        Assert.Equal(1364, Count(s, "B"));
    }

    [Fact]
    public void LargeWeightRatiosAreShiftedDownToSixBits()
    {
        var s = Service(LvsSchedulerFlags.None, ("A", 1000), ("B", 1));
        var mh = (MaglevHashingScheduler)s.Scheduler;
        // fls(1000) = 10, IP_VS_MH_TAB_BITS = 6: rshift 4; turns 1000 >> 4 = 62 and 1 >> 4 = 0 -> 1
        Assert.Equal(4, mh.RShift);
        // laps of 63: 64 laps = 4032, 61 left, all taken by A on its turn
        Assert.Equal(64 * 62 + 61, Count(s, "A"));
        Assert.Equal(64, Count(s, "B"));
    }

    [Fact]
    public void LookupHashesTheClientAddressIntoTheTable()
    {
        var s = Service(LvsSchedulerFlags.None, ("A", 1), ("B", 2), ("C", 1));
        var table = ReferenceTable(s.List);
        for (uint c = 0; c < 3000; c++)
        {
            uint client = 0xC0A80000u + c * 13;
            var expected = table[ReferenceSlot(client, 0)];
            Assert.Equal(s.NameOf(expected), s.Pick(From(client, (ushort)(c * 7))));
        }
    }

    [Fact]
    public void MhPortHashesTheClientPortToo()
    {
        var s = Service(LvsSchedulerFlags.Port, ("A", 1), ("B", 1), ("C", 1));
        var table = ReferenceTable(s.List);
        var seen = new HashSet<string>();
        for (ushort p = 1000; p < 1300; p++)
        {
            var expected = table[ReferenceSlot(0x0A000063, p)];
            string got = s.Pick(From(0x0A000063, p));
            Assert.Equal(s.NameOf(expected), got);
            seen.Add(got);
        }
        Assert.Equal(3, seen.Count); // one client spreads over all servers by port
    }

    [Fact]
    public void QuiescingKeepsTheTableThanksToLastWeight()
    {
        var s = Service(LvsSchedulerFlags.None, ("A", 3), ("B", 2), ("C", 1));
        var before = Lookup(s);
        s.SetWeight("B", 0);
        var after = Lookup(s);
        Assert.Equal(before, after);
        Assert.Equal(2, s["B"].LastWeight);

        // clients that hashed to B now get nothing; the others keep their server
        int toB = 0;
        for (uint c = 0; c < 2000; c++)
        {
            uint client = 0x0A140000u + c;
            var owner = before[ReferenceSlot(client, 0)]!;
            string got = s.Pick(From(client));
            if (s.NameOf(owner) == "B") { Assert.Equal("-", got); toB++; }
            else Assert.Equal(s.NameOf(owner), got);
        }
        Assert.True(toB > 0);

        s.SetWeight("B", 2); // back in service: still the same table
        Assert.Equal(before, Lookup(s));
    }

    [Fact]
    public void ADestinationAddedWithWeightZeroTakesNoEntries()
    {
        var s = Service(LvsSchedulerFlags.None, ("A", 1), ("Z", 0), ("B", 1));
        Assert.Equal(0, Count(s, "Z"));
        Assert.Equal(4093, Count(s, "A") + Count(s, "B"));
    }

    [Fact]
    public void NoPositiveLastWeightEmptiesTheTable()
    {
        var s = Service(LvsSchedulerFlags.Fallback, ("A", 0), ("B", 0));
        Assert.All(Lookup(s), Assert.Null);
        Assert.Equal("-", s.Pick(From(0x0A000063)));
        var t = new FakeService(new MaglevHashingScheduler());
        t.Scheduler.OnDestinationsChanged(t.List, null);
        Assert.Equal("-", t.Pick(From(0x0A000063)));
    }

    [Fact]
    public void MhFallbackProbesOnwardAsTheKernelDoes()
    {
        var s = Service(LvsSchedulerFlags.Fallback, ("A", 1), ("B", 1), ("C", 1), ("D", 1));
        s.SetWeight("B", 0);
        s["C"].Overloaded = true;
        var table = ReferenceTable(s.List);
        int moved = 0;
        for (uint c = 0; c < 3000; c++)
        {
            uint client = 0x0A1E0000u + c * 3;
            int ihash = ReferenceSlot(client, 0);
            Destination? expected = table[ihash];
            if (expected!.Weight <= 0 || expected.Overloaded)
            {
                moved++;
                expected = null;
                for (uint off = 0; off < 4093 && expected is null; off++)
                {
                    var d = table[ReferenceSlot(client, 0, (off + (uint)ihash) % 4093)]!;
                    if (d.Weight > 0 && !d.Overloaded)
                        expected = d;
                }
            }
            string got = s.Pick(From(client));
            Assert.Equal(s.NameOf(expected), got);
            Assert.True(got is "A" or "D");
        }
        Assert.True(moved > 1000);
    }

    [Fact]
    public void RemovingOneOfEqualServersReassignsItsEntriesAndDisturbsFewOthers()
    {
        var s = new FakeService(new MaglevHashingScheduler());
        for (int i = 0; i < 10; i++)
            s.Add("S" + i, 1);
        var before = Lookup(s);
        var gone = s["S4"];
        s.Remove("S4");
        var after = Lookup(s);
        Assert.DoesNotContain(gone, after);
        int others = 0;
        for (int i = 0; i < before.Length; i++)
            if (!ReferenceEquals(before[i], gone) && !ReferenceEquals(before[i], after[i]))
                others++;
        // Maglev is close to, not exactly, minimal disruption: a few entries of the others move too.
        Assert.True(others < before.Length / 20, $"{others} entries of the remaining servers moved");
        Assert.Equal(ReferenceTable(s.List), after);
    }

    [Fact]
    public void OtherTableSizesFollowThePrimeList()
    {
        var mh = new MaglevHashingScheduler(LvsSchedulerFlags.None, tableIndex: 8);
        Assert.Equal(251, mh.TableSize);
        Assert.Equal(65521, new MaglevHashingScheduler(LvsSchedulerFlags.None, 16).TableSize);
        Assert.Throws<ArgumentOutOfRangeException>(() => new MaglevHashingScheduler(LvsSchedulerFlags.None, 18));

        var s = FakeService.WithList(mh, ("A", 1), ("B", 1));
        Assert.Equal(ReferenceTable(s.List, 251, 4), mh.Lookup.ToArray());
    }

    [Fact]
    public void IPv6DestinationsHashTheirFoldedAddress()
    {
        var a = new Destination(IPAddress.Parse("2001:db8::10"), 80, LvsForwarding.Route, 1);
        var b = new Destination(IPAddress.Parse("2001:db8::11"), 80, LvsForwarding.Route, 1);
        var list = new List<Destination> { a, b };
        var mh = new MaglevHashingScheduler();
        mh.OnDestinationsChanged(list, null);
        Assert.Equal(ReferenceTable(list), mh.Lookup.ToArray());
    }
}
