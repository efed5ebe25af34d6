using JsonIgnore = Newtonsoft.Json.JsonIgnoreAttribute;

namespace LvsPS.Ipvs.Model;

/// <summary>
/// What a service and a real server share: their counters, and the counters flat, named as ipvsadm --stats and
/// --rate head them, so ConvertTo-Json, Export-Csv and Select-Object show them without reaching into Statistics.
/// </summary>
public abstract class LvsCountedObject
{
    /// <summary>The counters; ConvertTo-Json and Export-Csv get them flat (Conns, InPkts…) instead.</summary>
    [JsonIgnore]
    public LvsStatistics Statistics { get; set; } = new();

    public ulong Conns => Statistics.Connections;
    public ulong InPkts => Statistics.InPackets;
    public ulong OutPkts => Statistics.OutPackets;
    public ulong InBytes => Statistics.InBytes;
    public ulong OutBytes => Statistics.OutBytes;
    public ulong CPS => Statistics.ConnectionsPerSecond;
    public ulong InPPS => Statistics.InPacketsPerSecond;
    public ulong OutPPS => Statistics.OutPacketsPerSecond;
    public ulong InBPS => Statistics.InBytesPerSecond;
    public ulong OutBPS => Statistics.OutBytesPerSecond;
}

/// <summary>A virtual service (one line of ipvsadm -L) as the director reports it.</summary>
public sealed class LvsService : LvsCountedObject
{
    /// <summary>The director (engine instance) that holds the service.</summary>
    public string Director { get; set; } = "";
    public LvsProtocol Protocol { get; set; } = LvsProtocol.Tcp;
    /// <summary>The VIP. Hidden from ConvertTo-Json, which gets it as text from LvsPS.Types.ps1xml (as the other addresses).</summary>
    [JsonIgnore]
    public IPAddress VirtualAddress { get; set; } = IPAddress.None;
    public ushort Port { get; set; }
    /// <summary>A firewall-mark service (ipvsadm -f): matched by mark rules, not by address and port; 0 = none.</summary>
    public uint FirewallMark { get; set; }
    public LvsScheduler Scheduler { get; set; }
    /// <summary>Scheduler flags (ipvsadm -b), e.g. Fallback, Port for sh and mh.</summary>
    public LvsSchedulerFlags SchedulerFlags { get; set; }
    /// <summary>Persistence timeout in seconds (ipvsadm -p); 0 = not persistent.</summary>
    public uint PersistentTimeout { get; set; }
    /// <summary>Persistence granularity (ipvsadm -M); null = 255.255.255.255.</summary>
    [JsonIgnore]
    public IPAddress? PersistenceNetmask { get; set; }
    /// <summary>Real servers in the kernel's list order: the newest first (ConvertTo-Json gets them through LvsPS.Types.ps1xml).</summary>
    [JsonIgnore]
    public List<LvsRealServer> RealServers { get; set; } = new();
    /// <summary>The director's connection table size (the "size=" of the ipvsadm header).</summary>
    public int TableSize { get; set; } = 4096;
    /// <summary>Health settings (delay_loop, quorum, sorry server); null = none set.</summary>
    [JsonIgnore]
    public ServiceHealthSpec? Health { get; set; }
    /// <summary>False while the service is below its quorum (keepalived's quorum_down).</summary>
    public bool QuorumUp { get; set; } = true;

    public int ActiveConnections => RealServers.Sum(r => r.ActiveConnections);
    public int InactiveConnections => RealServers.Sum(r => r.InactiveConnections);

    /// <summary>How many real servers the service has (in the table or not).</summary>
    public int RealServerCount => RealServers.Count;


    /// <summary>"rr", "sh (sh-fallback)", "wlc persistent 300": the scheduler with its flags and persistence, as a view shows it.</summary>
    public string SchedulerText =>
        Scheduler.ToString().ToLowerInvariant()
        + (SchedulerFlags == LvsSchedulerFlags.None ? "" : $" ({SchedulerFlags})")
        + (PersistentTimeout == 0 ? "" : $" persistent {PersistentTimeout}")
        + (PersistenceNetmask is null ? "" : $" mask {PersistenceNetmask}");

    /// <summary>"TCP 10.0.0.1:80" style identity.</summary>
    public string Name => DisplayName(FirewallMark, Protocol, VirtualAddress, Port);

    /// <summary>
    /// A service's display name, "TCP 10.0.0.1:80", or "FWM 5" for a firewall-mark service: the one place it is
    /// built (LvsService.Name, ServiceSpec.ToString and every message that names a service).
    /// </summary>
    public static string DisplayName(uint firewallMark, LvsProtocol protocol, IPAddress address, int port) =>
        firewallMark != 0 ? $"FWM {firewallMark}" : $"{protocol.ToString().ToUpperInvariant()} {address}:{port}";

    public override string ToString() => Name;
}

/// <summary>A real server (destination) of a virtual service.</summary>
public sealed class LvsRealServer : LvsCountedObject
{
    public LvsRealServer() { }

    /// <summary>A real server of <paramref name="service"/>: its director and service fields copied from it.</summary>
    public LvsRealServer(LvsService service)
    {
        Director = service.Director;
        Protocol = service.Protocol;
        VirtualAddress = service.VirtualAddress;
        Port = service.Port;
        FirewallMark = service.FirewallMark;
    }

    public string Director { get; set; } = "";
    /// <summary>The service this real server belongs to (so objects bind by property name to service cmdlets).</summary>
    public LvsProtocol Protocol { get; set; } = LvsProtocol.Tcp;
    [JsonIgnore]
    public IPAddress VirtualAddress { get; set; } = IPAddress.None;
    public ushort Port { get; set; }
    /// <summary>The firewall mark of the service, for firewall-mark services; 0 otherwise.</summary>
    public uint FirewallMark { get; set; }
    [JsonIgnore]
    public IPAddress RealAddress { get; set; } = IPAddress.None;
    public ushort RealPort { get; set; }
    public LvsForwarding Forwarding { get; set; } = LvsForwarding.Route;
    public int Weight { get; set; } = 1;
    public int ActiveConnections { get; set; }
    public int InactiveConnections { get; set; }
    /// <summary>Persistence templates pointing at this real server (ipvsadm --persistent-conn).</summary>
    public int PersistentConnections { get; set; }
    /// <summary>Upper connection threshold (ipvsadm -x); 0 = none.</summary>
    public int UpperThreshold { get; set; }
    /// <summary>Lower connection threshold (ipvsadm -y); 0 = none (then 3/4 of the upper one).</summary>
    public int LowerThreshold { get; set; }
    /// <summary>IP_VS_DEST_F_OVERLOAD: over its upper threshold, no new connections until it falls below the lower one.</summary>
    public bool Overloaded { get; set; }
    /// <summary>The MAC the engine resolved for the real server ("" while unresolved).</summary>
    public string MacAddress { get; set; } = "";
    /// <summary>Where MacAddress comes from: Static (configured), Arp (a reply to lvsd's request) or None.</summary>
    public LvsMacSource MacSource { get; set; }
    /// <summary>How often a reply to lvsd's ARP requests changed the learnt MAC.</summary>
    public int MacChanges { get; set; }
    /// <summary>The MAC before the last change ("" when it never changed).</summary>
    public string PreviousMacAddress { get; set; } = "";
    /// <summary>When the learnt MAC last changed (UTC), or null.</summary>
    public DateTime? MacChangedAt { get; set; }
    /// <summary>Up, Down (health checks fail), Draining, Quiesced (weight 0) or Unresolved (no MAC).</summary>
    public LvsRealServerState State { get; set; }
    /// <summary>The weight configured (Weight is the weight in the table: 0 while down with inhibit, suspended…).</summary>
    public int ConfiguredWeight { get => _configuredWeight ?? Weight; set => _configuredWeight = value; }
    private int? _configuredWeight;
    /// <summary>False while a failed health check has taken it out of the table (as keepalived removes it);
    /// the ipvsadm listings then leave it out, as the kernel's would.</summary>
    public bool InTable { get; set; } = true;
    /// <summary>Suspended with Suspend-LvsRealServer (weight 0 until Resume-LvsRealServer).</summary>
    public bool Suspended { get; set; }
    /// <summary>The sorry server a lost quorum put in (keepalived's sorry_server); not part of the configuration.</summary>
    public bool IsSorryServer { get; set; }
    /// <summary>Its health checkers (ConvertTo-Json shows their kinds, as Checks).</summary>
    [JsonIgnore]
    public List<HealthCheckSpec> HealthChecks { get; set; } = new();
    /// <summary>inhibit_on_failure: a failed check sets weight 0 instead of taking it out.</summary>
    public bool InhibitOnFailure { get; set; }

    /// <summary>The kinds of its checkers, "TCP,HTTP" ("" for none), as the table view shows them.</summary>
    public string Checks => string.Join(",", HealthChecks.Select(h => h.Type.ToString().ToUpperInvariant()));

    public override string ToString() => $"{RealAddress}:{RealPort}";
}

/// <summary>One entry of the connection table (ipvsadm -L -n -c).</summary>
public sealed class LvsConnection
{
    public string Director { get; set; } = "";
    public LvsProtocol Protocol { get; set; } = LvsProtocol.Tcp;
    [JsonIgnore]
    public IPAddress ClientAddress { get; set; } = IPAddress.None;
    public ushort ClientPort { get; set; }
    [JsonIgnore]
    public IPAddress VirtualAddress { get; set; } = IPAddress.None;
    public ushort Port { get; set; }
    /// <summary>The firewall mark of the service, for firewall-mark services; 0 otherwise.</summary>
    public uint FirewallMark { get; set; }
    [JsonIgnore]
    public IPAddress RealAddress { get; set; } = IPAddress.None;
    public ushort RealPort { get; set; }
    public LvsConnectionState State { get; set; }
    /// <summary>Seconds until the entry expires.</summary>
    public int ExpiresInSeconds { get; set; }
    public ulong Packets { get; set; }
    /// <summary>Installed by the backup sync daemon (IP_VS_CONN_F_SYNC), from a master's message; false where not known.</summary>
    public bool Synced { get; set; }
}

