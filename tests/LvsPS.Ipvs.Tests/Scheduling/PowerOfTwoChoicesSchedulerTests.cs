namespace LvsPS.Ipvs.Tests.Scheduling;

public class PowerOfTwoChoicesSchedulerTests
{
    /// <summary>A random source that replays given numbers and records the ceilings asked for.</summary>
    private sealed class Scripted
    {
        private readonly Queue<uint> _values = new();
        public readonly List<uint> Ceilings = new();
        public void Push(params uint[] v) { foreach (var x in v) _values.Enqueue(x); }
        public uint Next(uint ceiling)
        {
            Ceilings.Add(ceiling);
            uint v = _values.Dequeue();
            Assert.True(v < ceiling);
            return v;
        }
    }

    private static (FakeService S, Scripted R) Service(params (string, int)[] list)
    {
        var r = new Scripted();
        return (FakeService.WithList(new PowerOfTwoChoicesScheduler(r.Next), list), r);
    }

    [Theory]
    // weights A 1, B 2, C 3: total 6 + 1 = 7; r - 1 <= 0 -> A (r 0, 1), then r - 3 <= 0 -> B (2, 3), else C (4, 5, 6)
    [InlineData(0u, "A")]
    [InlineData(1u, "A")]
    [InlineData(2u, "B")]
    [InlineData(3u, "B")]
    [InlineData(4u, "C")]
    [InlineData(5u, "C")]
    [InlineData(6u, "C")]
    public void EachDrawFallsOnTheDestinationWhereTheRunningWeightReachesZero(uint r, string expected)
    {
        var (s, rnd) = Service(("A", 1), ("B", 2), ("C", 3));
        rnd.Push(r, r); // both choices the same: no load, choice 1
        Assert.Equal(expected, s.Pick());
        Assert.Equal(new uint[] { 7, 7 }, rnd.Ceilings);
    }

    [Fact]
    public void TheSecondChoiceWinsOnlyWithAStrictlyLowerWeightedLoad()
    {
        var (s, rnd) = Service(("A", 1), ("B", 2), ("C", 3));
        rnd.Push(0, 6);                 // A vs C, both idle: 3 * 0 > 1 * 0 is false -> A
        Assert.Equal("A", s.Pick());
        s["A"].ActiveConnections = 1;   // A 256
        rnd.Push(0, 6);                 // 3 * 256 > 1 * 0 -> C
        Assert.Equal("C", s.Pick());
        rnd.Push(6, 0);                 // choice 1 C (0), choice 2 A: 1 * 0 > 3 * 256 false -> C
        Assert.Equal("C", s.Pick());
        s["C"].InactiveConnections = 768; // C 768 / 3 == A 256 / 1: tie keeps choice 1
        rnd.Push(0, 6);
        Assert.Equal("A", s.Pick());
        rnd.Push(6, 0);
        Assert.Equal("C", s.Pick());
    }

    [Fact]
    public void OverloadedAndQuiescedDestinationsAreLeftOutOfTheDraw()
    {
        var (s, rnd) = Service(("A", 4), ("B", 0), ("C", 2), ("D", 1));
        s["A"].Overloaded = true;
        rnd.Push(2, 3);                 // total 2 + 1 + 1 = 4; 2 - 2 <= 0 -> C, 3 - 2 = 1, 1 - 1 <= 0 -> D
        s["C"].ActiveConnections = 1;   // C 256 / 2, D 0 / 1 -> D
        Assert.Equal("D", s.Pick());
        Assert.Equal(new uint[] { 4, 4 }, rnd.Ceilings);
    }

    [Fact]
    public void NothingAvailableDrawsNothing()
    {
        var (s, rnd) = Service(("A", 0), ("B", 3));
        s["B"].Overloaded = true;
        Assert.Equal("-", s.Pick());
        Assert.Empty(rnd.Ceilings);
    }

    [Fact]
    public void ASeededRandomGivesTheSameChoicesAsTheRuleAppliedByHand()
    {
        var s = FakeService.WithList(new PowerOfTwoChoicesScheduler(new Random(1234)),
            ("A", 5), ("B", 1), ("C", 3), ("D", 2));
        var rnd = new Random(1234);
        var loads = new Dictionary<string, int> { ["A"] = 0, ["B"] = 0, ["C"] = 0, ["D"] = 0 };
        var weights = new Dictionary<string, int> { ["A"] = 5, ["B"] = 1, ["C"] = 3, ["D"] = 2 };
        // cumulative ranges of r over [0, 12): A takes 0..5, B 6, C 7..9, D 10..11
        string Owner(long r) => r <= 5 ? "A" : r <= 6 ? "B" : r <= 9 ? "C" : "D";
        for (int i = 0; i < 500; i++)
        {
            string c1 = Owner(rnd.NextInt64(12)), c2 = Owner(rnd.NextInt64(12));
            long o1 = loads[c1] * 256L, o2 = loads[c2] * 256L;
            string expected = weights[c2] * o1 > weights[c1] * o2 ? c2 : c1;
            string got = s.Pick();
            Assert.Equal(expected, got);
            loads[got]++;
            s[got].ActiveConnections = loads[got];
        }
        // the loads end up near the weights
        Assert.True(loads["A"] > loads["C"] && loads["C"] > loads["D"] && loads["D"] > loads["B"]);
    }
}
