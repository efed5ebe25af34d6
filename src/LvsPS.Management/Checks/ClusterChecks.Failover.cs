using LvsPS.Ipvs.Director;
using LvsPS.Management.Failover;
using LvsPS.Management.Lab;

namespace LvsPS.Management.Checks;

// The checks of a failover pair (issue 10): VRRP mastership, configuration drift and connection sync across the
// directors, each asked only through IDirector.
public static partial class ClusterChecks
{
    public const string VrrpSingleMaster = "VrrpSingleMaster";
    public const string DirectorConfigurationDrift = "DirectorConfigurationDrift";
    public const string SyncDaemonRunning = "SyncDaemonRunning";

    /// <summary>The Failover category.</summary>
    private static IEnumerable<LvsCheckInfo> FailoverCatalogue => new[]
    {
        new LvsCheckInfo { Check = VrrpSingleMaster, Category = "Failover", Description = "Exactly one of the directors is VRRP master of each virtual router (vrid), and every director runs it." },
        new LvsCheckInfo { Check = DirectorConfigurationDrift, Category = "Failover", Description = "The directors hold the same services, real servers, weights and schedulers (each difference named)." },
        new LvsCheckInfo { Check = SyncDaemonRunning, Category = "Failover", Description = "The VRRP master runs a master sync daemon and the others a backup one, with matching sync ids, and the lag is within bounds." },
    };

    /// <summary>One director as the failover checks see it: its name, table and VRRP/sync state (null = no answer).</summary>
    private sealed record DirectorView(IDirector Director, string Name, List<LvsService>? Services, string? Error, DirectorFailoverState Failover);

    private static DirectorView View(IDirector d, string name)
    {
        List<LvsService>? services = null;
        string? error = null;
        try { services = d.ListServices(); }
        catch (LvsException e) { error = e.Message; }
        var failover = error is null ? DirectorFailoverState.Read(d) : new DirectorFailoverState { Director = name, Error = error };
        failover.Director = name;
        return new DirectorView(d, name, services, error ?? failover.Error, failover);
    }

    private static IEnumerable<LvsCheckResult> FailoverChecks(CheckContext c)
    {
        IDirector client = c.Client;
        var o = c.Options;
        Func<string, bool> want = c.Want;
        if (!want(VrrpSingleMaster) && !want(DirectorConfigurationDrift) && !want(SyncDaemonRunning) && (o.Peers.Count == 0 || !want(DirectorRunning)))
            yield break;
        var views = new List<DirectorView> { View(client, string.IsNullOrEmpty(o.Director) ? client.Name : o.Director) };
        views.AddRange(o.Peers.Select(p => View(p, p.Name)));
        if (want(DirectorRunning))
            foreach (var v in views.Skip(1))
                yield return v.Services is not null
                    ? R(DirectorRunning, v.Name, LvsCheckResultKind.Passed, $"Director '{v.Name}' is running ({v.Services.Count} service(s)).")
                    : R(DirectorRunning, v.Name, LvsCheckResultKind.Failed, v.Error ?? "No answer.",
                        v.Director is Kernel.KernelDirector ? "Check the SSH access to it, then Connect-LvsDirector again." : "Start it with Start-LvsDirector.");
        if (want(VrrpSingleMaster))
            foreach (var r in CheckSingleMaster(views)) yield return r;
        if (want(DirectorConfigurationDrift))
            foreach (var r in CheckDrift(views)) yield return r;
        if (want(SyncDaemonRunning))
            foreach (var r in CheckSync(views, o.MaxSyncLag)) yield return r;
    }

    /// <summary>In a two-director lab the VIP's owner is the VRRP master: its MAC (null when none or not a pair).</summary>
    private static string? ExpectedArpOwner(IDirector client, ClusterCheckOptions o, LvsLab lab)
    {
        if (lab.Directors.Count < 2) return null;
        var master = new[] { client }.Concat(o.Peers).FirstOrDefault(d => DirectorFailoverState.Read(d).Role == DirectorRole.Master);
        return master is null ? null : lab.FindDirector(master.Name)?.MacAddress;
    }

    private static string Names(IEnumerable<string> names) => string.Join(" and ", names);

    /// <summary>Per virtual router (vrid): one master among the directors, every director running it.</summary>
    private static IEnumerable<LvsCheckResult> CheckSingleMaster(List<DirectorView> views)
    {
        var all = views.SelectMany(v => v.Failover.VrrpInstances.Select(i => (View: v, Instance: i))).ToList();
        var silent = views.Where(v => v.Error is not null).ToList();
        if (all.Count == 0)
        {
            yield return silent.Count > 0
                ? R(VrrpSingleMaster, Names(views.Select(v => v.Name)), LvsCheckResultKind.Failed,
                    $"The VRRP state of {Names(silent.Select(v => v.Name))} could not be read: {string.Join(" ", silent.Select(v => v.Error))}")
                : R(VrrpSingleMaster, Names(views.Select(v => v.Name)), LvsCheckResultKind.NotApplicable,
                    $"No VRRP instance runs on {Names(views.Select(v => v.Name))}.", "New-LvsVrrpInstance on each director of the pair.");
            yield break;
        }
        foreach (var g in all.GroupBy(x => x.Instance.VirtualRouterId).OrderBy(g => g.Key))
        {
            var names = string.Join("/", g.Select(x => x.Instance.Name).Distinct());
            string target = $"{names} (vrid {g.Key})";
            string State(VrrpInstanceStatus i, string director) =>
                $"{director} {i.State} (priority {i.Priority}" + (i.State == VrrpState.Backup && i.MasterAddress is { } m ? $", hears {m}" : "") + ")";
            string states = string.Join(", ", g.Select(x => State(x.Instance, x.View.Name)));
            var masters = g.Where(x => x.Instance.State == VrrpState.Master).Select(x => x.View.Name).Distinct().ToList();
            var faults = g.Where(x => x.Instance.State == VrrpState.Fault).Select(x => x.View.Name).ToList();
            var missing = views.Where(v => v.Error is null && !g.Any(x => x.View == v)).Select(v => v.Name).ToList();
            if (masters.Count > 1)
                yield return R(VrrpSingleMaster, target, LvsCheckResultKind.Failed,
                    $"{Names(masters)} are all master of {names} (vrid {g.Key}): each answers ARP for {string.Join(", ", g.First().Instance.VirtualAddresses.Select(a => a.ToString()))} ({states}).",
                    "The directors do not hear each other's adverts: check that they share the vrid, version, advert interval and authentication, that multicast 224.0.0.18 (or unicast_peer) passes between them; Get-LvsVrrpInstance shows AdvertsReceived and AdvertsDropped.");
            else if (masters.Count == 0)
            {
                var heard = g.Select(x => x.Instance.MasterAddress).FirstOrDefault(a => a is not null);
                yield return faults.Count == 0 && heard is not null && views.Count == 1
                    ? R(VrrpSingleMaster, target, LvsCheckResultKind.Warning,
                        $"None of the directors checked is master of {names}; {heard} is heard as master ({states}).", "Name every director of the pair: Test-LvsCluster -Director a,b.")
                    : R(VrrpSingleMaster, target, LvsCheckResultKind.Failed,
                        $"No director is master of {names} (vrid {g.Key}): its VIPs have no owner ({states})" + (faults.Count > 0 ? $"; {Names(faults)} in FAULT (interface down)." : "."),
                        faults.Count > 0 ? "Bring the interface up on the director in FAULT." : "Wait an advert interval or three after a start; else check the instances' interface and priority (Get-LvsVrrpInstance).");
            }
            else if (missing.Count > 0)
                yield return R(VrrpSingleMaster, target, LvsCheckResultKind.Warning,
                    $"{masters[0]} is master of {names}, but {Names(missing)} runs no instance with vrid {g.Key}: nothing takes over if {masters[0]} fails ({states}).",
                    $"New-LvsVrrpInstance -Director {missing[0]} -VirtualRouterId {g.Key} ... with a lower priority.");
            else
                yield return R(VrrpSingleMaster, target, LvsCheckResultKind.Passed,
                    $"{masters[0]} is the one master of {names} ({states})" + (faults.Count > 0 ? $"; {Names(faults)} in FAULT." : "."));
        }
    }

    private static string Key(LvsService s) => s.Name;

    /// <summary>The first director's table against each other's: services, schedulers, real servers, weights.</summary>
    private static IEnumerable<LvsCheckResult> CheckDrift(List<DirectorView> views)
    {
        if (views.Count < 2)
        {
            yield return R(DirectorConfigurationDrift, views[0].Name, LvsCheckResultKind.NotApplicable,
                "Only one director was checked.", "Name both directors (Test-LvsCluster -Director a,b) or test a two-director lab.");
            yield break;
        }
        var reference = views[0];
        foreach (var other in views.Skip(1))
        {
            string pair = $"{reference.Name} / {other.Name}";
            if (reference.Services is null || other.Services is null)
            {
                var silent = reference.Services is null ? reference : other;
                yield return R(DirectorConfigurationDrift, pair, LvsCheckResultKind.Failed, $"The table of {silent.Name} could not be read: {silent.Error}");
                continue;
            }
            var a = reference.Services.ToDictionary(Key);
            var b = other.Services.ToDictionary(Key);
            int differing = 0;
            foreach (var key in a.Keys.Union(b.Keys).OrderBy(k => k, StringComparer.Ordinal))
            {
                var diffs = new List<string>();
                if (!b.TryGetValue(key, out var sb))
                    diffs.Add($"{other.Name} has no service {key} (on {reference.Name}: {ServiceText(a[key])})");
                else if (!a.TryGetValue(key, out var sa))
                    diffs.Add($"{reference.Name} has no service {key} (on {other.Name}: {ServiceText(sb)})");
                else
                    diffs.AddRange(ServiceDifferences(sa, sb, reference.Name, other.Name));
                if (diffs.Count == 0) continue;
                differing++;
                yield return R(DirectorConfigurationDrift, $"{key} ({pair})", LvsCheckResultKind.Failed, string.Join("; ", diffs) + ".",
                    $"Make both the same, e.g. Export-LvsConfiguration -Director {reference.Name} and Import-LvsConfiguration ... | New-LvsService -Director {other.Name}, or Set-/Add-/Remove- on the one that drifted.");
            }
            if (differing == 0)
                yield return R(DirectorConfigurationDrift, pair, LvsCheckResultKind.Passed,
                    $"{reference.Name} and {other.Name} hold the same {a.Count} service(s) and {a.Values.Sum(s => s.RealServers.Count)} real server(s), with the same schedulers and weights.");
        }
    }

    private static string ServiceText(LvsService s) =>
        $"{s.Scheduler.ToString().ToLowerInvariant()}, {s.RealServers.Count} real server(s)";

    private static IEnumerable<string> ServiceDifferences(LvsService a, LvsService b, string an, string bn)
    {
        string Both(string what, object? x, object? y) => $"{what} {x ?? "none"} on {an}, {y ?? "none"} on {bn}";
        if (a.Scheduler != b.Scheduler) yield return Both("scheduler", a.Scheduler.ToString().ToLowerInvariant(), b.Scheduler.ToString().ToLowerInvariant());
        if (a.SchedulerFlags != b.SchedulerFlags) yield return Both("scheduler flags", a.SchedulerFlags, b.SchedulerFlags);
        if (a.PersistentTimeout != b.PersistentTimeout) yield return Both("persistence", a.PersistentTimeout, b.PersistentTimeout);
        if (!Equals(a.PersistenceNetmask, b.PersistenceNetmask) && a.PersistentTimeout != 0) yield return Both("persistence netmask", a.PersistenceNetmask, b.PersistenceNetmask);
        static string RsKey(LvsRealServer r) => $"{r.RealAddress}:{r.RealPort}";
        var ra = a.RealServers.GroupBy(RsKey).ToDictionary(g => g.Key, g => g.First());
        var rb = b.RealServers.GroupBy(RsKey).ToDictionary(g => g.Key, g => g.First());
        foreach (var k in ra.Keys.Union(rb.Keys).OrderBy(k => k, StringComparer.Ordinal))
        {
            if (!rb.TryGetValue(k, out var y)) { yield return $"real server {k} only on {an}"; continue; }
            if (!ra.TryGetValue(k, out var x)) { yield return $"real server {k} only on {bn}"; continue; }
            if (x.ConfiguredWeight != y.ConfiguredWeight) yield return Both($"{k} weight", x.ConfiguredWeight, y.ConfiguredWeight);
            if (x.Forwarding != y.Forwarding) yield return Both($"{k} forwarding", x.Forwarding, y.Forwarding);
            if (x.UpperThreshold != y.UpperThreshold || x.LowerThreshold != y.LowerThreshold)
                yield return Both($"{k} thresholds", $"{x.LowerThreshold}..{x.UpperThreshold}", $"{y.LowerThreshold}..{y.UpperThreshold}");
            if (x.IsSorryServer != y.IsSorryServer) yield return Both($"{k} sorry server", x.IsSorryServer, y.IsSorryServer);
            var ca = string.Join(",", x.HealthChecks.Select(c => c.Type.ToString()).Order());
            var cb = string.Join(",", y.HealthChecks.Select(c => c.Type.ToString()).Order());
            if (ca != cb) yield return Both($"{k} health checks", ca.Length == 0 ? null : ca, cb.Length == 0 ? null : cb);
        }
    }

    /// <summary>
    /// The VRRP master (or, without VRRP, the director that runs one) runs a master sync daemon and the others a
    /// backup daemon with the same sync id and port; the master's lag, and how far each backup's last message is
    /// behind the master's, stay within <paramref name="maxLag"/>.
    /// </summary>
    private static IEnumerable<LvsCheckResult> CheckSync(List<DirectorView> views, TimeSpan maxLag)
    {
        bool anyDaemon = views.Any(v => v.Failover.SyncDaemons.Length > 0);
        bool anyVrrp = views.Any(v => v.Failover.VrrpInstances.Length > 0);
        if (views.Count < 2 && !anyDaemon && !anyVrrp)
        {
            yield return R(SyncDaemonRunning, views[0].Name, LvsCheckResultKind.NotApplicable,
                "One director without VRRP and without a sync daemon: nothing to synchronise with.", "Name both directors of a pair (Test-LvsCluster -Director a,b).");
            yield break;
        }
        SyncDaemonStatus? Daemon(DirectorView v, SyncDaemonRole role) => v.Failover.SyncDaemons.FirstOrDefault(d => d.Role == role);
        // Who should send: the VRRP master(s); without VRRP, whoever runs a master daemon (or the first director).
        var senders = anyVrrp
            ? views.Where(v => v.Failover.Role is DirectorRole.Master or DirectorRole.Mixed).ToList()
            : views.Where(v => Daemon(v, SyncDaemonRole.Master) is not null).DefaultIfEmpty(views[0]).ToList();
        if (senders.Count == 0)
        {
            yield return R(SyncDaemonRunning, Names(views.Select(v => v.Name)), LvsCheckResultKind.Failed,
                "No director is VRRP master, so none should send connections (see VrrpSingleMaster).");
            yield break;
        }
        var masterDaemons = senders.Select(v => Daemon(v, SyncDaemonRole.Master)).Where(d => d is not null).ToList();
        foreach (var v in views)
        {
            if (v.Error is not null)
            {
                yield return R(SyncDaemonRunning, v.Name, LvsCheckResultKind.Failed, $"The sync daemons of {v.Name} could not be read: {v.Error}");
                continue;
            }
            bool sends = senders.Contains(v);
            var role = sends ? SyncDaemonRole.Master : SyncDaemonRole.Backup;
            var d = Daemon(v, role);
            string why = anyVrrp ? (sends ? $"{v.Name} is VRRP master" : $"{v.Name} is VRRP {v.Failover.Role.ToString().ToLowerInvariant()}") : (sends ? $"{v.Name} sends" : $"{v.Name} is the other director");
            if (d is null)
            {
                var iface = v.Failover.VrrpInstances.FirstOrDefault()?.Interface ?? v.Failover.SyncDaemons.FirstOrDefault()?.Interface ?? "eth0";
                yield return R(SyncDaemonRunning, v.Name, LvsCheckResultKind.Failed,
                    $"{why} but runs no {role.ToString().ToLowerInvariant()} sync daemon: " +
                    (sends ? "its connections reach no backup, and a failover drops them." : "it would take over without the master's connections.") +
                    (v.Failover.SyncDaemons.Length > 0 ? $" (It runs: {v.Failover.Sync}.)" : ""),
                    $"Start-LvsSyncDaemon -Director {v.Name} -Role {role} -Interface {iface}");
                continue;
            }
            var problems = new List<string>();
            if (sends)
            {
                if (d.Lag is { } lag && lag > maxLag)
                    problems.Add($"its oldest unsent change is {lag.TotalSeconds:0.##} s old (bound {maxLag.TotalSeconds:0.##} s)");
            }
            else
            {
                foreach (var m in masterDaemons)
                {
                    if (d.SyncId != 0 && m!.SyncId != d.SyncId)
                        problems.Add($"it takes sync id {d.SyncId} but the master {m.Director} sends {m.SyncId}");
                    if (m!.Port != d.Port)
                        problems.Add($"it listens on port {d.Port} but the master {m.Director} sends to {m.Port}");
                    if (m.MessagesSent > 0 && d.MessagesReceived == 0)
                        problems.Add($"it received nothing though {m.Director} sent {m.MessagesSent} message(s)");
                    else if (m.LastMessage is { } sent && d.LastMessage is { } got && sent - got > maxLag)
                        problems.Add($"its last message is {(sent - got).TotalSeconds:0.#} s behind the master's last (bound {maxLag.TotalSeconds:0.##} s)");
                }
                if (d.MessagesDropped > 0 && d.MessagesReceived == 0)
                    problems.Add($"it dropped all {d.MessagesDropped} message(s) it got (version, sync id or length)");
            }
            string counters = sends
                ? $"{d.MessagesSent} message(s), {d.ConnectionsSent} connection(s) sent" + (d.Lag is { } l ? $", lag {l.TotalSeconds:0.###} s" : ", lag not reported")
                : $"{d.MessagesReceived} message(s), {d.ConnectionsReceived} connection(s) received" + (d.Lag is { } l2 ? $", {l2.TotalSeconds:0.#} s since the last" : "");
            string what = $"{role.ToString().ToLowerInvariant()} sync daemon syncid {d.SyncId} on {d.Interface}";
            yield return problems.Count == 0
                ? R(SyncDaemonRunning, v.Name, LvsCheckResultKind.Passed, $"{why} and runs a {what} ({counters}).")
                : R(SyncDaemonRunning, v.Name, LvsCheckResultKind.Failed, $"{why} and runs a {what}, but {string.Join("; ", problems)} ({counters}).",
                    "Give both daemons the same sync id and port, and check that 224.0.0.81 (or the unicast group) passes between the directors.");
        }
    }
}
