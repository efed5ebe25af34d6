// DirectorEngine, health and drain (namespace LvsPS.Engine.DataPath: one class with the packet path): the IDirector
// operations for health checks, service health settings and suspend/resume, and the engine's side of the health
// monitor (IHealthTable): every checker result is applied here, under the engine's one lock, with keepalived's
// semantics — a real server whose checkers fail is taken out of the table (or kept with weight 0 under
// inhibit_on_failure), quorum is lost below quorum - hysteresis and gained at quorum + hysteresis, and a lost quorum
// puts the sorry server in. The probes themselves run in Health/ (HealthMonitor, Probes), outside the lock.
using System.Net;
using LvsPS.Engine.Health;

namespace LvsPS.Engine.DataPath;

internal sealed partial class DirectorEngine : IHealthTable
{
    private long _healthVersion;

    /// <summary>Where decisions are logged (lvsd's log); null = nowhere.</summary>
    public LogWriter? Log { get; set; }

    public long HealthVersion => Interlocked.Read(ref _healthVersion);

    /// <summary>Checks, real servers or services changed: the monitor refreshes its targets.</summary>
    private void HealthChanged() => Interlocked.Increment(ref _healthVersion);

    // ------------------------------------------------------------------ the table's side of a real server

    /// <summary>Takes a new destination's health configuration from its spec.</summary>
    private void ConfigureHealth(ServiceRuntime svc, Destination d, RealServerSpec rs)
    {
        var h = svc.HealthFor(d);
        h.ConfiguredWeight = rs.Weight;
        h.Checks = (rs.HealthChecks ?? new List<HealthCheckSpec>()).ToList();
        h.InhibitOnFailure = rs.InhibitOnFailure;
        h.NotifyUp = rs.NotifyUp;
        h.NotifyDown = rs.NotifyDown;
        h.Suspended = rs.Suspended;
        // alpha: down until the first check passes.
        foreach (var c in h.Checks)
            if (c.Alpha ?? svc.Health?.Alpha ?? false) h.CheckerUp[c.Type] = false;
        h.Down = h.CheckerUp.Any(kv => !kv.Value);
        ApplyLiveWeight(svc, d, h);
        RecordState(svc, d, h, h.Checks.Count > 0 ? "added; its checks have not run yet" : "added");
        HealthChanged();
    }

    private bool Inhibit(ServiceRuntime svc, DestinationHealth h) => h.InhibitOnFailure || svc.Health?.InhibitOnFailure == true;

    /// <summary>The weight in the table: 0 while down, suspended or replaced by the sorry server; else the configured
    /// (or misc_dynamic) weight. Out of the table when down without inhibit_on_failure.</summary>
    private void ApplyLiveWeight(ServiceRuntime svc, Destination d, DestinationHealth h)
    {
        bool replaced = !h.IsSorry && !svc.QuorumUp && svc.Health?.SorryServer is not null;
        bool inhibitSorry = h.IsSorry && svc.QuorumUp && svc.Health?.SorryServerInhibit == true;
        d.Weight = h.Suspended || h.Down || replaced || inhibitSorry ? 0 : h.DynamicWeight ?? h.ConfiguredWeight;
        bool wasInTable = h.InTable;
        h.InTable = h.IsSorry || !((h.Down || replaced) && !Inhibit(svc, h));
        if (wasInTable && !h.InTable) ExpireEntriesOf(d);
    }

    /// <summary>
    /// keepalived deletes a real server that leaves the table; the kernel then drops the packets of its connection
    /// entries and expires its persistence templates (ip_vs_check_template), so no new connection reaches it. The
    /// engine keeps the destination (its weight, state and history), so its entries go here: a new SYN from a client
    /// port that still had an entry for it (SYN_RECV, FIN_WAIT), or from a persistent client, is scheduled afresh,
    /// and the other packets of its connections are dropped (no entry and no SYN), as the kernel drops them.
    /// </summary>
    private void ExpireEntriesOf(Destination d)
    {
        int n = _connections.RemoveWhere(c => ReferenceEquals(c.Dest, d), _release);
        if (n > 0) Log?.Invoke(LvsLogSource.Health, LvsLogSeverity.Notice, $"health: expired {n} connection entr{(n == 1 ? "y" : "ies")} of {d.Address}:{d.Port}, out of the table");
    }

    private static LvsRealServerState StateOf(Destination d, DestinationHealth h) =>
        h.Down ? LvsRealServerState.Down
        : h.Suspended && d.ActiveConnections > 0 ? LvsRealServerState.Draining
        : d.Weight == 0 ? LvsRealServerState.Quiesced
        : d.Mac is null ? LvsRealServerState.Unresolved
        : LvsRealServerState.Up;

    /// <summary>Notes a change of state in the history, with its reason.</summary>
    private void RecordState(ServiceRuntime svc, Destination d, DestinationHealth h, string reason)
    {
        var state = StateOf(d, h);
        if (h.LastState == state) return;
        h.LastState = state;
        h.LastChange = DateTime.UtcNow;
        h.Reason = reason;
        h.History.Add(new LvsHealthEvent { Time = h.LastChange.Value, State = state, Reason = reason });
        if (h.History.Count > LvsRealServerHealth.HistoryLength) h.History.RemoveAt(0);
    }

    private static string KeepalivedName(ServiceRuntime svc, Destination d)
    {
        string proto = svc.Protocol.ToString().ToLowerInvariant();
        string vs = svc.FirewallMark != 0 ? $"FWM {svc.FirewallMark}" : $"[{Frames.ToAddress(svc.Address)}]:{proto}:{svc.Port}";
        return $"[{d.Address}]:{proto}:{d.Port} of VS {vs}";
    }

    private (ServiceRuntime Svc, Destination D, DestinationHealth H) FindRealServer(ServiceSpec service, RealServerSpec rs)
    {
        var svc = GetService(service);
        uint ra = ValidateAddress(rs?.Address, "real server address");
        ushort rp = rs!.Port == 0 && svc.FirewallMark == 0 ? svc.Port : rs.Port;
        var d = svc.FindDestination(ra, rp) ?? (rp != svc.Port && svc.FirewallMark == 0 ? svc.FindDestination(ra, svc.Port) : null)
                ?? throw NoRealServer(svc, rs.Address, rp);
        return (svc, d, svc.HealthFor(d));
    }

    private void Changed(ServiceRuntime svc, Destination d, DestinationHealth h, string reason, List<string>? commands = null)
    {
        ApplyLiveWeight(svc, d, h);
        svc.Scheduler.OnDestinationsChanged(svc.Destinations, null);
        RecordState(svc, d, h, reason);
        EvaluateQuorum(svc, commands ?? new List<string>(), reason);
    }

    // ------------------------------------------------------------------ IDirector: health checks

    public void AddHealthCheck(ServiceSpec service, RealServerSpec realServer, HealthCheckSpec check)
    {
        SpecValidator.HealthCheck(check);
        lock (Sync)
        {
            var (svc, d, h) = FindRealServer(service, realServer);
            if (h.IsSorry)
                throw new LvsException(LvsErrorIds.InvalidArgument, LvsErrorKind.InvalidOperation, $"{d.Address}:{d.Port} is the sorry server of {svc.Name}; it takes no health check.", d.Address);
            if (h.Checks.Any(c => c.Type == check.Type))
                throw new LvsException(LvsErrorIds.HealthCheckExists, LvsErrorKind.ResourceExists,
                    $"The real server {d.Address}:{d.Port} in {svc.Name} already has a {check.KeepalivedName} checker; change it with Set-LvsHealthCheck.", check.Type);
            h.Checks.Add(check);
            Log?.Invoke(LvsLogSource.Health, LvsLogSeverity.Notice, $"health: {check} added to {KeepalivedName(svc, d)}");
            HealthChanged();
        }
    }

    public void SetHealthCheck(ServiceSpec service, RealServerSpec realServer, HealthCheckSpec check)
    {
        SpecValidator.HealthCheck(check);
        lock (Sync)
        {
            var (svc, d, h) = FindRealServer(service, realServer);
            int i = h.Checks.FindIndex(c => c.Type == check.Type);
            if (i < 0) throw NoCheck(svc, d, check.Type);
            h.Checks[i] = check;
            HealthChanged();
        }
    }

    public void RemoveHealthCheck(ServiceSpec service, RealServerSpec realServer, LvsHealthCheckType type)
    {
        lock (Sync)
        {
            var (svc, d, h) = FindRealServer(service, realServer);
            if (h.Checks.RemoveAll(c => c.Type == type) == 0) throw NoCheck(svc, d, type);
            h.CheckerUp.Remove(type);
            bool down = h.Checks.Count > 0 && h.CheckerUp.Any(kv => !kv.Value);
            if (down != h.Down)
            {
                h.Down = down;
                Changed(svc, d, h, $"its {type} checker was removed");
            }
            HealthChanged();
        }
    }

    private LvsException NoCheck(ServiceRuntime svc, Destination d, LvsHealthCheckType type) =>
        new(LvsErrorIds.HealthCheckNotFound, LvsErrorKind.ObjectNotFound,
            $"The real server {d.Address}:{d.Port} in {svc.Name} has no {new HealthCheckSpec { Type = type }.KeepalivedName} checker.", type);

    public void SetServiceHealth(ServiceSpec service, ServiceHealthSpec health)
    {
        SpecValidator.ServiceHealth(health);
        lock (Sync)
        {
            var svc = GetService(service);
            var hadSorry = svc.Health?.SorryServer;
            svc.Health = health;
            // A different sorry server: the old one leaves the table.
            if (hadSorry is not null && !hadSorry.Equals(health.SorryServer)) RemoveSorry(svc);
            // Forced: every destination's weight follows the new settings, whether or not quorum changes.
            EvaluateQuorum(svc, new List<string>(), "health settings changed", force: true);
            HealthChanged();
        }
    }

    public List<LvsRealServerHealth> GetHealth()
    {
        lock (Sync)
        {
            var list = new List<LvsRealServerHealth>();
            foreach (var (svc, d, h) in DestinationsWithHealth())
                list.Add(new LvsRealServerHealth
                {
                    Director = Name,
                    Protocol = svc.Protocol,
                    VirtualAddress = Frames.ToAddress(svc.Address),
                    Port = svc.Port,
                    FirewallMark = svc.FirewallMark,
                    RealAddress = d.Address,
                    RealPort = d.Port,
                    State = StateOf(d, h),
                    Weight = d.Weight,
                    ConfiguredWeight = h.ConfiguredWeight,
                    ActiveConnections = d.ActiveConnections,
                    InactiveConnections = d.InactiveConnections,
                    InTable = h.InTable,
                    Checks = h.IsSorry ? "sorry server" : string.Join(", ", h.Checks.Select(c => c.ToString())),
                    LastCheck = h.LastCheck,
                    LastResult = h.LastResult,
                    LastChange = h.LastChange,
                    Reason = h.Reason,
                    History = h.History.ToList(),
                });
            return list;
        }
    }

    // ------------------------------------------------------------------ IDirector: drain

    public void SuspendRealServer(ServiceSpec service, RealServerSpec realServer)
    {
        lock (Sync)
        {
            var (svc, d, h) = FindRealServer(service, realServer);
            if (h.Suspended) return;
            h.Suspended = true;
            Log?.Invoke(LvsLogSource.Health, LvsLogSeverity.Notice, $"drain: {KeepalivedName(svc, d)} suspended (weight {h.ConfiguredWeight} kept), {d.ActiveConnections} active connection(s) go on");
            Changed(svc, d, h, "suspended: no new connections");
        }
    }

    public void ResumeRealServer(ServiceSpec service, RealServerSpec realServer)
    {
        lock (Sync)
        {
            var (svc, d, h) = FindRealServer(service, realServer);
            if (!h.Suspended) return;
            h.Suspended = false;
            Log?.Invoke(LvsLogSource.Health, LvsLogSeverity.Notice, $"drain: {KeepalivedName(svc, d)} resumed with weight {h.ConfiguredWeight}");
            Changed(svc, d, h, $"resumed with weight {h.ConfiguredWeight}");
        }
    }

    // ------------------------------------------------------------------ IHealthTable: the monitor's results

    public List<HealthTarget> HealthTargets()
    {
        lock (Sync)
        {
            var list = new List<HealthTarget>();
            foreach (var (svc, d, h) in DestinationsWithHealth())
            {
                if (h.IsSorry) continue;
                foreach (var c in h.Checks)
                    list.Add(new HealthTarget
                    {
                        Key = new CheckerKey(svc.Key, d.Address, d.Port, c.Type),
                        Check = c,
                        Service = svc.Health,
                        RealPort = d.Port,
                        VirtualHost = svc.Health?.VirtualHost,
                        Name = KeepalivedName(svc, d),
                    });
            }
            return list;
        }
    }

    /// <summary>Every service's destinations with their health, in service and table order (the caller holds <c>Sync</c>).</summary>
    private IEnumerable<(ServiceRuntime Service, Destination Destination, DestinationHealth Health)> DestinationsWithHealth()
    {
        foreach (var svc in _serviceOrder)
            foreach (var d in svc.Destinations)
                yield return (svc, d, svc.HealthFor(d));
    }

    public IReadOnlyList<string> ReportCheck(CheckerKey key, bool up, bool changed, int? dynamicWeight, string result)
    {
        var commands = new List<string>();
        lock (Sync)
        {
            if (!_services.TryGetValue(key.Service, out var svc)) return commands;
            var d = svc.FindDestination(Frames.ToUInt32(key.RealAddress), key.RealPort);
            if (d is null) return commands;
            var h = svc.HealthFor(d);
            if (!h.Checks.Any(c => c.Type == key.Type)) return commands;
            h.LastCheck = DateTime.UtcNow;
            h.LastResult = result;
            h.CheckerUp[key.Type] = up;
            bool weightChanged = false;
            if (key.Type == LvsHealthCheckType.Misc && h.Checks.Any(c => c.Type == LvsHealthCheckType.Misc && c.MiscDynamic))
            {
                int? w = up ? dynamicWeight : h.DynamicWeight;
                weightChanged = w != h.DynamicWeight;
                h.DynamicWeight = w;
            }
            bool down = h.CheckerUp.Any(kv => !kv.Value);
            if (down != h.Down)
            {
                h.Down = down;
                string name = KeepalivedName(svc, d);
                if (down)
                {
                    Log?.Invoke(LvsLogSource.Health, LvsLogSeverity.Warning, Inhibit(svc, h)
                        ? $"health: Disabling service {name} (weight 0, inhibit_on_failure): {result}"
                        : $"health: Removing service {name}: {result}");
                    if (h.NotifyDown is { Length: > 0 } n) commands.Add(n);
                }
                else
                {
                    Log?.Invoke(LvsLogSource.Health, LvsLogSeverity.Notice, $"health: {(Inhibit(svc, h) ? "Enabling" : "Adding")} service {name}: {result}");
                    if (h.NotifyUp is { Length: > 0 } n) commands.Add(n);
                }
                Changed(svc, d, h, result, commands);
            }
            else if (weightChanged)
            {
                Changed(svc, d, h, $"misc_dynamic weight {h.DynamicWeight}", commands);
            }
        }
        return commands;
    }

    /// <summary>omega: on shutdown, the notify_down of every live real server and the quorum_down of every service
    /// that has quorum, for the services that set omega.</summary>
    public List<string> OmegaCommands()
    {
        var list = new List<string>();
        lock (Sync)
            foreach (var svc in _serviceOrder.Where(s => s.Health?.Omega == true))
            {
                foreach (var d in svc.Destinations)
                {
                    var h = svc.HealthFor(d);
                    if (!h.IsSorry && !h.Down && h.NotifyDown is { Length: > 0 } n) list.Add(n);
                }
                if (svc.QuorumUp && svc.Health!.QuorumDown is { Length: > 0 } q) list.Add(q);
            }
        return list;
    }

    // ------------------------------------------------------------------ quorum and the sorry server

    private static bool HealthManaged(ServiceRuntime svc) =>
        svc.Health is not null || svc.HealthOf.Values.Any(h => h.Checks.Count > 0);

    /// <summary>keepalived: quorum is lost when the live weight falls below quorum - hysteresis, gained at
    /// quorum + hysteresis; a lost quorum runs quorum_down and puts the sorry server in for every real server.</summary>
    private void EvaluateQuorum(ServiceRuntime svc, List<string> commands, string reason, bool force = false)
    {
        if (!HealthManaged(svc)) return;
        int quorum = svc.Health?.Quorum ?? 1, hysteresis = svc.Health?.Hysteresis ?? 0;
        long live = 0;
        foreach (var d in svc.Destinations)
        {
            var h = svc.HealthFor(d);
            if (!h.IsSorry && !h.Down && !h.Suspended) live += h.DynamicWeight ?? h.ConfiguredWeight;
        }
        bool was = svc.QuorumUp;
        if (was && live < quorum - hysteresis)
        {
            svc.QuorumUp = false;
            Log?.Invoke(LvsLogSource.Health, LvsLogSeverity.Warning, $"health: Lost quorum {quorum}-{hysteresis}={quorum - hysteresis} > {live} for VS {svc.Name} ({reason})");
            if (svc.Health?.QuorumDown is { Length: > 0 } q) commands.Add(q);
        }
        else if (!was && live >= quorum + hysteresis)
        {
            svc.QuorumUp = true;
            Log?.Invoke(LvsLogSource.Health, LvsLogSeverity.Notice, $"health: Gained quorum {quorum}+{hysteresis}={quorum + hysteresis} <= {live} for VS {svc.Name} ({reason})");
            if (svc.Health?.QuorumUp is { Length: > 0 } q) commands.Add(q);
        }
        if (was == svc.QuorumUp && !force) return;
        if (!svc.QuorumUp && svc.Health?.SorryServer is not null) AddSorry(svc);
        else if (svc.QuorumUp && svc.Health?.SorryServerInhibit != true) RemoveSorry(svc);
        foreach (var d in svc.Destinations.ToList())
        {
            var h = svc.HealthFor(d);
            ApplyLiveWeight(svc, d, h);
            RecordState(svc, d, h, svc.QuorumUp ? "quorum gained" : "quorum lost");
        }
        svc.Scheduler.OnDestinationsChanged(svc.Destinations, null);
    }

    private void AddSorry(ServiceRuntime svc)
    {
        var spec = svc.Health!;
        if (svc.Destinations.Any(d => svc.HealthFor(d).IsSorry)) return;
        var forwarding = spec.SorryServerForwarding ?? svc.Destinations.FirstOrDefault()?.Forwarding ?? LvsForwarding.Route;
        var rs = new RealServerSpec { Address = spec.SorryServer!, Port = spec.SorryServerPort, Forwarding = forwarding, Weight = 1 };
        var existing = svc.FindDestination(Frames.ToUInt32(spec.SorryServer!), forwarding == LvsForwarding.Masq && rs.Port != 0 ? rs.Port : svc.Port);
        if (existing is not null) return; // a configured real server is the sorry server too: it stays as it is
        var d = InsertDestination(svc, rs);
        var h = svc.HealthFor(d);
        h.IsSorry = true;
        h.ConfiguredWeight = 1;
        Log?.Invoke(LvsLogSource.Health, LvsLogSeverity.Warning, $"health: Adding sorry server {KeepalivedName(svc, d)}");
    }

    private void RemoveSorry(ServiceRuntime svc)
    {
        foreach (var d in svc.Destinations.Where(d => svc.HealthFor(d).IsSorry).ToList())
        {
            Log?.Invoke(LvsLogSource.Health, LvsLogSeverity.Notice, $"health: Removing sorry server {KeepalivedName(svc, d)}");
            svc.Destinations.Remove(d);
            svc.HealthOf.Remove(d);
            d.Removed = true;
            if (d.ActiveConnections + d.InactiveConnections + d.PersistentConnections > 0) svc.Trash.Add(d);
            else _estimators.Remove(d.Statistics);
            svc.Scheduler.OnDestinationsChanged(svc.Destinations, d);
        }
    }
}
