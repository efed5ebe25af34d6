namespace LvsPS.Ipvs.Vrrp;

/// <summary>A VRRP router's state (RFC 5798 §6.4; keepalived adds FAULT for a down interface or failed track).</summary>
public enum VrrpState : long
{
    Init,
    Backup,
    Master,
    Fault,
}

/// <summary>VRRPv2 authentication (RFC 3768 §5.3.6 as keepalived keeps it); VRRPv3 has none.</summary>
public enum VrrpAuthType : long
{
    /// <summary>No authentication (type 0).</summary>
    None,
    /// <summary>auth_type PASS: a cleartext password of up to 8 characters (type 1).</summary>
    Pass,
}

/// <summary>
/// One VRRP instance, with keepalived's vrrp_instance keywords as the model (keepalived.conf(5)): the router that
/// owns <see cref="VirtualAddresses"/> while it is master. A null value takes keepalived's default.
/// </summary>
public sealed class VrrpInstanceSpec
{
    /// <summary>vrrp_instance NAME: letters, digits, '_', '-', '.'; unique on a director.</summary>
    public string Name { get; set; } = "";
    /// <summary>interface: the link the adverts go out on and the VIPs live on.</summary>
    public string Interface { get; set; } = "";
    /// <summary>virtual_router_id: 1..255, the same on every router of the instance.</summary>
    public int VirtualRouterId { get; set; }
    /// <summary>priority: 1..255 (keepalived's default 100; 255 = the address owner).</summary>
    public int Priority { get; set; } = 100;
    /// <summary>version: 2 (RFC 3768, keepalived 2.2.7's default) or 3 (RFC 5798, LvsPS's default: centisecond intervals).</summary>
    public int Version { get; set; } = 3;
    /// <summary>advert_int in centiseconds (keepalived's default 1 s = 100); v3 1..4095, v2 whole seconds 100..25500.</summary>
    public int AdvertIntervalCentiseconds { get; set; } = 100;
    /// <summary>false = nopreempt: a higher priority backup does not take over from a running master.</summary>
    public bool Preempt { get; set; } = true;
    /// <summary>preempt_delay in seconds (0..1000): how long a higher priority backup waits before preempting.</summary>
    public double PreemptDelaySeconds { get; set; }
    /// <summary>state MASTER|BACKUP: the state to start in (keepalived starts in BACKUP unless told; priority 255 is master).</summary>
    public VrrpState InitialState { get; set; } = VrrpState.Backup;
    /// <summary>virtual_ipaddress: the VIPs the master owns (IPv4).</summary>
    [Newtonsoft.Json.JsonIgnore]
    public List<IPAddress> VirtualAddresses { get; set; } = new();
    /// <summary>unicast_peer: adverts go to each of these instead of 224.0.0.18.</summary>
    [Newtonsoft.Json.JsonIgnore]
    public List<IPAddress> UnicastPeers { get; set; } = new();
    /// <summary>unicast_src_ip / mcast_src_ip: the adverts' source; null = the interface's primary address.</summary>
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress? SourceAddress { get; set; }
    /// <summary>authentication { auth_type }: VRRPv2 only.</summary>
    public VrrpAuthType AuthType { get; set; } = VrrpAuthType.None;
    /// <summary>authentication { auth_pass }: up to 8 characters (keepalived truncates longer ones).</summary>
    public string? AuthPassword { get; set; }
    /// <summary>garp_master_delay: seconds after becoming master before the second gratuitous ARP burst (default 5).</summary>
    public int GarpMasterDelaySeconds { get; set; } = 5;
    /// <summary>garp_master_repeat: gratuitous ARPs per VIP in each burst (default 5).</summary>
    public int GarpMasterRepeat { get; set; } = 5;
    /// <summary>notify_master: a command run (no shell; argument words) on becoming master.</summary>
    public string? NotifyMaster { get; set; }
    /// <summary>notify_backup: a command run on becoming backup.</summary>
    public string? NotifyBackup { get; set; }
    /// <summary>notify_fault: a command run on entering fault.</summary>
    public string? NotifyFault { get; set; }
    /// <summary>notify: a command run on every change, with keepalived's arguments: INSTANCE name state priority.</summary>
    public string? Notify { get; set; }

    /// <summary>A copy that can be changed without changing this one.</summary>
    public VrrpInstanceSpec Clone()
    {
        var c = (VrrpInstanceSpec)MemberwiseClone();
        c.VirtualAddresses = new List<IPAddress>(VirtualAddresses);
        c.UnicastPeers = new List<IPAddress>(UnicastPeers);
        return c;
    }

    public override string ToString() => $"{Name} (vrid {VirtualRouterId}, priority {Priority})";
}

/// <summary>One VRRP instance on a director as it runs now: its configuration, state and counters.</summary>
public sealed class VrrpInstanceStatus
{
    /// <summary>The status of <paramref name="spec"/> on <paramref name="director"/> in <paramref name="state"/>, before any advert is counted.</summary>
    public static VrrpInstanceStatus Of(string director, VrrpInstanceSpec spec, VrrpState state) => new()
    {
        Director = director,
        Name = spec.Name,
        Interface = spec.Interface,
        VirtualRouterId = spec.VirtualRouterId,
        Version = spec.Version,
        State = state,
        Priority = spec.Priority,
        AdvertIntervalCentiseconds = spec.AdvertIntervalCentiseconds,
        Preempt = spec.Preempt,
        PreemptDelaySeconds = spec.PreemptDelaySeconds,
        VirtualAddresses = spec.VirtualAddresses.ToArray(),
        UnicastPeers = spec.UnicastPeers.ToArray(),
    };

    /// <summary>The director that runs it.</summary>
    public string Director { get; set; } = "";
    public string Name { get; set; } = "";
    public string Interface { get; set; } = "";
    public int VirtualRouterId { get; set; }
    public int Version { get; set; }
    public VrrpState State { get; set; }
    /// <summary>The configured priority.</summary>
    public int Priority { get; set; }
    public int AdvertIntervalCentiseconds { get; set; }
    public bool Preempt { get; set; }
    public double PreemptDelaySeconds { get; set; }
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress[] VirtualAddresses { get; set; } = Array.Empty<IPAddress>();
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress[] UnicastPeers { get; set; } = Array.Empty<IPAddress>();
    /// <summary>The master's address as last heard (this director's own address while it is master); null = none heard.</summary>
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress? MasterAddress { get; set; }
    /// <summary>The master's priority from its last advert.</summary>
    public int MasterPriority { get; set; }
    /// <summary>When the state last changed (UTC).</summary>
    public DateTime LastTransition { get; set; }
    public ulong Transitions { get; set; }
    public ulong AdvertsSent { get; set; }
    public ulong AdvertsReceived { get; set; }
    /// <summary>Adverts dropped: bad checksum, TTL not 255, wrong version/vrid/auth/interval, own adverts.</summary>
    public ulong AdvertsDropped { get; set; }
    public ulong BecameMaster { get; set; }
    public ulong ReleasedMaster { get; set; }

    /// <summary>
    /// The instance as configured (every keepalived keyword, for Set-LvsVrrpInstance to change only what it is given);
    /// null where a director does not say. Get-LvsVrrpInstance never shows its AuthPassword.
    /// </summary>
    public VrrpInstanceSpec? Configuration { get; set; }

    public override string ToString() => $"{Name} {State}";
}
