using static LvsPS.Engine.Tests.PacketKit;

namespace LvsPS.Engine.Tests;

/// <summary>
/// The rate estimator (the kernel's ip_vs_est) driven through Tick with the fake clock: steady traffic, decay, Zero.
/// The expected values come from <see cref="Ewma"/>, the formula written out in plain arithmetic.
/// </summary>
public class EngineRateEstimatorTests
{
    /// <summary>
    /// One smoothed rate as ip_vs_est.c defines it: every 2 s the counter's increase, scaled by 2^scale, pulls the
    /// average a quarter of the way (rounded down) towards it; reading divides back to per second, rounding to the
    /// nearest (a half rounds down).
    /// </summary>
    private sealed class Ewma
    {
        private readonly long _scale, _readDivisor;
        private long _avg;
        private ulong _last;

        /// <param name="scaleBits">9 for connections and packets, 4 for bytes.</param>
        public Ewma(int scaleBits)
        {
            _scale = 1L << scaleBits;            // delta per 2 s * 2^9 = per second * 2^10 (bytes: * 2^5)
            _readDivisor = _scale * 2;
        }

        public void Step(ulong counter)
        {
            long rate = (long)(counter - _last) * _scale;
            _last = counter;
            _avg += FloorDiv(rate - _avg, 4);
        }

        public void Reset(ulong counter)
        {
            _avg = 0;
            _last = counter;
        }

        public ulong Read => (ulong)FloorDiv(_avg + _readDivisor / 2 - 1, _readDivisor);

        private static long FloorDiv(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);
    }

    /// <summary>Models for one statistics block (conns, in/out packets, in/out bytes).</summary>
    private sealed class Model
    {
        public readonly Ewma Cps = new(9), InPps = new(9), OutPps = new(9), InBps = new(4), OutBps = new(4);

        public void Step(LvsStatistics s)
        {
            Cps.Step(s.Connections);
            InPps.Step(s.InPackets);
            OutPps.Step(s.OutPackets);
            InBps.Step(s.InBytes);
            OutBps.Step(s.OutBytes);
        }

        public void AssertMatches(LvsStatistics s, string what)
        {
            Assert.True(
                (Cps.Read, InPps.Read, OutPps.Read, InBps.Read, OutBps.Read)
                == (s.ConnectionsPerSecond, s.InPacketsPerSecond, s.OutPacketsPerSecond, s.InBytesPerSecond, s.OutBytesPerSecond),
                $"{what}: expected cps/inpps/outpps/inbps/outbps {Cps.Read}/{InPps.Read}/{OutPps.Read}/{InBps.Read}/{OutBps.Read}, " +
                $"got {s.ConnectionsPerSecond}/{s.InPacketsPerSecond}/{s.OutPacketsPerSecond}/{s.InBytesPerSecond}/{s.OutBytesPerSecond}");
        }
    }

    private static EngineHarness TwoServers()
    {
        var h = Resolved(80, LvsScheduler.Rr, (Rs1, 1), (Rs2, 1));
        // The first tick runs the estimator (all counters 0); from now on it runs every 2 s.
        h.Engine.Tick();
        return h;
    }

    private ushort _nextPort = 20000;

    /// <summary>10 new connections, each with a SYN (40 bytes) and 3 data segments of 500 bytes.</summary>
    private void SteadyTraffic(EngineHarness h, int connections = 10, int dataPerConnection = 3)
    {
        for (int i = 0; i < connections; i++)
        {
            ushort port = _nextPort++;
            Assert.NotNull(h.Forward(Frame(Tcp(port, Frames.Syn))));
            for (int k = 0; k < dataPerConnection; k++) Assert.NotNull(h.Forward(Frame(Tcp(port, Frames.Ack | 0x08, 460))));
        }
    }

    /// <summary>Two one-second ticks: the estimator runs on the second.</summary>
    private static void TwoSeconds(EngineHarness h)
    {
        h.TickAfter(1);
        h.TickAfter(1);
    }

    private static LvsStatistics Raw(EngineHarness h) => h.Engine.ListServices()[0].Statistics;

    [Fact]
    public void SteadyTraffic_ConvergesAsTheKernelFormulaSays()
    {
        var h = TwoServers();
        var svc = new Model();
        var rs1 = new Model();
        var rs2 = new Model();
        var cps = new List<ulong>();

        for (int period = 0; period < 40; period++)
        {
            SteadyTraffic(h);
            TwoSeconds(h);
            var s = h.Engine.ListServices()[0];
            svc.Step(s.Statistics);
            rs1.Step(s.RealServers.Single(r => r.RealAddress.Equals(Ip(Rs1))).Statistics);
            rs2.Step(s.RealServers.Single(r => r.RealAddress.Equals(Ip(Rs2))).Statistics);

            svc.AssertMatches(s.Statistics, $"service after period {period}");
            rs1.AssertMatches(s.RealServers.Single(r => r.RealAddress.Equals(Ip(Rs1))).Statistics, $"rs1 after period {period}");
            rs2.AssertMatches(s.RealServers.Single(r => r.RealAddress.Equals(Ip(Rs2))).Statistics, $"rs2 after period {period}");
            cps.Add(s.Statistics.ConnectionsPerSecond);
        }

        // Anchors computed by hand: 10 conns per 2 s = 5120 scaled; averages 1280, 2240, 2960, 3500, 3905, 4208,
        // 4436, 4607, 4735 read (avg + 511) >> 10 as below.
        Assert.Equal(new ulong[] { 1, 2, 3, 3, 4, 4, 4, 4, 5 }, cps.Take(9));
        var final = Raw(h);
        Assert.Equal(5UL, final.ConnectionsPerSecond);             // 10 per 2 s
        Assert.Equal(20UL, final.InPacketsPerSecond);              // (10 + 30) per 2 s
        Assert.Equal(7700UL, final.InBytesPerSecond);              // (10*40 + 30*500) per 2 s
        Assert.Equal(0UL, final.OutPacketsPerSecond);              // DR
        Assert.Equal(0UL, final.OutBytesPerSecond);
        var rs = h.RealServer(Rs1).Statistics;
        Assert.Equal((2UL, 10UL, 3850UL), (rs.ConnectionsPerSecond, rs.InPacketsPerSecond, rs.InBytesPerSecond)); // 2.5 cps reads 2
    }

    [Fact]
    public void RatesChangeOnlyEveryTwoSeconds()
    {
        var h = TwoServers();
        SteadyTraffic(h);
        h.TickAfter(1);
        Assert.Equal(0UL, Raw(h).ConnectionsPerSecond);            // one second: no estimate yet

        h.TickAfter(1);
        Assert.Equal(1UL, Raw(h).ConnectionsPerSecond);            // (1280 + 511) >> 10

        SteadyTraffic(h);
        h.TickAfter(1);
        Assert.Equal(1UL, Raw(h).ConnectionsPerSecond);
        h.TickAfter(1);
        Assert.Equal(2UL, Raw(h).ConnectionsPerSecond);            // (2240 + 511) >> 10
    }

    [Fact]
    public void AfterTrafficStops_RatesDecayToZero()
    {
        var h = TwoServers();
        var m = new Model();
        for (int p = 0; p < 20; p++)
        {
            SteadyTraffic(h);
            TwoSeconds(h);
            m.Step(Raw(h));
        }
        m.AssertMatches(Raw(h), "steady");

        var seen = new List<ulong>();
        for (int p = 0; p < 40; p++)
        {
            TwoSeconds(h);
            var s = Raw(h);
            m.Step(s);
            m.AssertMatches(s, $"idle period {p}");
            seen.Add(s.InBytesPerSecond);
        }
        Assert.True(seen.Zip(seen.Skip(1)).All(x => x.Second <= x.First), "decays monotonically");
        var last = Raw(h);
        Assert.Equal((0UL, 0UL, 0UL), (last.ConnectionsPerSecond, last.InPacketsPerSecond, last.InBytesPerSecond));
    }

    [Fact]
    public void VaryingTraffic_FollowsTheFormula()
    {
        var h = TwoServers();
        var m = new Model();
        var rnd = new Random(99);
        for (int p = 0; p < 30; p++)
        {
            SteadyTraffic(h, rnd.Next(0, 25), rnd.Next(0, 5));
            TwoSeconds(h);
            m.Step(Raw(h));
            m.AssertMatches(Raw(h), $"period {p}");
        }
    }

    [Fact]
    public void Zero_ResetsTheRates_AndTheEstimateRestartsFromTheZeroedCounters()
    {
        var h = TwoServers();
        for (int p = 0; p < 15; p++)
        {
            SteadyTraffic(h);
            TwoSeconds(h);
        }
        Assert.Equal(5UL, Raw(h).ConnectionsPerSecond);

        h.Engine.Zero(null);

        var z = Raw(h);
        Assert.Equal((0UL, 0UL, 0UL, 0UL, 0UL), (z.ConnectionsPerSecond, z.InPacketsPerSecond, z.OutPacketsPerSecond, z.InBytesPerSecond, z.OutBytesPerSecond));
        Assert.Equal((0UL, 0UL, 0UL), (z.Connections, z.InPackets, z.InBytes));
        var rz = h.RealServer(Rs2).Statistics;
        Assert.Equal((0UL, 0UL, 0UL), (rz.ConnectionsPerSecond, rz.InPacketsPerSecond, rz.InBytesPerSecond));

        // The same traffic again gives the same sequence as a fresh service (no jump from the old counters).
        var m = new Model();
        var cps = new List<ulong>();
        for (int p = 0; p < 10; p++)
        {
            SteadyTraffic(h);
            TwoSeconds(h);
            m.Step(Raw(h));
            m.AssertMatches(Raw(h), $"after zero, period {p}");
            cps.Add(Raw(h).ConnectionsPerSecond);
        }
        Assert.Equal(new ulong[] { 1, 2, 3, 3, 4, 4, 4, 4, 5, 5 }, cps);
    }

    [Fact]
    public void ZeroOneService_LeavesTheOthersRates()
    {
        var h = TwoServers();
        var dns = Spec(53, LvsScheduler.Rr, LvsProtocol.Udp);
        h.AddService(dns, (Rs1, 1));
        for (int p = 0; p < 10; p++)
        {
            SteadyTraffic(h);
            for (int i = 0; i < 8; i++) h.Forward(h.Udp((ushort)(5000 + i), 72));   // 8 x 100 bytes
            TwoSeconds(h);
        }
        var before = h.Service(53, LvsProtocol.Udp).Statistics;
        Assert.True(before.InPacketsPerSecond > 0);

        h.Engine.Zero(Spec(80));

        Assert.Equal(0UL, h.Service(80).Statistics.InPacketsPerSecond);
        var after = h.Service(53, LvsProtocol.Udp).Statistics;
        Assert.Equal((before.InPacketsPerSecond, before.InBytesPerSecond), (after.InPacketsPerSecond, after.InBytesPerSecond));
    }

    [Fact]
    public void NatReplies_DriveTheOutRates()
    {
        var n = new NatHarness();
        n.Service(80, LvsProtocol.Tcp, (1, 8080));
        n.Engine.Tick();
        var m = new Model();
        ushort port = 30000;
        for (int p = 0; p < 50; p++)
        {
            for (int i = 0; i < 6; i++, port++)
            {
                Assert.NotNull(n.FromClient(Frame(Tcp(port, Frames.Syn))));
                Assert.NotNull(n.FromServer(Frame(n.Reply(1, 8080, port, Frames.Syn | Frames.Ack))));
                for (int k = 0; k < 4; k++)
                    Assert.NotNull(n.FromServer(Frame(n.Reply(1, 8080, port, Frames.Ack | 0x08, 1400))));
            }
            n.H.AdvanceSeconds(2);
            n.Engine.Tick();
            var s = n.H.Service().Statistics;
            m.Step(s);
            m.AssertMatches(s, $"period {p}");
        }
        var last = n.H.Service().Statistics;
        Assert.Equal(3UL, last.ConnectionsPerSecond);               // 6 per 2 s
        Assert.Equal(15UL, last.OutPacketsPerSecond);               // 30 per 2 s
        Assert.Equal(17400UL, last.OutBytesPerSecond);              // (6*40 + 24*1440) per 2 s
        Assert.Equal(120UL, last.InBytesPerSecond);                 // 6 SYNs of 40 bytes per 2 s
        Assert.Equal(3UL, last.InPacketsPerSecond);
    }
}
