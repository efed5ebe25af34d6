namespace LvsPS.Management.Config;

/// <summary>
/// A cluster described in Joseph Mack's LVS-HOWTO configure-script format (lvs_dr.conf, lvs_nat.conf,
/// lvs_tun.conf), as <see cref="LvsDrConfParser"/> reads it.
/// </summary>
public sealed class LvsDrConfiguration
{
    /// <summary>The file name used in messages (as given to the parser).</summary>
    public string SourceFile { get; set; } = "";

    /// <summary>LVS_TYPE: VS_DR = Route, VS_NAT = Masq, VS_TUN = Tunnel.</summary>
    public LvsForwarding LvsType { get; set; } = LvsForwarding.Route;

    /// <summary>INITIAL_STATE=on|off: whether this director brings the VIP up at start (off for a standby).</summary>
    public bool InitialState { get; set; } = true;

    /// <summary>VIP device with its alias label, e.g. "eth0:101".</summary>
    public string VipDevice { get; set; } = "";
    /// <summary>The virtual IP (the VIP line's address).</summary>
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress VirtualAddress { get; set; } = IPAddress.None;
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress VipNetmask { get; set; } = IPAddress.Broadcast;
    /// <summary>The VIP line's fourth field: its broadcast (some files, like the walkthrough's, give the network).</summary>
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress? VipBroadcast { get; set; }

    /// <summary>DIRECTOR_INSIDEIP device.</summary>
    public string? DirectorDevice { get; set; }
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress? DirectorAddress { get; set; }
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress? DirectorNetwork { get; set; }
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress? DirectorNetmask { get; set; }
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress? DirectorBroadcast { get; set; }

    /// <summary>DIRECTOR_DEFAULT_GW, as written (a host name or address; not resolved).</summary>
    public string? DirectorDefaultGateway { get; set; }
    /// <summary>SERVER_DEFAULT_GW, as written (not resolved).</summary>
    public string? ServerDefaultGateway { get; set; }

    /// <summary>SERVER_VIP_DEVICE: where the real servers hold the VIP (dummy0, lo:0, tunl0 ...).</summary>
    public string? ServerVipDevice { get; set; }
    /// <summary>SERVER_NET_DEVICE: the real servers' network device.</summary>
    public string? ServerNetDevice { get; set; }

    /// <summary>The SERVICE lines, in file order.</summary>
    public List<LvsServiceDefinition> Services { get; set; } = new();

    /// <summary>Non-fatal remarks, each "file:line: text" (unknown settings that were ignored).</summary>
    public List<string> Warnings { get; set; } = new();

    /// <summary>The services as the director would list them (see <see cref="LvsServiceDefinition.ToLvsService"/>).</summary>
    public List<LvsService> ToLvsServices(string director = "") => Services.Select(s => s.ToLvsService(director)).ToList();
}

/// <summary>One SERVICE= line: a virtual service on the VIP.</summary>
public sealed class LvsServiceDefinition
{
    public LvsProtocol Protocol { get; set; }
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress VirtualAddress { get; set; } = IPAddress.None;
    public ushort Port { get; set; }
    public LvsScheduler Scheduler { get; set; }
    /// <summary>Firewall mark of a fwmark service (ipvsadm -f, keepalived virtual_server fwmark); 0 = none.</summary>
    public uint FirewallMark { get; set; }
    /// <summary>Persistence timeout in seconds (ipvsadm -p, keepalived persistence_timeout); 0 = none.</summary>
    public uint PersistentTimeout { get; set; }
    /// <summary>Persistence granularity (ipvsadm -M); null = /32.</summary>
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress? PersistenceNetmask { get; set; }
    /// <summary>Scheduler flags (ipvsadm -b; keepalived sh-port, sh-fallback, mh-port, mh-fallback, flag-N).</summary>
    public LvsSchedulerFlags SchedulerFlags { get; set; }
    /// <summary>One-packet scheduling (ipvsadm -o; keepalived <c>ops</c>).</summary>
    public bool OnePacket { get; set; }
    /// <summary>keepalived: the service's health settings (delay_loop, quorum, sorry server ...); null = none written (keepalived's defaults).</summary>
    [Newtonsoft.Json.JsonIgnore]
    public ServiceHealthSpec? Health { get; set; }
    /// <summary>keepalived: the virtual_server_group this service was expanded from; null for a plain virtual_server.</summary>
    public string? GroupName { get; set; }
    /// <summary>The real servers in file order (the order the configure script added them).</summary>
    [Newtonsoft.Json.JsonIgnore]
    public List<LvsRealServerDefinition> RealServers { get; set; } = new();
    public string SourceFile { get; set; } = "";
    /// <summary>1-based line of the SERVICE= line.</summary>
    public int Line { get; set; }
    /// <summary>The port as written on the line ("telnet", "www", "80").</summary>
    public string PortName { get; set; } = "";

    /// <summary>
    /// The service as ipvsadm would hold it after adding the real servers in file order: the kernel inserts each
    /// new destination at the head, so <see cref="LvsService.RealServers"/> is in reverse file order.
    /// </summary>
    public LvsService ToLvsService(string director = "")
    {
        var spec = ToServiceSpec();
        var svc = new LvsService
        {
            Director = director,
            Protocol = spec.Protocol,
            VirtualAddress = spec.Address,
            Port = spec.Port,
            Scheduler = spec.Scheduler,
            FirewallMark = spec.FirewallMark,
            PersistentTimeout = spec.PersistentTimeout,
            PersistenceNetmask = spec.PersistenceNetmask,
            SchedulerFlags = spec.SchedulerFlags,
            Health = spec.Health,
        };
        ConfigAttachments.Attach(svc, spec);
        foreach (var r in spec.RealServers)
        {
            var rs = new LvsRealServer(svc)
            {
                RealAddress = r.Address,
                RealPort = r.Port,
                Forwarding = r.Forwarding,
                Weight = r.Weight,
                UpperThreshold = r.UpperThreshold,
                LowerThreshold = r.LowerThreshold,
                HealthChecks = r.HealthChecks,
                InhibitOnFailure = r.InhibitOnFailure,
            };
            ConfigAttachments.Attach(rs, r);
            svc.RealServers.Add(rs);
        }
        return svc;
    }

    /// <summary>
    /// The service as a <see cref="ServiceSpec"/> with its health settings and checkers (real servers in kernel order,
    /// newest first, as <see cref="ToLvsService"/>).
    /// </summary>
    public ServiceSpec ToServiceSpec()
    {
        var spec = new ServiceSpec
        {
            Protocol = Protocol,
            Address = VirtualAddress,
            Port = Port,
            FirewallMark = FirewallMark,
            Scheduler = Scheduler,
            SchedulerFlags = SchedulerFlags,
            PersistentTimeout = PersistentTimeout,
            PersistenceNetmask = PersistenceNetmask,
            OnePacket = OnePacket,
            Health = Health,
        };
        for (int i = RealServers.Count - 1; i >= 0; i--)
        {
            var r = RealServers[i];
            spec.RealServers.Add(new RealServerSpec
            {
                Address = r.RealAddress,
                Port = r.RealPort,
                Forwarding = r.Forwarding,
                Weight = r.Weight,
                UpperThreshold = r.UpperThreshold,
                LowerThreshold = r.LowerThreshold,
                HealthChecks = r.HealthChecks,
                InhibitOnFailure = r.InhibitOnFailure,
                NotifyUp = r.NotifyUp,
                NotifyDown = r.NotifyDown,
            });
        }
        return spec;
    }

    public override string ToString() => FirewallMark != 0 ? $"FWM {FirewallMark}" : $"{Text.IpvsadmFormatter.ProtocolName(Protocol)} {VirtualAddress}:{Port}";
}

/// <summary>One real server of a SERVICE= line: rs[:port][,weight].</summary>
public sealed class LvsRealServerDefinition
{
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress RealAddress { get; set; } = IPAddress.None;
    /// <summary>The real server's port (the service port when none was written).</summary>
    public ushort RealPort { get; set; }
    /// <summary>0..65535, default 1.</summary>
    public int Weight { get; set; } = 1;
    public LvsForwarding Forwarding { get; set; } = LvsForwarding.Route;
    /// <summary>Upper connection threshold (ipvsadm -x); 0 = none.</summary>
    public int UpperThreshold { get; set; }
    /// <summary>Lower connection threshold (ipvsadm -y); 0 = none.</summary>
    public int LowerThreshold { get; set; }
    /// <summary>The host name as written, or null when the line gave an address.</summary>
    public string? HostName { get; set; }
    /// <summary>keepalived: the health checkers LvsPS runs (TCP_CHECK, HTTP_GET, SSL_GET, MISC_CHECK), in file order.</summary>
    [Newtonsoft.Json.JsonIgnore]
    public List<HealthCheckSpec> HealthChecks { get; set; } = new();
    /// <summary>The kinds of its checkers, "TCP,HTTP" ("" for none).</summary>
    public string Checks => string.Join(",", HealthChecks.Select(h => h.Type.ToString().ToUpperInvariant()));
    /// <summary>keepalived inhibit_on_failure (its own, or the virtual_server's).</summary>
    public bool InhibitOnFailure { get; set; }
    /// <summary>keepalived notify_up: the command run when the checks bring the real server up.</summary>
    public string? NotifyUp { get; set; }
    /// <summary>keepalived notify_down: the command run when the checks take it down.</summary>
    public string? NotifyDown { get; set; }

    public override string ToString() => $"{RealAddress}:{RealPort} w={Weight}";
}

/// <summary>
/// The device names lvs_dr.conf carries, one rule for the parser and the writer so that what one writes the other
/// reads: a Linux interface name of at most 15 characters (not "." or ".."), with an alias label ":x" where the
/// setting takes one (VIP, SERVER_VIP_DEVICE), of letters, digits and _ . - @ + only: the file is read by a shell
/// script's tools, and '#' would start a comment.
/// </summary>
public static class LvsDrDeviceName
{
    private static bool Allowed(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' or '@' or '+';

    /// <summary>Why <paramref name="name"/> cannot be a device in the file, or null when it can.</summary>
    public static string? Problem(string name, bool allowAlias)
    {
        int colon = name.IndexOf(':');
        string baseName = colon < 0 ? name : name[..colon];
        if (baseName.Length == 0) return "the interface name is empty";
        if (name.Length > Remote.ShellQuote.MaxInterfaceNameLength) return $"it is longer than {Remote.ShellQuote.MaxInterfaceNameLength} characters";
        if (baseName is "." or "..") return "'.' and '..' are not interface names";
        if (!baseName.All(Allowed)) return "it holds a character other than letters, digits and _ . - @ +";
        if (colon < 0) return null;
        if (!allowAlias) return "this setting takes an interface, not an alias label (:x)";
        string label = name[(colon + 1)..];
        return label.Length > 0 && label.All(Allowed) ? null : "its alias label is empty or holds a character other than letters, digits and _ . - @ +";
    }
}
