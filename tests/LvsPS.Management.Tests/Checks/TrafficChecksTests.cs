using LvsPS.Management.Checks;

namespace LvsPS.Management.Tests.Checks;

/// <summary>The traffic checks' arithmetic: each scheduler's promise, the binomial tolerance, the evaluation and thresholds.</summary>
public sealed class TrafficChecksTests
{
    private static LvsService Service(LvsScheduler scheduler, params int[] weights)
    {
        var s = new LvsService { VirtualAddress = IPAddress.Parse("10.0.0.100"), Port = 80, Scheduler = scheduler };
        for (var i = 0; i < weights.Length; i++)
            s.RealServers.Add(new LvsRealServer(s) { RealAddress = IPAddress.Parse($"10.0.0.{11 + i}"), RealPort = 80, Weight = weights[i] });
        return s;
    }

    [Theory]
    [InlineData(LvsScheduler.Rr, new[] { 1, 3 }, new[] { 0.5, 0.5 })]
    [InlineData(LvsScheduler.Rr, new[] { 1, 0, 5 }, new[] { 0.5, 0, 0.5 })]
    [InlineData(LvsScheduler.Wrr, new[] { 1, 3 }, new[] { 0.25, 0.75 })]
    [InlineData(LvsScheduler.Wlc, new[] { 2, 2, 4 }, new[] { 0.25, 0.25, 0.5 })]
    [InlineData(LvsScheduler.Lc, new[] { 1, 4 }, new[] { 0.5, 0.5 })]
    [InlineData(LvsScheduler.Fo, new[] { 1, 5, 5 }, new[] { 0, 1.0, 0 })]
    [InlineData(LvsScheduler.Sed, new[] { 2, 1 }, new[] { 1.0, 0 })]
    [InlineData(LvsScheduler.Ovf, new[] { 1, 3 }, new[] { 0, 1.0 })]
    [InlineData(LvsScheduler.Nq, new[] { 0, 1, 9 }, new[] { 0, 1.0, 0 })]
    public void Shares_FollowTheScheduler(LvsScheduler scheduler, int[] weights, double[] shares)
    {
        var e = ShareExpectation.For(Service(scheduler, weights));
        Assert.False(e.OneServer);
        Assert.Equal(shares, Service(scheduler, weights).RealServers.Select(r => e.Shares![r.ToString()]).ToArray());
    }

    [Fact]
    public void AnOverloadedServer_GetsNoShare()
    {
        var s = Service(LvsScheduler.Wrr, 1, 3);
        s.RealServers[1].Overloaded = true;
        Assert.Equal(1.0, ShareExpectation.For(s).Shares!["10.0.0.11:80"]);
    }

    [Theory]
    [InlineData(LvsScheduler.Sh)]
    [InlineData(LvsScheduler.Dh)]
    [InlineData(LvsScheduler.Lblc)]
    [InlineData(LvsScheduler.Lblcr)]
    [InlineData(LvsScheduler.Mh)]
    public void HashingAndLocality_PromiseAllToOne(LvsScheduler scheduler) =>
        Assert.True(ShareExpectation.For(Service(scheduler, 1, 1)).OneServer);

    [Fact]
    public void ShWithThePortFlag_SpreadsByWeight()
    {
        var s = Service(LvsScheduler.Sh, 1, 3);
        s.SchedulerFlags = LvsSchedulerFlags.Port;
        Assert.Equal(0.75, ShareExpectation.For(s).Shares!["10.0.0.12:80"]);
    }

    [Theory]
    [InlineData(40, 0.5, 9.4868)]   // 3·√10
    [InlineData(40, 0.25, 8.2158)]  // 3·√7.5
    [InlineData(10, 0.0, 1)]        // at least one request
    [InlineData(10, 1.0, 1)]
    public void Tolerance_IsThreeSigmaAtLeastOne(int n, double p, double bound) =>
        Assert.Equal(bound, ShareExpectation.Tolerance(n, p), 3);

    [Theory]
    [InlineData(20, 20, true)]
    [InlineData(29, 11, true)]    // 29 − 20 = 9 ≤ 9.49
    [InlineData(30, 10, false)]   // 10 > 9.49
    [InlineData(40, 0, false)]
    public void Evaluate_NamesTheServersOffTheirShare(long first, long second, bool within)
    {
        var s = Service(LvsScheduler.Rr, 1, 1);
        var (off, samples) = ShareExpectation.For(s).Evaluate(s, new Dictionary<string, long> { ["10.0.0.11:80"] = first, ["10.0.0.12:80"] = second }, 40);
        Assert.Equal(within ? Array.Empty<string>() : new[] { "10.0.0.11:80", "10.0.0.12:80" }, off.ToArray());
        Assert.Equal(first / 40.0, samples[0].ObservedShare);
        Assert.Equal(0.5, samples[0].ExpectedShare);
        Assert.Equal(1, samples[0].Weight);
    }

    [Fact]
    public void Evaluate_OneServer_IsOffWhenTwoGotRequests()
    {
        var s = Service(LvsScheduler.Sh, 1, 1);
        var e = ShareExpectation.For(s);
        Assert.Empty(e.Evaluate(s, new Dictionary<string, long> { ["10.0.0.12:80"] = 10 }, 10).Off);
        var (off, samples) = e.Evaluate(s, new Dictionary<string, long> { ["10.0.0.11:80"] = 3, ["10.0.0.12:80"] = 7 }, 10);
        Assert.Equal(new[] { "10.0.0.11:80", "10.0.0.12:80" }, off.ToArray());
        Assert.Equal(new[] { 0.0, 1.0 }, samples.Select(x => x.ExpectedShare).ToArray());
    }

    [Theory]
    [InlineData(0, 0, 0, 0, LvsCheckResultKind.NotApplicable)]
    [InlineData(4, 0, 1, 1, LvsCheckResultKind.Passed)]
    [InlineData(4, 0, 2, 1, LvsCheckResultKind.Warning)]   // lower = 4 − 4/4 = 3
    [InlineData(4, 0, 3, 1, LvsCheckResultKind.Failed)]    // 4 ≥ upper
    [InlineData(10, 2, 1, 0, LvsCheckResultKind.Passed)]
    [InlineData(10, 2, 1, 1, LvsCheckResultKind.Warning)]  // 2 ≥ an explicit lower threshold
    public void Thresholds_FollowTheKernelsOverloadRule(int upper, int lower, int active, int inactive, LvsCheckResultKind kind)
    {
        var r = new LvsRealServer { UpperThreshold = upper, LowerThreshold = lower, ActiveConnections = active, InactiveConnections = inactive };
        Assert.Equal(kind, ClusterChecks.ThresholdState(r).Kind);
    }

    [Theory]
    [InlineData("<p>rs1 10.0.0.11, lab x</p>", "10.0.0.11:80")]
    [InlineData("<p>rs2 10.0.0.12</p>", "10.0.0.12:80")]
    [InlineData("<p>10.0.0.111</p>", null)]
    [InlineData("hello", null)]
    public void ServerOfBody_NeedsExactlyOneAddress(string body, string? server) =>
        Assert.Equal(server, ClusterChecks.ServerOfBody(Service(LvsScheduler.Rr, 1, 1), body));
}
