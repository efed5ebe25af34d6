// DirectorEngine, control plane (namespace LvsPS.Engine.DataPath: one class with the packet path): the IDirector
// operations that change the tables, called by the dispatcher (Dispatcher.cs) under the engine's one lock. Services
// and real servers (add, edit, delete, clear, zero), firewall-mark rules, timeouts, and what a change means beyond
// the tables: the capture filter and gratuitous ARP (VipsChanged). Their checks are in DirectorEngine.Validation.cs.
using System.Net;

namespace LvsPS.Engine.DataPath;

internal sealed partial class DirectorEngine
{
    private ServiceRuntime GetService(ServiceSpec? spec)
    {
        if (spec is null) throw new LvsException(LvsErrorIds.ServiceNotFound, LvsErrorKind.InvalidArgument, "No service was named.");
        ulong key = spec.FirewallMark != 0 ? ServiceRuntime.MarkKey(spec.FirewallMark)
            : ServiceRuntime.MakeKey((byte)spec.Protocol, ValidateAddress(spec.Address, "virtual address"), spec.Port);
        if (!_services.TryGetValue(key, out var s))
            throw new LvsException(LvsErrorIds.ServiceNotFound, LvsErrorKind.ObjectNotFound,
                $"No virtual service {spec} exists on director '{Name}'.", spec.ToString());
        return s;
    }

    /// <summary>Adds a service with its real servers (listed newest first); all is validated before anything changes.</summary>
    public void AddService(ServiceSpec spec)
    {
        lock (Sync)
        {
            // The shared rules for the whole spec first (identity, scheduler, persistence, health, every real server).
            SpecValidator.Service(spec);
            bool fwm = spec.FirewallMark != 0;
            uint a = fwm ? 0 : ValidateVirtualAddress(spec.Address);
            var impl = SchedulerFactory.Create(spec.Scheduler, spec.SchedulerFlags);
            uint mask = ValidatePersistence(spec);
            ulong key = fwm ? ServiceRuntime.MarkKey(spec.FirewallMark) : ServiceRuntime.MakeKey((byte)spec.Protocol, a, spec.Port);
            if (_services.ContainsKey(key))
                throw new LvsException(LvsErrorIds.ServiceExists, LvsErrorKind.ResourceExists,
                    $"The virtual service {spec} already exists on director '{Name}'.", spec.ToString());
            var seen = new HashSet<(uint, ushort)>();
            foreach (var rs in spec.RealServers)
            {
                var (ra, rp) = ValidateRealServer(spec, rs);
                if (!seen.Add((ra, rp)))
                    throw new LvsException(LvsErrorIds.RealServerExists, LvsErrorKind.ResourceExists,
                        $"The real server {rs.Address}:{rp} is listed twice for {spec}.", rs.ToString());
            }

            var svc = new ServiceRuntime(fwm ? LvsProtocol.Tcp : spec.Protocol, a, fwm ? (ushort)0 : spec.Port, spec.Scheduler, impl)
            {
                FirewallMark = spec.FirewallMark,
                PersistentTimeout = spec.PersistentTimeout,
                PersistenceMask = mask,
                SchedulerFlags = spec.SchedulerFlags,
            };
            svc.Health = spec.Health;
            _services.Add(key, svc);
            _serviceOrder.Add(svc);
            // The spec lists newest first; add oldest first so the list ends in the same order.
            for (int i = spec.RealServers.Count - 1; i >= 0; i--) InsertDestination(svc, spec.RealServers[i]);
            EvaluateQuorum(svc, new List<string>(), "service added");
            VipsChanged();
        }
    }

    private Destination InsertDestination(ServiceRuntime svc, RealServerSpec rs)
    {
        ushort port = svc.FirewallMark != 0 ? rs.Port : rs.Forwarding != LvsForwarding.Masq || rs.Port == 0 ? svc.Port : rs.Port;
        uint addr = Frames.ToUInt32(rs.Address);
        // ip_vs_trash_get_dest: a deleted destination that still has connections comes back with them.
        var d = svc.Trash.FirstOrDefault(t => t.AddressValue == addr && t.Port == port);
        if (d is not null)
        {
            svc.Trash.Remove(d);
            d.Removed = false;
            d.Weight = rs.Weight;
            d.Forwarding = rs.Forwarding;
        }
        else
        {
            d = new Destination(rs.Address, port, rs.Forwarding, rs.Weight) { AddressValue = addr };
        }
        // __ip_vs_update_dest: changed thresholds re-evaluate the overload mark (ip_vs_dest_update_overload).
        d.SetThresholds(rs.UpperThreshold, rs.LowerThreshold);
        // NAT real servers sit behind the inside link when there is one; DR needs them on the outside segment.
        d.Link = d.Forwarding == LvsForwarding.Masq && _insideSink is not null ? 1 : 0;
        ConfigureHealth(svc, d, rs);
        svc.Destinations.Insert(0, d);
        svc.Scheduler.OnDestinationsChanged(svc.Destinations, null);
        if (d.Forwarding == LvsForwarding.Masq && d.Link == 0) VipsChanged();
        AttachMac(d, rs); // the static MAC, or the one learnt for the host, or an ARP request (DataPath/DirectorEngine.Arp.cs)
        return d;
    }

    public void EditService(ServiceSpec spec)
    {
        lock (Sync)
        {
            var svc = GetService(spec);
            uint mask = ValidatePersistence(spec);
            SpecValidator.PortZero(spec);
            if (svc.SchedulerKind != spec.Scheduler || svc.SchedulerFlags != spec.SchedulerFlags)
            {
                var impl = SchedulerFactory.Create(spec.Scheduler, spec.SchedulerFlags);
                impl.OnDestinationsChanged(svc.Destinations, null);
                svc.Scheduler = impl;
                svc.SchedulerKind = spec.Scheduler;
                svc.SchedulerFlags = spec.SchedulerFlags;
            }
            svc.PersistentTimeout = spec.PersistentTimeout;
            svc.PersistenceMask = mask;
        }
    }

    public void DeleteService(ServiceSpec spec)
    {
        lock (Sync)
        {
            var svc = GetService(spec);
            foreach (var d in svc.Destinations.Concat(svc.Trash))
            {
                d.Removed = true;
                _estimators.Remove(d.Statistics);
            }
            _estimators.Remove(svc.Statistics);
            _services.Remove(svc.Key);
            _serviceOrder.Remove(svc);
            HealthChanged();
            _connections.RemoveWhere(c => ReferenceEquals(c.Service, svc), _release);
            VipsChanged();
        }
    }

    public void AddRealServer(ServiceSpec service, RealServerSpec rs)
    {
        lock (Sync)
        {
            var svc = GetService(service);
            var (ra, rp) = ValidateRealServer(service, rs);
            if (svc.FindDestination(ra, rp) is not null)
                throw new LvsException(LvsErrorIds.RealServerExists, LvsErrorKind.ResourceExists,
                    $"The real server {rs.Address}:{rp} already exists in {svc.Name} on director '{Name}'.", $"{rs.Address}:{rp}");
            InsertDestination(svc, rs);
            EvaluateQuorum(svc, new List<string>(), $"{rs.Address}:{rp} added");
        }
    }

    public void EditRealServer(ServiceSpec service, RealServerSpec rs)
    {
        lock (Sync)
        {
            var svc = GetService(service);
            var (ra, rp) = ValidateRealServer(service, rs);
            var d = svc.FindDestination(ra, rp) ?? throw NoRealServer(svc, rs.Address, rp);
            bool wasOneArmedNat = d.Forwarding == LvsForwarding.Masq && d.Link == 0;
            var h = svc.HealthFor(d);
            h.ConfiguredWeight = rs.Weight;
            ApplyLiveWeight(svc, d, h); // the configured weight; 0 in the table while down, suspended or replaced
            d.Forwarding = rs.Forwarding;
            d.Link = rs.Forwarding == LvsForwarding.Masq && _insideSink is not null ? 1 : 0;
            // __ip_vs_update_dest: changed thresholds re-evaluate the overload mark (ip_vs_dest_update_overload).
            d.SetThresholds(rs.UpperThreshold, rs.LowerThreshold);
            AttachMac(d, rs);
            svc.Scheduler.OnDestinationsChanged(svc.Destinations, null);
            RecordState(svc, d, h, $"weight set to {rs.Weight}");
            EvaluateQuorum(svc, new List<string>(), $"weight of {d.Address}:{d.Port} set to {rs.Weight}");
            // A one-armed NAT real server's replies come back on the outside link: the capture filter follows.
            if (wasOneArmedNat || (d.Forwarding == LvsForwarding.Masq && d.Link == 0)) VipsChanged();
        }
    }

    public void DeleteRealServer(ServiceSpec service, RealServerSpec rs)
    {
        lock (Sync)
        {
            var svc = GetService(service);
            uint ra = ValidateAddress(rs.Address, "real server address");
            ushort rp = rs.Port == 0 && svc.FirewallMark == 0 ? svc.Port : rs.Port;
            var d = svc.FindDestination(ra, rp) ?? (rs.Port != svc.Port ? svc.FindDestination(ra, svc.Port) : null) ?? throw NoRealServer(svc, rs.Address, rp);
            svc.Destinations.Remove(d);
            svc.HealthOf.Remove(d);
            HealthChanged();
            d.Removed = true;
            if (d.ActiveConnections + d.InactiveConnections + d.PersistentConnections > 0) svc.Trash.Add(d);
            else _estimators.Remove(d.Statistics);
            svc.Scheduler.OnDestinationsChanged(svc.Destinations, d);
            EvaluateQuorum(svc, new List<string>(), $"{d.Address}:{d.Port} deleted");
            if (d.Forwarding == LvsForwarding.Masq && d.Link == 0) VipsChanged();
            // expire_nodest_conn=0: packets of its connections are dropped until the entries time out.
        }
    }

    private LvsException NoRealServer(ServiceRuntime svc, IPAddress a, ushort p) =>
        new(LvsErrorIds.RealServerNotFound, LvsErrorKind.ObjectNotFound,
            $"The real server {a}:{p} does not exist in {svc.Name} on director '{Name}'.", $"{a}:{p}");

    public void Clear()
    {
        lock (Sync)
        {
            foreach (var s in _serviceOrder.ToList()) DeleteService(s.ToSpec());
        }
    }

    public void Zero(ServiceSpec? service)
    {
        lock (Sync)
        {
            var list = service is null ? _serviceOrder : new List<ServiceRuntime> { GetService(service) };
            foreach (var s in list)
            {
                Reset(s.Statistics);
                foreach (var d in s.Destinations) Reset(d.Statistics);
            }
        }
    }

    private void Reset(LvsStatistics st)
    {
        st.Connections = st.InPackets = st.OutPackets = st.InBytes = st.OutBytes = 0;
        EstimatorOf(st).Reset();
    }

    /// <summary>Adds a firewall-mark rule at the end of the list (first match wins).</summary>
    public void AddMarkRule(MarkRuleSpec rule)
    {
        lock (Sync)
        {
            ValidateMarkRule(rule);
            if (_ruleSpecs.Any(r => SameRule(r, rule)))
                throw new LvsException(LvsErrorIds.MarkRuleExists, LvsErrorKind.ResourceExists, $"The rule {rule} already exists on director '{Name}'.", rule.ToString());
            _ruleSpecs.Add(rule);
            _rules = _ruleSpecs.Select(r => new MarkRule(r)).ToArray();
            VipsChanged();
        }
    }

    public void DeleteMarkRule(MarkRuleSpec rule)
    {
        lock (Sync)
        {
            var found = _ruleSpecs.FirstOrDefault(r => SameRule(r, rule))
                ?? throw new LvsException(LvsErrorIds.MarkRuleNotFound, LvsErrorKind.ObjectNotFound, $"No rule {rule} exists on director '{Name}'.", rule.ToString());
            _ruleSpecs.Remove(found);
            _rules = _ruleSpecs.Select(r => new MarkRule(r)).ToArray();
            VipsChanged();
        }
    }

    private static bool SameRule(MarkRuleSpec a, MarkRuleSpec b) =>
        a.Mark == b.Mark && a.Protocol == b.Protocol && a.Address.Equals(b.Address) && a.PrefixLength == b.PrefixLength
        && a.PortFrom == b.PortFrom && a.PortTo == b.PortTo;

    /// <summary>ipvsadm --set tcp tcpfin udp: 0 leaves a value as it is; at most 31 days.</summary>
    public void SetTimeouts(TimeoutSpec t)
    {
        lock (Sync)
        {
            SpecValidator.Timeouts(t);
            Timeouts.Set(t.Tcp, t.TcpFin, t.Udp);
        }
    }

    /// <summary>Rule networks wider than /32, which the capture filter must admit as "dst net".</summary>
    public IReadOnlyList<(uint Net, int PrefixLength)> MarkRuleNets =>
        _ruleSpecs.Where(r => r.PrefixLength < 32).Select(r => (Frames.ToUInt32(r.Address) & (r.PrefixLength == 0 ? 0u : uint.MaxValue << (32 - r.PrefixLength)), r.PrefixLength)).Distinct().ToList();

    private void VipsChanged()
    {
        var vips = _serviceOrder.Where(s => s.FirewallMark == 0).Select(s => s.Address)
            .Concat(_ruleSpecs.Where(r => r.PrefixLength == 32).Select(r => Frames.ToUInt32(r.Address))).Distinct().ToArray();
        foreach (var v in vips)
            if (Array.IndexOf(_vips, v) < 0 && !VrrpSilent(v))
            {
                SendGratuitousArp(v);
                _garpPending[v] = 2; // two more, one per tick, as directors repeat GARP
            }
        foreach (var gone in _garpPending.Keys.Where(v => Array.IndexOf(vips, v) < 0).ToList()) _garpPending.Remove(gone);
        _vips = vips;
        _portZeroServices = _serviceOrder.Count(s => s.FirewallMark == 0 && s.Port == 0);
        var natOutside = _serviceOrder.SelectMany(s => s.Destinations)
            .Where(d => d.Forwarding == LvsForwarding.Masq && d.Link == 0).Select(d => d.AddressValue).Distinct().ToArray();
        VirtualAddressesChanged?.Invoke(vips, natOutside);
    }
}
