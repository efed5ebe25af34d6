namespace LvsPS.Ipvs.Tests.Scheduling;

public class SourceHashingSchedulerTests
{
    private static SchedulingContext From(uint client, ushort port = 40000)
        => new(client, port, 0x0AFA0065, 80, 0);

    private static string Table(FakeService s) =>
        string.Concat(((SourceHashingScheduler)s.Scheduler).Buckets.Select(s.NameOf));

    [Fact]
    public void EachDestinationFillsWeightConsecutiveBucketsInListOrder()
    {
        var s = FakeService.WithList(new SourceHashingScheduler(), ("A", 2), ("B", 1));
        string expected = string.Concat(Enumerable.Range(0, 256).Select(i => i % 3 < 2 ? "A" : "B"));
        Assert.Equal(expected, Table(s));
    }

    [Fact]
    public void AWeightZeroDestinationStillTakesOneBucketPerLap()
    {
        // ++count >= weight holds at once for weight 0.
        var s = FakeService.WithList(new SourceHashingScheduler(), ("A", 2), ("Z", 0), ("B", 1));
        Assert.StartsWith("AAZBAAZBAAZB", Table(s));
        Assert.Equal(64, Table(s).Count(c => c == 'Z'));
    }

    [Fact]
    public void NewestDestinationFillsFirstAndChangesRebuildTheTable()
    {
        var s = new FakeService(new SourceHashingScheduler());
        s.Add("A", 1);
        Assert.Equal(new string('A', 256), Table(s));
        s.Add("B", 3); // list B, A
        Assert.StartsWith("BBBABBBA", Table(s));
        s.SetWeight("A", 2);
        Assert.StartsWith("BBBAABBBAA", Table(s));
        s.Remove("B");
        Assert.Equal(new string('A', 256), Table(s));
    }

    [Theory]
    // bucket = hash_32(client, 8) (worked out separately); table with weights A=2, B=1: bucket % 3 < 2 -> A, else B
    [InlineData(0x0A000063u, "A")] // 10.0.0.99   -> bucket 150
    [InlineData(0xC0A80001u, "A")] // 192.168.0.1 -> bucket 192
    [InlineData(0xC0A80002u, "A")] // 192.168.0.2 -> bucket 34
    [InlineData(0xC0A80003u, "B")] // 192.168.0.3 -> bucket 131
    public void TheClientAddressPicksTheBucket(uint client, string expected)
    {
        var s = FakeService.WithList(new SourceHashingScheduler(), ("A", 2), ("B", 1));
        Assert.Equal(expected, s.Pick(From(client)));
        // without sh-port the client port does not matter
        for (ushort p = 1; p < 2000; p += 97)
            Assert.Equal(expected, s.Pick(From(client, p)));
    }

    [Fact]
    public void EveryClientMapsAsHash32SaysInAFullSweep()
    {
        var s = FakeService.WithList(new SourceHashingScheduler(), ("A", 3), ("B", 1), ("C", 2));
        string pattern = "AAABCC";
        for (uint a = 0xC0A80000; a < 0xC0A80000 + 5000; a += 7)
        {
            uint bucket = ReferenceSipHash.Hash32(a, 8);
            Assert.Equal(pattern[(int)(bucket % 6)].ToString(), s.Pick(From(a)));
        }
    }

    [Fact]
    public void ShPortAddsTheClientPortToTheKey()
    {
        var s = FakeService.WithList(new SourceHashingScheduler(LvsSchedulerFlags.Port), ("A", 2), ("B", 1));
        // hash_32(0x0A000063 + port, 8): 40000 -> 58 (A), 40001 -> 156 (A), 40002 -> 254 (B), 40003 -> 95 (B)
        Assert.Equal("A", s.Pick(From(0x0A000063, 40000)));
        Assert.Equal("A", s.Pick(From(0x0A000063, 40001)));
        Assert.Equal("B", s.Pick(From(0x0A000063, 40002)));
        Assert.Equal("B", s.Pick(From(0x0A000063, 40003)));
    }

    [Fact]
    public void AnUnavailableBucketGivesNoDestinationWithoutFallback()
    {
        var s = FakeService.WithList(new SourceHashingScheduler(), ("A", 1), ("B", 1), ("C", 1));
        // 192.168.0.3 -> bucket 131 -> 131 % 3 = 2 -> C
        Assert.Equal("C", s.Pick(From(0xC0A80003)));
        s["C"].Overloaded = true;
        Assert.Equal("-", s.Pick(From(0xC0A80003)));
        s["C"].Overloaded = false;
        s.SetWeight("C", 0); // the rebuild keeps C in one bucket per lap: the same table
        Assert.Equal("-", s.Pick(From(0xC0A80003)));
        Assert.Equal("B", s.Pick(From(0xC0A80002))); // bucket 34 -> B, unaffected
    }

    [Fact]
    public void ShFallbackProbesFromTwiceTheOriginalHash()
    {
        var s = FakeService.WithList(new SourceHashingScheduler(LvsSchedulerFlags.Fallback), ("A", 1), ("B", 1), ("C", 1));
        s["C"].Overloaded = true;
        // ihash 131; probe offset 0: roffset 131, bucket (131 + 131) & 255 = 6 -> A
        Assert.Equal("A", s.Pick(From(0xC0A80003)));
        s["A"].Overloaded = true;
        // offset 1: bucket 7 -> B
        Assert.Equal("B", s.Pick(From(0xC0A80003)));
        s["B"].Overloaded = true;
        Assert.Equal("-", s.Pick(From(0xC0A80003)));
    }

    [Fact]
    public void ShFallbackAgreesWithAStraightforwardProbeForEveryBucket()
    {
        var s = FakeService.WithList(new SourceHashingScheduler(LvsSchedulerFlags.Fallback | LvsSchedulerFlags.Port),
            ("A", 2), ("B", 1), ("C", 3), ("D", 1));
        s["C"].Weight = 0;       // quiesced without a rebuild: still in its buckets
        s["A"].Overloaded = true;
        var table = ((SourceHashingScheduler)s.Scheduler).Buckets.ToArray();
        for (ushort port = 1000; port < 3000; port += 3)
        {
            uint client = 0x0A0A0000u + port;
            uint h = ReferenceSipHash.Hash32(client + port, 8);
            Destination? expected = table[h];
            if (expected!.Weight <= 0 || expected.Overloaded)
            {
                expected = null;
                for (uint k = 0; k < 256 && expected is null; k++)
                {
                    var d = table[(2 * h + k) % 256]!;
                    if (d.Weight > 0 && !d.Overloaded)
                        expected = d;
                }
            }
            Assert.Equal(s.NameOf(expected), s.Pick(From(client, port)));
        }
    }

    [Fact]
    public void NoDestinationsGivesNull()
    {
        var s = new FakeService(new SourceHashingScheduler(LvsSchedulerFlags.Fallback));
        s.Scheduler.OnDestinationsChanged(s.List, null);
        Assert.Equal("-", s.Pick(From(1)));
    }
}

public class DestinationHashingSchedulerTests
{
    private static SchedulingContext To(uint destination, uint client = 0x0A000063, ushort port = 40000)
        => new(client, port, destination, 80, 0);

    [Fact]
    public void BucketsGoRoundRobinIgnoringWeights()
    {
        var s = FakeService.WithList(new DestinationHashingScheduler(), ("A", 5), ("B", 1), ("C", 2));
        var table = string.Concat(((DestinationHashingScheduler)s.Scheduler).Buckets.Select(s.NameOf));
        Assert.Equal(string.Concat(Enumerable.Range(0, 256).Select(i => "ABC"[i % 3].ToString())), table);
    }

    [Theory]
    // hash_32(destination, 8) worked out separately; table A B C A B C ...
    [InlineData(0x0AFA0065u, "A")] // 10.250.0.101 -> bucket 123 -> 0
    [InlineData(0xC0A80001u, "A")] // bucket 192 -> 0
    [InlineData(0xC0A80002u, "B")] // bucket 34 -> 1
    [InlineData(0xC0A80003u, "C")] // bucket 131 -> 2
    public void TheSameDestinationAddressAlwaysGoesToTheSameServer(uint destination, string expected)
    {
        var s = FakeService.WithList(new DestinationHashingScheduler(), ("A", 1), ("B", 1), ("C", 1));
        for (uint c = 0; c < 50; c++)
            Assert.Equal(expected, s.Pick(To(destination, 0x0A000000u + c * 7919, (ushort)(1024 + c))));
    }

    [Fact]
    public void AnUnavailableServerMeansNoDestination()
    {
        var s = FakeService.WithList(new DestinationHashingScheduler(), ("A", 1), ("B", 1), ("C", 1));
        s["C"].Overloaded = true;
        Assert.Equal("-", s.Pick(To(0xC0A80003)));
        s["C"].Overloaded = false;
        s.SetWeight("C", 0);
        Assert.Equal("-", s.Pick(To(0xC0A80003)));
        Assert.Equal("B", s.Pick(To(0xC0A80002)));
        s.SetWeight("C", 7); // an edit keeps the table
        Assert.Equal("C", s.Pick(To(0xC0A80003)));
    }

    [Fact]
    public void RemovingAServerRebuildsTheRoundRobinTable()
    {
        var s = FakeService.WithList(new DestinationHashingScheduler(), ("A", 1), ("B", 1), ("C", 1));
        s.Remove("A"); // B C B C ...: bucket 131 -> odd -> C, 34 -> B
        Assert.Equal("C", s.Pick(To(0xC0A80003)));
        Assert.Equal("B", s.Pick(To(0xC0A80002)));
        s.Remove("B");
        s.Remove("C");
        Assert.Equal("-", s.Pick(To(0xC0A80002)));
    }
}
