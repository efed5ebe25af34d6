using LvsPS.Ipvs.Scheduling;
using LvsPS.Ipvs.Director;
using LvsPS.Management.Config;

namespace LvsPS.Management.Sync;

/// <summary>
/// Plans the fewest changes that bring a director's table (what it lists) to a file's desired state (the
/// definitions Import-LvsConfiguration reads), as Seesaw's ncc reconciles its vservers and keepalived reloads:
/// <list type="bullet">
/// <item>a service in the file and not on the director is added with its real servers;</item>
/// <item>a service on both whose scheduler, flags or persistence differ is edited in place (ipvsadm -E), so its
/// real servers, counters and connections stay;</item>
/// <item>within a service the file names, the file's real servers are the whole list: missing ones are added,
/// changed ones (weight, forwarding, thresholds) edited in place (ipvsadm -e, connections kept), extra ones removed;</item>
/// <item>a service on the director that the file does not name is removed only with <c>prune</c> (as ipvsadm -R
/// leaves the table alone unless the file starts with -C; a rules file with -C prunes).</item>
/// </list>
/// Order: per desired service (file order) its add or edit, then real-server adds, edits and removals; then the
/// pruned services. A second plan against the result is empty.
/// </summary>
public static class LvsSyncPlanner
{
    public static List<LvsConfigChange> Plan(IEnumerable<LvsServiceDefinition> desired, IEnumerable<LvsService> actual, bool prune)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(actual);
        var current = actual.ToList();
        var changes = new List<LvsConfigChange>();
        var seen = new HashSet<LvsService>();
        foreach (var d in desired)
        {
            var spec = d.ToServiceSpec();
            var have = current.FirstOrDefault(spec.Names);
            if (have is null)
            {
                changes.Add(AddService(spec));
                continue;
            }
            seen.Add(have);
            string oldText = ServiceSettings(have.Scheduler, have.SchedulerFlags, have.PersistentTimeout, have.PersistenceNetmask);
            string newText = ServiceSettings(spec.Scheduler, spec.SchedulerFlags, spec.PersistentTimeout, spec.PersistenceNetmask);
            if (oldText != newText)
                changes.Add(EditService(spec, oldText, newText));
            // Kernel order (newest first) in the spec: add in file order, i.e. from the end.
            var wanted = spec.RealServers.AsEnumerable().Reverse().ToList();
            foreach (var r in wanted)
            {
                var rs = have.RealServers.FirstOrDefault(x => x.RealAddress.Equals(r.Address) && x.RealPort == r.Port);
                if (rs is null)
                {
                    changes.Add(RealServerChange(LvsChangeAction.Add, spec, r, null, RealServerSettings(r.Weight, r.Forwarding, r.UpperThreshold, r.LowerThreshold)));
                    continue;
                }
                string o = RealServerSettings(rs.Weight, rs.Forwarding, rs.UpperThreshold, rs.LowerThreshold);
                string n = RealServerSettings(r.Weight, r.Forwarding, r.UpperThreshold, r.LowerThreshold);
                if (o != n)
                    changes.Add(RealServerChange(LvsChangeAction.Edit, spec, r, o, n));
            }
            foreach (var rs in have.RealServers.Where(x => !wanted.Any(r => r.Address.Equals(x.RealAddress) && r.Port == x.RealPort)))
            {
                var r = new RealServerSpec { Address = rs.RealAddress, Port = rs.RealPort, Forwarding = rs.Forwarding, Weight = rs.Weight };
                changes.Add(RealServerChange(LvsChangeAction.Remove, spec, r, RealServerSettings(rs.Weight, rs.Forwarding, rs.UpperThreshold, rs.LowerThreshold), null));
            }
        }
        if (prune)
        {
            foreach (var s in current.Where(s => !seen.Contains(s)))
                changes.Add(RemoveService(Identity(s), ServiceSettings(s.Scheduler, s.SchedulerFlags, s.PersistentTimeout, s.PersistenceNetmask)));
        }
        return changes;
    }

    /// <summary>The service spec that names a listed service (its identity only).</summary>
    public static ServiceSpec Identity(LvsService s) => new()
    {
        Protocol = s.Protocol,
        Address = s.VirtualAddress,
        Port = s.Port,
        FirewallMark = s.FirewallMark,
        Scheduler = s.Scheduler,
        SchedulerFlags = s.SchedulerFlags,
        PersistentTimeout = s.PersistentTimeout,
        PersistenceNetmask = s.PersistenceNetmask,
    };

    /// <summary>"TCP 10.0.0.1:80" or "FWM 7".</summary>
    public static string ServiceName(ServiceSpec s) => s.FirewallMark != 0
        ? $"FWM {s.FirewallMark.ToString(CultureInfo.InvariantCulture)}"
        : $"{Text.IpvsadmFormatter.ProtocolName(s.Protocol)} {s.Address}:{s.Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>"wlc", "sh (sh-port) persistent 300 mask 255.255.255.0".</summary>
    public static string ServiceSettings(LvsScheduler scheduler, LvsSchedulerFlags flags, uint persistent, IPAddress? mask)
    {
        var sb = new StringBuilder(SchedulerFactory.Name(scheduler));
        if (flags != LvsSchedulerFlags.None) sb.Append(" (").Append(FlagsText(flags)).Append(')');
        if (persistent != 0)
        {
            sb.Append(" persistent ").Append(persistent.ToString(CultureInfo.InvariantCulture));
            if (mask is not null && !mask.Equals(IPAddress.Broadcast)) sb.Append(" mask ").Append(mask);
        }
        return sb.ToString();
    }

    /// <summary>"w3 Route", "w1 Masq x100 y10".</summary>
    public static string RealServerSettings(int weight, LvsForwarding forwarding, int upper, int lower)
    {
        var text = $"w{weight.ToString(CultureInfo.InvariantCulture)} {forwarding}";
        if (upper != 0) text += $" x{upper.ToString(CultureInfo.InvariantCulture)}";
        if (lower != 0) text += $" y{lower.ToString(CultureInfo.InvariantCulture)}";
        return text;
    }

    /// <summary>ipvsadm -b names: flag-1, flag-2, flag-3.</summary>
    public static string FlagsText(LvsSchedulerFlags flags)
    {
        var names = new List<string>();
        if (flags.HasFlag(LvsSchedulerFlags.Fallback)) names.Add("flag-1");
        if (flags.HasFlag(LvsSchedulerFlags.Port)) names.Add("flag-2");
        if (flags.HasFlag(LvsSchedulerFlags.Flag3)) names.Add("flag-3");
        return string.Join(',', names);
    }

    /// <summary>ipvsadm's service selector: "-t 10.0.0.1:80", "-u ...", "--sctp-service ...", "-f 7".</summary>
    public static string Selector(ServiceSpec s) => s.FirewallMark != 0
        ? $"-f {s.FirewallMark.ToString(CultureInfo.InvariantCulture)}"
        : (s.Protocol switch { LvsProtocol.Udp => "-u", LvsProtocol.Sctp => "--sctp-service", _ => "-t" })
          + $" {s.Address}:{s.Port.ToString(CultureInfo.InvariantCulture)}";

    private static string ServiceOptions(ServiceSpec s)
    {
        var text = $"-s {SchedulerFactory.Name(s.Scheduler)}";
        if (s.SchedulerFlags != LvsSchedulerFlags.None) text += $" -b {FlagsText(s.SchedulerFlags)}";
        if (s.PersistentTimeout != 0)
        {
            text += $" -p {s.PersistentTimeout.ToString(CultureInfo.InvariantCulture)}";
            if (s.PersistenceNetmask is { } m && !m.Equals(IPAddress.Broadcast)) text += $" -M {m}";
        }
        return text;
    }

    private static string RealServerOptions(RealServerSpec r)
    {
        string fwd = r.Forwarding switch { LvsForwarding.Masq => "-m", LvsForwarding.Tunnel => "-i", _ => "-g" };
        var text = $"-r {r.Address}:{r.Port.ToString(CultureInfo.InvariantCulture)} {fwd} -w {r.Weight.ToString(CultureInfo.InvariantCulture)}";
        if (r.UpperThreshold != 0) text += $" -x {r.UpperThreshold.ToString(CultureInfo.InvariantCulture)}";
        if (r.LowerThreshold != 0) text += $" -y {r.LowerThreshold.ToString(CultureInfo.InvariantCulture)}";
        return text;
    }

    private static ServiceSpec WithoutRealServers(ServiceSpec s) => new()
    {
        Protocol = s.Protocol, Address = s.Address, Port = s.Port, FirewallMark = s.FirewallMark, Scheduler = s.Scheduler,
        SchedulerFlags = s.SchedulerFlags, PersistentTimeout = s.PersistentTimeout, PersistenceNetmask = s.PersistenceNetmask,
        OnePacket = s.OnePacket,
    };

    /// <summary>Adds the service with the real servers of the spec (ipvsadm -A, then -a for each).</summary>
    public static LvsConfigChange AddService(ServiceSpec spec)
    {
        string settings = ServiceSettings(spec.Scheduler, spec.SchedulerFlags, spec.PersistentTimeout, spec.PersistenceNetmask);
        if (spec.RealServers.Count > 0)
            settings += $", {spec.RealServers.Count.ToString(CultureInfo.InvariantCulture)} real server" + (spec.RealServers.Count == 1 ? "" : "s");
        var command = $"ipvsadm -A {Selector(spec)} {ServiceOptions(spec)}";
        foreach (var r in spec.RealServers.AsEnumerable().Reverse())
            command += $"; ipvsadm -a {Selector(spec)} {RealServerOptions(r)}";
        return new LvsConfigChange(LvsChangeAction.Add, LvsChangeObject.Service, ServiceName(spec), null, null, settings, command,
            d => d.AddService(spec));
    }

    /// <summary>Edits the service's scheduler, flags and persistence in place (ipvsadm -E).</summary>
    public static LvsConfigChange EditService(ServiceSpec spec, string? oldText, string newText)
    {
        var edit = WithoutRealServers(spec);
        return new LvsConfigChange(LvsChangeAction.Edit, LvsChangeObject.Service, ServiceName(spec), null, oldText, newText,
            $"ipvsadm -E {Selector(spec)} {ServiceOptions(spec)}", d => d.EditService(edit));
    }

    /// <summary>Removes the service with its real servers (ipvsadm -D).</summary>
    public static LvsConfigChange RemoveService(ServiceSpec spec, string? oldText)
    {
        var id = WithoutRealServers(spec);
        return new LvsConfigChange(LvsChangeAction.Remove, LvsChangeObject.Service, ServiceName(spec), null, oldText, null,
            $"ipvsadm -D {Selector(spec)}", d => d.DeleteService(id));
    }

    /// <summary>Adds (-a), edits (-e) or removes (-d) a real server of a service.</summary>
    public static LvsConfigChange RealServerChange(LvsChangeAction action, ServiceSpec service, RealServerSpec r, string? oldText, string? newText)
    {
        var id = WithoutRealServers(service);
        string rsName = $"{r.Address}:{r.Port.ToString(CultureInfo.InvariantCulture)}";
        return action switch
        {
            LvsChangeAction.Add => new LvsConfigChange(action, LvsChangeObject.RealServer, ServiceName(service), rsName, oldText, newText,
                $"ipvsadm -a {Selector(service)} {RealServerOptions(r)}", d => d.AddRealServer(id, r)),
            LvsChangeAction.Edit => new LvsConfigChange(action, LvsChangeObject.RealServer, ServiceName(service), rsName, oldText, newText,
                $"ipvsadm -e {Selector(service)} {RealServerOptions(r)}", d => d.EditRealServer(id, r)),
            LvsChangeAction.Remove => new LvsConfigChange(action, LvsChangeObject.RealServer, ServiceName(service), rsName, oldText, newText,
                $"ipvsadm -d {Selector(service)} -r {rsName}", d => d.DeleteRealServer(id, r)),
            _ => throw new ArgumentOutOfRangeException(nameof(action)),
        };
    }
}
