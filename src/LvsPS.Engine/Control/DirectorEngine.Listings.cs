// DirectorEngine, control plane (namespace LvsPS.Engine.DataPath): the read-only IDirector operations, snapshots
// taken under the lock: services with their real servers and rate estimates, connections, mark rules, timeouts,
// and the state export that lvsd saves after every change. GetStatus is in DirectorEngine.Status.cs.

namespace LvsPS.Engine.DataPath;

internal sealed partial class DirectorEngine
{
    private LvsStatistics Snapshot(LvsStatistics st)
    {
        var copy = st.Clone();
        EstimatorOf(st).Read(copy);
        return copy;
    }

    public List<MarkRuleSpec> ListMarkRules()
    {
        lock (Sync) return _ruleSpecs.ToList();
    }

    public DirectorState ExportState()
    {
        // The sync daemons first, outside the engine's lock (starting one takes their lock, then the engine's).
        var daemons = SyncDaemonSpecs();
        lock (Sync)
        {
            return new DirectorState
            {
                Services = _serviceOrder.Select(s => s.ToSpec()).ToList(),
                Timeouts = GetTimeouts(),
                MarkRules = _ruleSpecs.ToList(),
                SyncDaemons = daemons,
                VrrpInstances = VrrpSpecs(),
                DebugLevel = Logger.Level == 0 ? null : Logger.Level,
            };
        }
    }

    public TimeoutSpec GetTimeouts()
    {
        lock (Sync) return new TimeoutSpec { Tcp = Timeouts.Tcp, TcpFin = Timeouts.TcpFin, Udp = Timeouts.Udp };
    }

    public List<LvsService> ListServices()
    {
        lock (Sync)
        {
            return _serviceOrder.Select(s =>
            {
                var vip = Frames.ToAddress(s.Address);
                var svc = new LvsService
                {
                    Director = Name,
                    Protocol = s.Protocol,
                    VirtualAddress = vip,
                    Port = s.Port,
                    Scheduler = s.SchedulerKind,
                    FirewallMark = s.FirewallMark,
                    SchedulerFlags = s.SchedulerFlags,
                    PersistentTimeout = s.PersistentTimeout,
                    PersistenceNetmask = s.PersistentTimeout == 0 || s.PersistenceMask == 0xffffffff ? null : Frames.ToAddress(s.PersistenceMask),
                    TableSize = TableSize,
                    Health = s.Health,
                    QuorumUp = s.QuorumUp,
                    Statistics = Snapshot(s.Statistics),
                };
                svc.RealServers = s.Destinations.Select(d => (d, h: s.HealthFor(d))).Select(x => new LvsRealServer(svc)
                {
                    RealAddress = x.d.Address,
                    RealPort = x.d.Port,
                    Forwarding = x.d.Forwarding,
                    Weight = x.d.Weight,
                    ActiveConnections = x.d.ActiveConnections,
                    InactiveConnections = x.d.InactiveConnections,
                    PersistentConnections = x.d.PersistentConnections,
                    UpperThreshold = x.d.UpperThreshold,
                    LowerThreshold = x.d.LowerThreshold,
                    Overloaded = x.d.Overloaded,
                    MacAddress = x.d.Mac is null ? "" : Frames.MacToString(x.d.Mac),
                    Statistics = Snapshot(x.d.Statistics),
                    State = StateOf(x.d, x.h),
                    ConfiguredWeight = x.h.ConfiguredWeight,
                    InTable = x.h.InTable,
                    Suspended = x.h.Suspended,
                    IsSorryServer = x.h.IsSorry,
                    HealthChecks = x.h.Checks.ToList(),
                    InhibitOnFailure = x.h.InhibitOnFailure,
                }).Select((r, i) => { DescribeMac(s.Destinations[i], r); return r; }).ToList();
                return svc;
            }).ToList();
        }
    }

    public List<LvsConnection> ListConnections()
    {
        lock (Sync)
        {
            long now = _clockMs();
            return _connections.All().Select(c => Listed(c, now)).ToList();
        }
    }

    /// <summary>Entries a page scans at most under the lock, matching or not, so a listing never holds the packet path long.</summary>
    internal const int MaxScannedPerPage = 50_000;

    /// <summary>
    /// One page: whole hash buckets from the cursor (a bucket index) on, filtered under the lock, until the page is full
    /// or <see cref="MaxScannedPerPage"/> entries were looked at. A bucket's entries stay together, so a page may hold a
    /// few more than asked when the last bucket is long; the cursor is the next bucket.
    /// </summary>
    public ConnectionPage ListConnectionPage(ConnectionQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        int pageSize = query.EffectivePageSize();
        int start = 0;
        if (query.Cursor is not null && (!int.TryParse(query.Cursor, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out start)
                                         || start > _connections.Size))
            throw query.BadCursor($"expected a bucket number from 0 to {_connections.Size}");
        var page = new ConnectionPage();
        if (!IsV4(query.ClientAddress) || !IsV4(query.VirtualAddress)) return page; // lvsd holds IPv4 entries only
        uint? client = query.ClientAddress is null ? null : Frames.ToUInt32(query.ClientAddress);
        uint? vip = query.VirtualAddress is null ? null : Frames.ToUInt32(query.VirtualAddress);
        lock (Sync)
        {
            long now = _clockMs();
            int scanned = 0;
            int next = _connections.ScanBuckets(start, c =>
            {
                scanned++;
                // the cheap key fields first, the entry's object only for a candidate
                if ((client is not null && c.Key.ClientAddress != client) || (vip is not null && c.Key.VirtualAddress != vip)
                    || (query.ClientPort is not null && c.Key.ClientPort != query.ClientPort) || (query.Port is not null && c.Key.VirtualPort != query.Port))
                    return;
                var listed = Listed(c, now);
                if (query.Matches(listed)) page.Connections.Add(listed);
            }, () => page.Connections.Count >= pageSize || scanned >= MaxScannedPerPage);
            page.NextCursor = next >= _connections.Size ? null : next.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return page;
    }

    private static bool IsV4(System.Net.IPAddress? a) => a is null || a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork;

    private LvsConnection Listed(Connection c, long now) => new()
    {
        Director = Name,
        Protocol = c.IsTemplate || c.Service.FirewallMark == 0 ? c.Service.Protocol : (LvsProtocol)c.Key.Protocol,
        ClientAddress = Frames.ToAddress(c.Key.ClientAddress),
        ClientPort = c.Key.ClientPort,
        VirtualAddress = Frames.ToAddress(c.Key.VirtualAddress),
        Port = c.Key.VirtualPort,
        RealAddress = c.Dest.Address,
        // A template holds the destination's port only for a service with a port of its own (ip_vs_sched_persist:
        // a port-zero or fwmark service's template has port 0).
        RealPort = c.IsTemplate ? (c.Service.FirewallMark == 0 && c.Service.Port != 0 ? c.Dest.Port : (ushort)0) : c.RealPort,
        FirewallMark = c.Service.FirewallMark,
        State = c.State,
        ExpiresInSeconds = (int)Math.Max(0, (c.ExpiresAtMs - now + 999) / 1000),
        Packets = c.Packets,
        Synced = c.Synced,
    };
}
