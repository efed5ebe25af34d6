using LvsPS.Ipvs.Director;
using LvsPS.Management.Lab;
using LvsPS.Management.Remote;

namespace LvsPS.Management.Checks;

// Traffic through the VIP: new connections reach the real servers as the scheduler promises, a persistent
// service keeps a client on one real server, and no real server sits at its connection threshold.
public static partial class ClusterChecks
{
    public const string ServiceDistribution = "ServiceDistribution";
    public const string ServicePersistence = "ServicePersistence";
    public const string RealServerThresholds = "RealServerThresholds";

    /// <summary>The traffic checks.</summary>
    private static IEnumerable<LvsCheckInfo> TrafficCatalogue => new[]
    {
        new LvsCheckInfo { Check = ServiceDistribution, Category = "Network", Description = "Requests through each TCP VIP spread over the real servers as the scheduler and weights promise, within a binomial 3-sigma tolerance.", SendsTraffic = true },
        new LvsCheckInfo { Check = ServicePersistence, Category = "Network", Description = "Repeated connections from one client to a persistent service (ipvsadm -p) land on one real server.", SendsTraffic = true },
        new LvsCheckInfo { Check = RealServerThresholds, Category = "RealServer", Description = "No real server is at or over its upper connection threshold (ipvsadm -x), none near it." },
    };

    /// <summary>Ports whose probes are HTTP GETs (the others are plain TCP connects).</summary>
    private static readonly int[] HttpPorts = { 80, 8000, 8080 };

    private static IEnumerable<LvsCheckResult> TrafficChecks(CheckContext c)
    {
        var tcp = c.Services.Where(s => s.Protocol == LvsProtocol.Tcp && s.FirewallMark == 0).ToList();
        if (c.Want(ServiceDistribution))
            foreach (var s in tcp)
                yield return CheckDistribution(c, s);
        if (c.Want(ServicePersistence))
            foreach (var s in tcp)
                yield return CheckPersistence(c, s);
        if (c.Want(RealServerThresholds))
            foreach (var s in c.Services)
                yield return CheckThresholds(c, s);
    }

    /// <summary>The client probes are sent from: the named client, else a kernel director itself (IPVS schedules
    /// its locally generated connections), else null (an lvsd director schedules only what arrives on its link).</summary>
    private static ICheckHost? ProbeHost(CheckContext c) => c.ClientHost ?? (c.IsKernel ? c.DirectorHost : null);

    private const string NoClientRemedy = "Give Test-LvsCluster -ClientComputerName <a host on the VIP's segment> -KeyFile <key> (an lvsd director does not schedule connections it opens itself).";

    /// <summary>A real server as results name it: "rs1 (10.0.0.11:80)" in a lab, else "10.0.0.11:80".</summary>
    private static string RsName(CheckContext c, string key)
    {
        var host = key[..key.LastIndexOf(':')];
        var node = IPAddress.TryParse(host, out var a) ? c.LabNodeAt(a) : null;
        return node is null ? key : $"{node.Name} ({key})";
    }

    /// <summary>New connections per real server ("address:port") as the director counts them.</summary>
    private static Dictionary<string, ulong> ConnectionCounts(CheckContext c, LvsService s) =>
        c.Client.ListServices()
            .Where(x => x.Protocol == s.Protocol && x.VirtualAddress.Equals(s.VirtualAddress) && x.Port == s.Port)
            .SelectMany(x => x.RealServers).ToDictionary(r => r.ToString(), r => r.Statistics.Connections);

    /// <summary>
    /// Sends <paramref name="n"/> requests, each on a new connection, to the service from <paramref name="host"/>,
    /// <paramref name="pause"/> seconds apart: HTTP GETs (curl, else bash's /dev/tcp) on an HTTP port, else TCP
    /// connects. Returns one entry per request: null when it failed, else the reply's first 400 bytes (empty for a connect).
    /// </summary>
    internal static List<string?> SendProbes(ICheckHost host, LvsService s, int n, double pause = 0)
    {
        var vip = ShellQuote.Quote(s.VirtualAddress.ToString());
        var port = s.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var http = HttpPorts.Contains(s.Port);
        var one = http
            ? $"if command -v curl >/dev/null 2>&1; then curl -s -m 2 -H 'Connection: close' http://$v:$p/; else timeout 2 bash -c 'exec 3<>/dev/tcp/'$v/$p' && printf \"GET / HTTP/1.0\\r\\nHost: %s\\r\\n\\r\\n\" '$v' >&3 && cat <&3'; fi"
            : "timeout 2 bash -c 'exec 3<>/dev/tcp/'$v/$p";
        var sleep = pause > 0 ? $"sleep {pause.ToString(System.Globalization.CultureInfo.InvariantCulture)}; " : "";
        var cmd = $"v={vip}; p={port}; i=0; while [ $i -lt {n} ]; do i=$((i+1)); [ $i -gt 1 ] && {{ {sleep}:; }}; "
                  + $"if out=$({one} 2>/dev/null); then printf 'OK %s\\n' \"$(printf %s \"$out\" | tr -d '\\r\\n' | head -c 400)\"; else echo FAIL; fi; done";
        var r = host.Run(cmd, TimeSpan.FromSeconds(4 * n + n * pause + 10));
        return r.Output.Split('\n').Select(l => l.TrimEnd('\r'))
            .Where(l => l.StartsWith("OK", StringComparison.Ordinal) || l == "FAIL")
            .Select(l => l == "FAIL" ? null : l.Length > 3 ? l[3..] : "").ToList();
    }

    /// <summary>
    /// The real server ("address:port") whose page a reply is, when exactly one real server's address appears in
    /// it (servers that serve distinct pages, like a lab's), else null.
    /// </summary>
    internal static string? ServerOfBody(LvsService s, string body)
    {
        var hits = s.RealServers.Where(r => System.Text.RegularExpressions.Regex.IsMatch(body,
            $@"(?<![0-9.]){System.Text.RegularExpressions.Regex.Escape(r.RealAddress.ToString())}(?![0-9])")).ToList();
        return hits.Count == 1 ? hits[0].ToString() : null;
    }

    /// <summary>
    /// Requests sent, each attributed to a real server: by the replies' pages when every one names exactly one real
    /// server, else by the director's per-real-server connection counters (before and after; the kernel adds its
    /// per-CPU counters into what ipvsadm --stats shows only on the estimator's tick, every 2 s on 6.1, so read
    /// again until the connections made are counted, for up to 4 s).
    /// </summary>
    private static (int Ok, int Sent, Dictionary<string, long> Got, string By) Probe(CheckContext c, ICheckHost host, LvsService s, int n, double pause = 0)
    {
        var before = ConnectionCounts(c, s);
        c.Say($"Probing {(HttpPorts.Contains(s.Port) ? "http" : "tcp")}://{s.VirtualAddress}:{s.Port}/ from {host.Name} ({n} requests{(pause > 0 ? $", {pause} s apart" : "")})");
        var replies = SendProbes(host, s, n, pause);
        var ok = replies.Count(x => x is not null);
        c.Say($"{ok} of {n} requests to {s.VirtualAddress}:{s.Port} answered");
        var byBody = replies.Where(x => x is not null).Select(x => ServerOfBody(s, x!)).ToList();
        if (ok > 0 && byBody.All(x => x is not null))
            return (ok, n, s.RealServers.ToDictionary(r => r.ToString(), r => (long)byBody.Count(x => x == r.ToString())), "by the pages they served");
        var after = ConnectionCounts(c, s);
        long Made(Dictionary<string, ulong> now) => now.Sum(kv => (long)(kv.Value - before.GetValueOrDefault(kv.Key)));
        for (var until = DateTime.UtcNow.AddSeconds(4); Made(after) < ok && DateTime.UtcNow < until; after = ConnectionCounts(c, s))
            Thread.Sleep(250);
        return (ok, n, s.RealServers.ToDictionary(r => r.ToString(), r => (long)(after.GetValueOrDefault(r.ToString()) - before.GetValueOrDefault(r.ToString()))), "by the director's connection counters");
    }

    private static string Summary(CheckContext c, IReadOnlyDictionary<string, long> got) =>
        string.Join(", ", got.Select(kv => $"{RsName(c, kv.Key)}: {kv.Value}"));

    private static LvsCheckResult CheckDistribution(CheckContext c, LvsService s)
    {
        var host = ProbeHost(c);
        if (host is null)
            return R(ServiceDistribution, s.Name, LvsCheckResultKind.NotApplicable, $"No client to send requests from: {c.DirectorName} is an lvsd director and -ClientComputerName was not given.", NoClientRemedy);
        var expect = ShareExpectation.For(s);
        var live = s.RealServers.Count(r => r.Weight > 0 && !r.Overloaded);
        if (live == 0)
            return R(ServiceDistribution, s.Name, LvsCheckResultKind.NotApplicable, "No real server takes new connections (every weight is 0 or overloaded).");
        // Enough requests that the 3-sigma bound is narrower than a share (20 per real server), bounded (≤ 200).
        int n = Math.Min(200, Math.Max(1, c.Options.RequestsPerRealServer) * s.RealServers.Count);
        var (ok, sent, got, by) = Probe(c, host, s, n);
        var summary = Summary(c, got);
        LvsCheckResult Result(LvsCheckResultKind kind, string message, string? remedy = null)
        {
            var r = R(ServiceDistribution, s.Name, kind, message, remedy);
            r.Distribution = expect.Evaluate(s, got, ok).Samples;
            return r;
        }
        var (off, _) = expect.Evaluate(s, got, ok);
        var names = string.Join(", ", off.Select(k => RsName(c, k)));
        var vipService = $"{s.VirtualAddress}:{s.Port}";
        if (ok < sent)
        {
            // The servers that got less than promised are the likely culprits of the failed requests.
            // The requests that failed are missing from the servers they were meant for: name those whose shortfall
            // against their promised part of all requests sent is the largest (at least half the largest).
            var deficit = s.RealServers.ToDictionary(r => r.ToString(), r => sent * (expect.Shares?.GetValueOrDefault(r.ToString()) ?? 0) - got.GetValueOrDefault(r.ToString()));
            var most = deficit.Values.DefaultIfEmpty(0).Max();
            var shortOf = deficit.Where(kv => most >= 1 && kv.Value >= most / 2).Select(kv => RsName(c, kv.Key)).ToList();
            var who = shortOf.Count > 0 ? string.Join(", ", shortOf) : "a real server";
            return Result(LvsCheckResultKind.Failed,
                $"Only {ok} of {sent} requests from {host.Name} to {vipService} succeeded ({summary}, {by}); {who} did not answer its share.",
                $"On {who}: check the service listens on the VIP {s.VirtualAddress}:{s.Port}, the VIP is on lo (ip addr show lo) and no firewall drops it (nft list ruleset); or take it out: Set-LvsRealServer -Weight 0.");
        }
        if (off.Count > 0)
            return Result(LvsCheckResultKind.Failed,
                $"{ok} requests from {host.Name} to {vipService}: {names} off the promised share ({summary}, {by}); promised {expect.Promise}, within ±max(3·√(n·p·(1−p)), 1).",
                $"Compare the weights (Get-LvsRealServer) with what {names} should get; check {names} answers on {s.VirtualAddress}:{s.Port} and that no other director or client load skews the counters.");
        return Result(LvsCheckResultKind.Passed, $"{ok} requests from {host.Name} to {vipService} spread as promised ({summary}, {by}): {expect.Promise}, within ±max(3·√(n·p·(1−p)), 1).");
    }

    private static LvsCheckResult CheckPersistence(CheckContext c, LvsService s)
    {
        var expected = c.Options.ExpectedPersistence;
        if (s.PersistentTimeout == 0 && expected == 0)
            return R(ServicePersistence, s.Name, LvsCheckResultKind.NotApplicable, "Not a persistent service (ipvsadm -p not set).");
        var host = ProbeHost(c);
        if (host is null)
            return R(ServicePersistence, s.Name, LvsCheckResultKind.NotApplicable, $"No client to send requests from: {c.DirectorName} is an lvsd director and -ClientComputerName was not given.", NoClientRemedy);
        // Connections a pause apart (shorter than the timeout): each must find the client's template and its server.
        int n = Math.Max(4, Math.Min(12, c.Options.PersistenceProbes));
        var pause = c.Options.PersistencePause.TotalSeconds;
        var (ok, sent, got, by) = Probe(c, host, s, n, pause);
        var hit = got.Where(kv => kv.Value > 0).Select(kv => RsName(c, kv.Key)).ToList();
        var summary = Summary(c, got.Where(kv => kv.Value > 0).ToDictionary(kv => kv.Key, kv => kv.Value));
        var span = $"{n} connections {pause:0.#} s apart from {host.Name}";
        if (s.PersistentTimeout < expected)
            return LostPersistence(c, s, $"{span} went to {(hit.Count > 1 ? "several real servers: " : "")}{(hit.Count > 0 ? summary : "no attributable real server")} ({by})");
        if (ok < sent)
            return R(ServicePersistence, s.Name, LvsCheckResultKind.Failed, $"Only {ok} of {span} succeeded ({summary}, {by}).",
                $"Check the real server the client is bound to ({string.Join(", ", hit)}) answers on {s.VirtualAddress}:{s.Port}.");
        if (hit.Count > 1)
            return R(ServicePersistence, s.Name, LvsCheckResultKind.Failed,
                $"{span} were spread over {string.Join(", ", hit)} ({summary}, {by}) though the service is persistent for {s.PersistentTimeout} s.",
                $"Keep the persistence timeout above the client's pauses (Set-LvsService -VirtualAddress {s.VirtualAddress} -Port {s.Port} -Persistent <seconds>, ipvsadm -E -p), and check every director in the pair holds the same persistence and syncs its templates.");
        if (hit.Count == 0)
            return R(ServicePersistence, s.Name, LvsCheckResultKind.Warning, $"{span} succeeded but none could be attributed to a real server ({by}).", "Check the director's counters (Get-LvsRealServer | Select-Object -Expand Statistics).");
        return R(ServicePersistence, s.Name, LvsCheckResultKind.Passed, $"{span} all landed on {hit[0]} (persistence {s.PersistentTimeout} s, {by}).");
    }

    /// <summary>
    /// A service below the persistence the admin expects (-ExpectedPersistence): the classic cause is an edit that
    /// restates the service without -p (ipvsadm -E sets every field, so it drops the persistence).
    /// </summary>
    private static LvsCheckResult LostPersistence(CheckContext c, LvsService s, string seen)
    {
        var expected = c.Options.ExpectedPersistence;
        var has = s.PersistentTimeout == 0 ? "is not persistent (ipvsadm -p not set)" : $"is persistent for only {s.PersistentTimeout} s";
        var sched = s.Scheduler.ToString().ToLowerInvariant();
        return R(ServicePersistence, s.Name, LvsCheckResultKind.Failed,
            $"{s.Name} {has}, {expected} s expected: {seen}.",
            $"Set-LvsService -VirtualAddress {s.VirtualAddress} -Port {s.Port} -Persistent {expected} (ipvsadm -E -t {s.VirtualAddress}:{s.Port} -s {sched} -p {expected}; an ipvsadm -E without -p drops the persistence).");
    }

    /// <summary>
    /// The kernel's rule (ip_vs_dest_update_overload): a real server with an upper threshold u is marked overloaded
    /// (IP_VS_DEST_F_OVERLOAD, no new connections) once active + inactive connections ≥ u, and the mark is cleared
    /// only below the lower threshold (when 0: u − u/4); between the two it keeps its mark.
    /// </summary>
    internal static (LvsCheckResultKind Kind, string State) ThresholdState(LvsRealServer r)
    {
        if (r.UpperThreshold == 0) return (LvsCheckResultKind.NotApplicable, "no threshold");
        long conns = (long)r.ActiveConnections + r.InactiveConnections;
        int lower = r.LowerThreshold != 0 ? r.LowerThreshold : r.UpperThreshold - (r.UpperThreshold >> 2);
        var figures = $"{conns} connection(s) ({r.ActiveConnections} active + {r.InactiveConnections} inactive), upper {r.UpperThreshold}, lower {lower}";
        if (conns >= r.UpperThreshold || r.Overloaded) return (LvsCheckResultKind.Failed, $"overloaded: {figures}");
        if (conns >= lower) return (LvsCheckResultKind.Warning, $"near its threshold: {figures}");
        return (LvsCheckResultKind.Passed, figures);
    }

    private static LvsCheckResult CheckThresholds(CheckContext c, LvsService s)
    {
        var states = s.RealServers.Where(r => r.UpperThreshold > 0).Select(r => (r, ThresholdState(r))).ToList();
        if (states.Count == 0)
            return R(RealServerThresholds, s.Name, LvsCheckResultKind.NotApplicable, "No real server has an upper connection threshold (ipvsadm -x).");
        var worst = states.Max(x => x.Item2.Kind == LvsCheckResultKind.Failed ? 2 : x.Item2.Kind == LvsCheckResultKind.Warning ? 1 : 0);
        string List(IEnumerable<(LvsRealServer r, (LvsCheckResultKind Kind, string State) st)> xs) =>
            string.Join("; ", xs.Select(x => $"{RsName(c, x.r.ToString())} {x.st.State}"));
        var bad = states.Where(x => x.Item2.Kind is LvsCheckResultKind.Failed or LvsCheckResultKind.Warning).ToList();
        var names = string.Join(", ", bad.Select(x => RsName(c, x.r.ToString())));
        var remedy = $"Add capacity or raise the threshold (Set-LvsRealServer -VirtualAddress {s.VirtualAddress} -Port {s.Port} -RealAddress <address> -UpperThreshold <n>, ipvsadm -e -x), or find what holds the connections on {names} (Get-LvsConnection).";
        return worst switch
        {
            2 => R(RealServerThresholds, s.Name, LvsCheckResultKind.Failed, $"{List(bad)}: it takes no new connections until below its lower threshold.", remedy),
            1 => R(RealServerThresholds, s.Name, LvsCheckResultKind.Warning, $"{List(bad)}: at the upper threshold it stops taking new connections.", remedy),
            _ => R(RealServerThresholds, s.Name, LvsCheckResultKind.Passed, $"Every real server is below its lower threshold: {List(states)}."),
        };
    }
}
