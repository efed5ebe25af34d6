namespace LvsPS.Engine.Tables;

/// <summary>A virtual service inside the engine: its settings, scheduler state, destinations and counters.</summary>
internal sealed class ServiceRuntime
{
    public ServiceRuntime(LvsProtocol protocol, uint address, ushort port, LvsScheduler scheduler, IIpvsScheduler impl) =>
        (Protocol, Address, Port, SchedulerKind, Scheduler) = (protocol, address, port, scheduler, impl);

    public LvsProtocol Protocol { get; }
    public uint Address { get; }
    public ushort Port { get; }
    /// <summary>Non-zero for a firewall-mark service (matched by mark rules; Address and Port are 0).</summary>
    public uint FirewallMark { get; init; }
    public LvsScheduler SchedulerKind { get; set; }
    public LvsSchedulerFlags SchedulerFlags { get; set; }
    public IIpvsScheduler Scheduler { get; set; }
    /// <summary>Destinations in the kernel's order: a new one is inserted at the head.</summary>
    public List<Destination> Destinations { get; } = new();
    /// <summary>Deleted destinations that still have connections (the kernel's dest trash): re-adding one revives it.</summary>
    public List<Destination> Trash { get; } = new();
    /// <summary>Persistence timeout in seconds; 0 = not persistent.</summary>
    public uint PersistentTimeout { get; set; }
    /// <summary>Persistence granularity as a host-order IPv4 mask (0xffffffff = per client address).</summary>
    public uint PersistenceMask { get; set; } = 0xffffffff;
    public LvsStatistics Statistics { get; } = new();
    /// <summary>Health settings (delay_loop, quorum, sorry server); null = keepalived's defaults.</summary>
    public ServiceHealthSpec? Health { get; set; }
    /// <summary>False below quorum (keepalived's quorum_down).</summary>
    public bool QuorumUp { get; set; } = true;
    /// <summary>Health and drain state of each destination (by reference).</summary>
    public Dictionary<Destination, DestinationHealth> HealthOf { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>The health record of a destination, made on first use.</summary>
    public DestinationHealth HealthFor(Destination d)
    {
        if (!HealthOf.TryGetValue(d, out var h)) HealthOf[d] = h = new DestinationHealth { ConfiguredWeight = d.Weight };
        return h;
    }

    public ulong Key => FirewallMark != 0 ? MarkKey(FirewallMark) : MakeKey((byte)Protocol, Address, Port);

    public static ulong MakeKey(byte protocol, uint address, ushort port) => ((ulong)protocol << 48) | ((ulong)address << 16) | port;

    /// <summary>Firewall-mark services share the table under protocol 0 (no TCP or UDP key has it).</summary>
    public static ulong MarkKey(uint mark) => MakeKey(0, mark, 0);

    public Destination? FindDestination(uint address, ushort port)
    {
        foreach (var d in Destinations)
            if (d.AddressValue == address && d.Port == port) return d;
        return null;
    }

    public string Name => LvsService.DisplayName(FirewallMark, Protocol, Frames.ToAddress(Address), Port);

    public ServiceSpec ToSpec() => new()
    {
        Protocol = Protocol,
        Address = Frames.ToAddress(Address),
        Port = Port,
        Scheduler = SchedulerKind,
        FirewallMark = FirewallMark,
        SchedulerFlags = SchedulerFlags,
        PersistentTimeout = PersistentTimeout,
        PersistenceNetmask = PersistentTimeout == 0 || PersistenceMask == 0xffffffff ? null : Frames.ToAddress(PersistenceMask),
        Health = Health,
        // The configuration, not the moment: configured weights, and no sorry server a lost quorum put in.
        RealServers = Destinations.Where(d => !HealthFor(d).IsSorry).Select(d =>
        {
            var h = HealthFor(d);
            return new RealServerSpec
            {
                Address = d.Address, Port = d.Port, Forwarding = d.Forwarding, Weight = h.ConfiguredWeight,
                UpperThreshold = d.UpperThreshold, LowerThreshold = d.LowerThreshold,
                HealthChecks = h.Checks.ToList(), InhibitOnFailure = h.InhibitOnFailure,
                NotifyUp = h.NotifyUp, NotifyDown = h.NotifyDown, Suspended = h.Suspended,
                MacAddress = d.StaticMac is null ? null : Frames.MacToString(d.StaticMac),
            };
        }).ToList(),
    };
}
