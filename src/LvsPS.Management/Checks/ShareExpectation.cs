using LvsPS.Ipvs.Director;

namespace LvsPS.Management.Checks;

/// <summary>
/// What a scheduler promises for a probe of n sequential short connections (or HTTP requests, each on a new
/// connection) from one client, and how far the observed counts may stray from it. Pure arithmetic over a
/// service's listing, so it is unit-tested apart from any traffic.
/// </summary>
public sealed class ShareExpectation
{
    /// <summary>The share (0..1) each real server ("address:port") should get; for <see cref="OneServer"/>, null.</summary>
    public IReadOnlyDictionary<string, double>? Shares { get; init; }
    /// <summary>The scheduler sends one client (one destination) to one server: all requests to one of them, any.</summary>
    public bool OneServer { get; init; }
    /// <summary>The promise in words, for the result's message.</summary>
    public string Promise { get; init; } = "";

    /// <summary>
    /// The tolerance of a count whose promised share is <paramref name="p"/> of <paramref name="n"/> requests:
    /// three binomial standard deviations, at least one request (|observed − n·p| ≤ max(3·√(n·p·(1−p)), 1)),
    /// which a fair scheduler stays within with 99.7 % probability (the deterministic ones, rr and wrr over a
    /// whole number of rounds, hit n·p exactly; the bound leaves room for other clients' connections).
    /// </summary>
    public static double Tolerance(int n, double p) => Math.Max(3 * Math.Sqrt(n * p * (1 - p)), 1);

    /// <summary>Whether <paramref name="observed"/> is within <see cref="Tolerance"/> of n·p.</summary>
    public static bool Within(long observed, int n, double p) => Math.Abs(observed - n * p) <= Tolerance(n, p) + 1e-9;

    /// <summary>
    /// The promise of <paramref name="s"/>'s scheduler over the real servers that take new connections (weight &gt; 0
    /// and not overloaded), as the kernel's schedulers behave for sequential short connections from one client:
    /// each closed probe connection counts as inactive, none stays active.
    /// </summary>
    public static ShareExpectation For(LvsService s)
    {
        var live = s.RealServers.Where(r => r.Weight > 0 && !r.Overloaded).ToList();
        string Key(LvsRealServer r) => r.ToString();
        if (live.Count == 0) return new ShareExpectation { Shares = new Dictionary<string, double>(), Promise = "no real server takes new connections" };
        ShareExpectation Even(string why) => new()
        {
            Shares = s.RealServers.ToDictionary(Key, r => live.Contains(r) ? 1.0 / live.Count : 0),
            Promise = why,
        };
        ShareExpectation Weighted(string why)
        {
            double total = live.Sum(r => (double)r.Weight);
            return new() { Shares = s.RealServers.ToDictionary(Key, r => live.Contains(r) ? r.Weight / total : 0), Promise = why };
        }
        ShareExpectation AllTo(LvsRealServer one, string why) => new()
        {
            Shares = s.RealServers.ToDictionary(Key, r => ReferenceEquals(r, one) ? 1.0 : 0),
            Promise = why,
        };
        // fo, ovf and sed take the highest weight, the first in list order (newest first) on a tie: the kernel
        // replaces its pick only on a strictly better one.
        LvsRealServer Heaviest() => live.Aggregate((best, r) => r.Weight > best.Weight ? r : best);
        bool port = s.SchedulerFlags.HasFlag(LvsSchedulerFlags.Port);
        return s.Scheduler switch
        {
            LvsScheduler.Rr => Even("rr: an equal share to each real server with weight > 0 (rr ignores the weights' values)"),
            LvsScheduler.Wrr => Weighted("wrr: weight ÷ Σ weights"),
            LvsScheduler.Lc => Even("lc: the fewest connections (active × 256 + inactive), so closed probe connections spread evenly, weights aside"),
            LvsScheduler.Wlc => Weighted("wlc: the fewest connections per weight, so closed probe connections spread as weight ÷ Σ weights"),
            LvsScheduler.Twos => Weighted("twos: the less loaded of two servers drawn by weight, about weight ÷ Σ weights"),
            LvsScheduler.Sed => AllTo(Heaviest(), "sed: (active + 1) ÷ weight with no active probe connection, so all to the highest weight"),
            LvsScheduler.Fo => AllTo(Heaviest(), "fo: all to the highest weight"),
            LvsScheduler.Ovf => AllTo(Heaviest(), "ovf: all to the highest weight while its active connections stay within its weight"),
            LvsScheduler.Nq => AllTo(live[0], "nq: an idle server first (the first in list order), so all to it"),
            LvsScheduler.Sh or LvsScheduler.Mh when port => Weighted($"{s.Scheduler.ToString().ToLowerInvariant()}-port: the client port hashed, so about weight ÷ Σ weights"),
            _ => new ShareExpectation
            {
                OneServer = true,
                Promise = $"{s.Scheduler.ToString().ToLowerInvariant()}: one client (one destination) to one real server, so all to one of them",
            },
        };
    }

    /// <summary>
    /// The real servers whose observed count is off the promise (for <see cref="OneServer"/>: every server but the
    /// busiest one that got any), and the samples the report draws. <paramref name="observed"/> maps "address:port"
    /// to the requests attributed to it; <paramref name="n"/> is the requests that succeeded.
    /// </summary>
    public (List<string> Off, LvsShareSample[] Samples) Evaluate(LvsService s, IReadOnlyDictionary<string, long> observed, int n)
    {
        var off = new List<string>();
        var samples = new List<LvsShareSample>();
        var shares = Shares;
        if (OneServer)
        {
            var top = s.RealServers.OrderByDescending(r => observed.GetValueOrDefault(r.ToString())).FirstOrDefault();
            shares = s.RealServers.ToDictionary(r => r.ToString(), r => ReferenceEquals(r, top) ? 1.0 : 0);
        }
        foreach (var r in s.RealServers)
        {
            var key = r.ToString();
            var p = shares!.GetValueOrDefault(key);
            var got = observed.GetValueOrDefault(key);
            if (n > 0 && !Within(got, n, p)) off.Add(key);
            samples.Add(new LvsShareSample { RealServer = key, Weight = r.Weight, ExpectedShare = p, Observed = got, ObservedShare = n == 0 ? 0 : (double)got / n });
        }
        return (off, samples.ToArray());
    }
}
