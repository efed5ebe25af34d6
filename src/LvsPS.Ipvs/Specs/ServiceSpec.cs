namespace LvsPS.Ipvs.Specs;

/// <summary>A virtual service as configured (what the state file and the requests carry).</summary>
public sealed class ServiceSpec
{
    public LvsProtocol Protocol { get; set; } = LvsProtocol.Tcp;
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress Address { get; set; } = IPAddress.None;
    public ushort Port { get; set; }
    /// <summary>Non-zero: a firewall-mark service (ipvsadm -f); Protocol, Address and Port are then not used.</summary>
    public uint FirewallMark { get; set; }
    public LvsScheduler Scheduler { get; set; } = LvsScheduler.Wlc;
    /// <summary>Scheduler flags (ipvsadm -b): sh/mh fallback and port.</summary>
    public LvsSchedulerFlags SchedulerFlags { get; set; }
    /// <summary>Persistence timeout in seconds (ipvsadm -p); 0 = not persistent.</summary>
    public uint PersistentTimeout { get; set; }
    /// <summary>Persistence granularity (ipvsadm -M); null = /32.</summary>
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress? PersistenceNetmask { get; set; }
    /// <summary>One-packet scheduling (ipvsadm -o, keepalived <c>ops</c>): each UDP datagram is scheduled on its own.</summary>
    public bool OnePacket { get; set; }
    /// <summary>Health settings (delay_loop, quorum, sorry server…); null = keepalived's defaults.</summary>
    public ServiceHealthSpec? Health { get; set; }
    /// <summary>Real servers in kernel list order (newest first).</summary>
    public List<RealServerSpec> RealServers { get; set; } = new();

    public override string ToString() => LvsService.DisplayName(FirewallMark, Protocol, Address, Port);

    /// <summary>Whether a listed service is the one this names: by mark, or by protocol, address and port.</summary>
    public bool Names(LvsService s) => FirewallMark != 0
        ? s.FirewallMark == FirewallMark
        : s.FirewallMark == 0 && s.Protocol == Protocol && s.VirtualAddress.Equals(Address) && s.Port == Port;

    /// <summary>Whether <paramref name="other"/> names the same service (its identity only, not its settings).</summary>
    public bool SameServiceAs(ServiceSpec other) => FirewallMark != 0
        ? other.FirewallMark == FirewallMark
        : other.FirewallMark == 0 && other.Protocol == Protocol && other.Address.Equals(Address) && other.Port == Port;
}

/// <summary>A real server of a service as configured.</summary>
public sealed class RealServerSpec
{
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress Address { get; set; } = IPAddress.None;
    public ushort Port { get; set; }
    public LvsForwarding Forwarding { get; set; } = LvsForwarding.Route;
    public int Weight { get; set; } = 1;
    /// <summary>Upper connection threshold (ipvsadm -x); 0 = none.</summary>
    public int UpperThreshold { get; set; }
    /// <summary>Lower connection threshold (ipvsadm -y); 0 = none.</summary>
    public int LowerThreshold { get; set; }
    /// <summary>The health checkers of this real server (all must pass); empty = none (always up).</summary>
    public List<HealthCheckSpec> HealthChecks { get; set; } = new();
    /// <summary>inhibit_on_failure: a failed real server stays with weight 0 instead of being taken out.</summary>
    public bool InhibitOnFailure { get; set; }
    /// <summary>notify_up: a command run on the director when the checks bring the real server up.</summary>
    public string? NotifyUp { get; set; }
    /// <summary>notify_down: a command run on the director when the checks take it down.</summary>
    public string? NotifyDown { get; set; }
    /// <summary>Suspended (Suspend-LvsRealServer): weight 0 in the table while Weight keeps the configured weight.</summary>
    public bool Suspended { get; set; }
    /// <summary>
    /// A static MAC ("02:4c:56:00:00:03"): lvsd sends to it and never learns another from ARP; null = learnt from the
    /// replies to lvsd's own ARP requests. lvsd only (a kernel director refuses it).
    /// </summary>
    public string? MacAddress { get; set; }

    public override string ToString() => $"{Address}:{Port}";
}
