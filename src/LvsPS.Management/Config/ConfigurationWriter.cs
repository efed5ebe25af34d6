using System.Net.Sockets;
using LvsPS.Management.Remote;
using LvsPS.Ipvs.Scheduling;
using LvsPS.Management.Text;

namespace LvsPS.Management.Config;

/// <summary>What <see cref="ConfigurationWriter"/> needs beyond the services; every setting is optional.</summary>
public sealed class ConfigurationWriterOptions
{
    /// <summary>The director's own address on the real servers' network (lvs_dr.conf DIRECTOR_INSIDEIP).</summary>
    public IPAddress? DirectorAddress { get; set; }
    /// <summary>The director's interface (lvs_dr.conf DIRECTOR_INSIDEIP device; default eth0).</summary>
    public string? DirectorDevice { get; set; }
    /// <summary>The netmask of the director's network; with it DIRECTOR_INSIDEIP also carries network and broadcast.</summary>
    public IPAddress? DirectorNetmask { get; set; }

    /// <summary>
    /// The director's device for the VIP, with an alias label if wanted ("eth0:101"). lvs_dr.conf: the VIP= device
    /// (default: DIRECTOR device + ":" + the VIP's last octet, as the walkthrough's eth0:101). rc.lvs_dr: when set, the
    /// director part puts the VIP on it (/32), as a kernel-IPVS director needs; when not set the script leaves the
    /// director's addresses alone (the LvsPS director, lvsd, answers for the VIP itself).
    /// </summary>
    public string? VipDevice { get; set; }
    /// <summary>lvs_dr.conf VIP= netmask (default 255.255.255.255).</summary>
    public IPAddress? VipNetmask { get; set; }

    /// <summary>Where the real servers hold the VIP (SERVER_VIP_DEVICE; default lo).</summary>
    public string? ServerVipDevice { get; set; }
    /// <summary>The real servers' network interface (SERVER_NET_DEVICE); written, and given ARP settings, only when set.</summary>
    public string? ServerNetDevice { get; set; }

    /// <summary>
    /// keepalived: the vrrp_instance blocks to write after the virtual_server blocks (a kernel director's VRRP, an
    /// export's); null or empty = none.
    /// </summary>
    public IReadOnlyList<LvsPS.Ipvs.Vrrp.VrrpInstanceSpec>? VrrpInstances { get; set; }
    /// <summary>keepalived: write the health settings and checkers the services carry (default true); none are invented.</summary>
    public bool HealthChecks { get; set; } = true;
    /// <summary>No longer used: keepalived checkers are written as the services carry them, none is invented.</summary>
    [Obsolete("Checkers are written as the services carry them; no TCP_CHECK is invented any more.")]
    public int ConnectTimeout { get; set; } = 3;

    /// <summary>A comment line for the head of the file (keepalived, lvs_dr.conf, rc.lvs_dr), e.g. where the table came from.</summary>
    public string? Comment { get; set; }
}

/// <summary>
/// Writes a table of services in the formats LvsPS imports (ipvsadm rules, keepalived.conf, lvs_dr.conf) and as the
/// rc.lvs_dr shell script of the LVS-HOWTO configure script. Each format reads back, with
/// <see cref="IpvsadmRulesParser"/>, <see cref="KeepalivedConfParser"/> and <see cref="LvsDrConfParser"/>, as the same
/// services. keepalived, lvs_dr.conf and rc.lvs_dr list the real servers in the order they were added (the reverse of
/// the kernel's newest-first list), so that loading the file rebuilds the same list.
/// A table a format cannot express is refused with <see cref="NotExportableErrorId"/> naming the reason.
/// Firewall-mark services (<see cref="LvsService.FirewallMark"/>) are written as <c>-A -f N</c> rules,
/// <c>virtual_server fwmark N</c> blocks and <c>ipvsadm -A -f N</c> lines of rc.lvs_dr; lvs_dr.conf cannot express
/// them. No format carries the firewall rules that set the marks: they stay the administrator's (iptables/nftables).
/// SCTP services are written as <c>--sctp-service</c> rules, <c>protocol SCTP</c> (with no TCP_CHECK, which cannot
/// test them) and <c>ipvsadm -A --sctp-service</c> lines of rc.lvs_dr; lvs_dr.conf (SERVICE= t or u) cannot express them.
/// </summary>
public static class ConfigurationWriter
{
    /// <summary>
    /// The services as configured rather than as the table is now: each real server with its configured weight
    /// (not the 0 of a drained or failed one), real servers a failed health check took out of the table back in,
    /// and no sorry server a lost quorum put in. Copies; the input is not changed.
    /// </summary>
    public static List<LvsService> AsConfigured(IEnumerable<LvsService> services)
    {
        var json = System.Text.Json.JsonSerializer.Serialize(services.ToList(), LvsPS.Ipvs.Director.DirectorJson.Options);
        var copy = System.Text.Json.JsonSerializer.Deserialize<List<LvsService>>(json, LvsPS.Ipvs.Director.DirectorJson.Options) ?? new();
        var originals = services.ToList();
        for (int i = 0; i < copy.Count; i++)
        {
            // Side data of imported services (ops, notify commands) follows the copy.
            ConfigAttachments.CopyTo(originals[i], copy[i]);
            for (int k = 0; k < copy[i].RealServers.Count; k++) ConfigAttachments.CopyTo(originals[i].RealServers[k], copy[i].RealServers[k]);
            copy[i].RealServers.RemoveAll(r => r.IsSorryServer);
            foreach (var r in copy[i].RealServers)
            {
                r.Weight = r.ConfiguredWeight;
                r.InTable = true;
                r.Suspended = false;
            }
        }
        return copy;
    }

    /// <summary>The ErrorId of a table a format cannot express (kind InvalidOperation).</summary>
    public const string NotExportableErrorId = LvsErrorIds.ConfigNotExportable;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>
    /// The rules as <c>ipvsadm-save -n</c> (1.31) writes them, byte for byte (<see cref="IpvsadmFormatter.FormatSave"/>),
    /// for <c>ipvsadm -R</c> or Import-LvsConfiguration; with <paramref name="includeThresholds"/> the real servers'
    /// connection thresholds too (<c>-x</c>/<c>-y</c>, which ipvsadm -S leaves out).
    /// </summary>
    public static string WriteIpvsadmRules(IEnumerable<LvsService> services, bool includeThresholds = false)
    {
        ArgumentNullException.ThrowIfNull(services);
        return IpvsadmFormatter.FormatSave(services, includeThresholds);
    }

    /// <summary>
    /// keepalived.conf virtual_server blocks, as <see cref="WriteKeepalived(IEnumerable{ServiceSpec}, ConfigurationWriterOptions?)"/>
    /// writes them. A service carries health settings and checkers when it came from an import
    /// (<see cref="LvsServiceDefinition.ToLvsService"/>); a service that has none gets none: no checker is invented.
    /// </summary>
    public static string WriteKeepalived(IEnumerable<LvsService> services, ConfigurationWriterOptions? options = null)
    {
        (var list, options) = Prepare(services, options);
        return WriteKeepalived(list.Select(KeepalivedConfWriter.ToSpec), options);
    }

    /// <summary>
    /// keepalived.conf virtual_server blocks (IPv4 and IPv6): lvs_sched with its flags (sh-port, sh-fallback, mh-*,
    /// flag-N), ops, lvs_method (the most common method of the real servers, and per real server where it differs),
    /// protocol, persistence_timeout and persistence_granularity; the service's health settings (delay_loop, alpha,
    /// omega, quorum, hysteresis, quorum_up/down, inhibit_on_failure, virtualhost, sorry_server with
    /// sorry_server_inhibit and sorry_server_lvs_method); and a real_server block per real server (in the order they
    /// were added) with weight, lvs_method, uthreshold/lthreshold, inhibit_on_failure, notify_up/down and its checkers
    /// (TCP_CHECK, HTTP_GET, SSL_GET, MISC_CHECK) with every parameter they set. With
    /// <see cref="ConfigurationWriterOptions.HealthChecks"/> false, no health settings or checkers are written.
    /// A firewall-mark service is a <c>virtual_server fwmark N</c> block without a protocol line (ip_family inet6 for
    /// an IPv6 one); a real server on port 0 is written without a port. A service without real servers is written
    /// too, though keepalived ignores such a block. Refused (<see cref="NotExportableErrorId"/>): a service on port 0
    /// that is not persistent, a value with a double quote or a line break, an HTTP checker without a url.
    /// </summary>
    public static string WriteKeepalived(IEnumerable<ServiceSpec> services, ConfigurationWriterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        return KeepalivedConfWriter.Write(services.ToList(), options ?? new ConfigurationWriterOptions());
    }

    /// <summary>
    /// The LVS-HOWTO configure script's lvs_dr.conf: LVS_TYPE, INITIAL_STATE=on, VIP=, DIRECTOR_INSIDEIP= (when the
    /// director address is known), one SERVICE= line per service with rs:port,weight per real server,
    /// SERVER_VIP_DEVICE and SERVER_NET_DEVICE (when known). The format has one VIP and one forwarding method, and no
    /// persistence, thresholds or firewall-mark services: a table that needs more is refused
    /// (<see cref="NotExportableErrorId"/>).
    /// </summary>
    public static string WriteLvsDrConf(IEnumerable<LvsService> services, ConfigurationWriterOptions? options = null)
    {
        (var list, options) = Prepare(services, options);
        const string format = "lvs_dr.conf";
        foreach (var svc in list)
        {
            if (svc.FirewallMark != 0)
                throw NotExportable($"{svc.Name} is a firewall-mark service, which {format} cannot express; export it as IpvsadmRules or Keepalived");
            // SERVICE= knows t (tcp) and u (udp) only.
            if (svc.Protocol == LvsProtocol.Sctp)
                throw NotExportable($"{svc.Name} is an SCTP service, which {format} cannot express (SERVICE= has t and u only); export it as IpvsadmRules or Keepalived");
        }
        var (vip, fwd) = OneVipOneMethod(list, format);
        foreach (var svc in list)
        {
            if (svc.PersistentTimeout > 0)
                throw NotExportable($"{svc.Name} is persistent (-p {svc.PersistentTimeout}), which {format} cannot express; export it as IpvsadmRules or Keepalived");
            foreach (var rs in svc.RealServers)
            {
                if (rs.UpperThreshold != 0 || rs.LowerThreshold != 0)
                    throw NotExportable($"the real server {rs.RealAddress}:{rs.RealPort} of {svc.Name} has connection thresholds, which {format} cannot express; export it as IpvsadmRules or Keepalived");
                if (fwd != LvsForwarding.Masq && rs.RealPort != svc.Port)
                    throw NotExportable($"the real server {rs.RealAddress}:{rs.RealPort} of {svc.Name} has another port than the service, which only VS_NAT can do");
            }
        }

        string directorDevice = DeviceName(options.DirectorDevice ?? "eth0", "DirectorDevice", allowAlias: false);
        string vipDevice = DeviceName(options.VipDevice ?? $"{directorDevice}:{vip.GetAddressBytes()[3]}", "VipDevice", allowAlias: true);
        var vipMask = options.VipNetmask ?? IPAddress.Broadcast;
        CheckMask(vipMask, "VipNetmask");
        string serverVip = DeviceName(options.ServerVipDevice ?? "lo", "ServerVipDevice", allowAlias: true);

        var sb = new StringBuilder(256);
        sb.Append("# lvs_dr.conf (the LVS-HOWTO configure script's format) written by LvsPS\n");
        AppendComment(sb, '#', options.Comment);
        sb.Append("LVS_TYPE=").Append(fwd switch { LvsForwarding.Masq => "VS_NAT", LvsForwarding.Tunnel => "VS_TUN", _ => "VS_DR" }).Append('\n');
        sb.Append("INITIAL_STATE=on\n");
        sb.Append("VIP=").Append(vipDevice).Append(' ').Append(vip).Append(' ').Append(vipMask).Append(' ')
          .Append(Broadcast(vip, vipMask)).Append('\n');
        if (options.DirectorAddress is { } dip)
        {
            if (dip.AddressFamily != AddressFamily.InterNetwork)
                throw NotExportable($"the director address {dip} is not an IPv4 address");
            sb.Append("DIRECTOR_INSIDEIP=").Append(directorDevice).Append(' ').Append(dip);
            if (options.DirectorNetmask is { } dmask)
            {
                CheckMask(dmask, "DirectorNetmask");
                sb.Append(' ').Append(Network(dip, dmask)).Append(' ').Append(dmask).Append(' ').Append(Broadcast(dip, dmask));
            }
            sb.Append('\n');
        }
        foreach (var svc in list)
        {
            sb.Append("SERVICE=").Append(svc.Protocol == LvsProtocol.Udp ? 'u' : 't').Append(' ')
              .Append(svc.Port.ToString(Inv)).Append(' ').Append(SchedulerFactory.Name(svc.Scheduler));
            foreach (var rs in AddOrder(svc))
                sb.Append(' ').Append(rs.RealAddress).Append(':').Append(rs.RealPort.ToString(Inv)).Append(',').Append(rs.Weight.ToString(Inv));
            sb.Append('\n');
        }
        sb.Append("SERVER_VIP_DEVICE=").Append(serverVip).Append('\n');
        if (options.ServerNetDevice is { } net)
            sb.Append("SERVER_NET_DEVICE=").Append(DeviceName(net, "ServerNetDevice", allowAlias: false)).Append('\n');
        return sb.ToString();
    }

    /// <summary>
    /// The rc.lvs_dr script of the LVS-HOWTO configure script, as a POSIX sh script to copy to the director and to
    /// every real server. It finds its role from the host's IPv4 addresses (<c>ip -o -4 addr</c>): a host that holds
    /// one of the real server addresses is a real server, any other host the director (the first argument,
    /// "director" or "realserver", overrides this). On the director it sets net.ipv4.ip_forward=0 (DR needs no
    /// forwarding), optionally puts the VIP on <see cref="ConfigurationWriterOptions.VipDevice"/>, and loads the table
    /// with ipvsadm -C, -A and -a lines (persistence and thresholds included). On a real server it puts each VIP it
    /// serves on lo (or SERVER_VIP_DEVICE) as /32 with arp_ignore=1, arp_announce=2 and, on kernels that have it,
    /// hidden=1, with the commands of Set-LvsRealServerHidden. Every value is single-quoted. Only direct routing is
    /// written: a NAT or tunnel real server is refused.
    /// A firewall-mark service is loaded with <c>ipvsadm -A -f N</c> and <c>ipvsadm -a -f N -r RIP:PORT</c>; the
    /// firewall rule that marks its packets and the addresses it matches are not known here, so the script only notes
    /// that both the director's marking rule and the real servers' addresses for it are to be set up separately.
    /// </summary>
    public static string WriteRcLvsDr(IEnumerable<LvsService> services, ConfigurationWriterOptions? options = null)
    {
        (var list, options) = Prepare(services, options);
        const string format = "rc.lvs_dr";
        foreach (var svc in list)
        {
            RequireIpv4(svc, format);
            foreach (var rs in svc.RealServers)
            {
                if (rs.Forwarding is LvsForwarding.Masq or LvsForwarding.Tunnel)
                    throw NotExportable($"the real server {rs.RealAddress}:{rs.RealPort} of {svc.Name} uses {IpvsadmFormatter.ForwardName(rs.Forwarding)} forwarding; {format} is written for direct routing only (export IpvsadmRules or Keepalived instead)");
            }
        }
        if (list.Count == 0)
            throw NotExportable($"there are no services to write into {format}");

        string serverVip = StripAlias(options.ServerVipDevice ?? "lo");
        ShellQuote.ValidateInterfaceName(serverVip);
        string? serverNet = options.ServerNetDevice is { } n ? ShellQuote.ValidateInterfaceName(StripAlias(n)) : null;
        if (serverNet == serverVip)
            serverNet = null;
        string? directorVipDevice = null, directorVipLabel = null;
        if (options.VipDevice is { } vd)
        {
            directorVipDevice = ShellQuote.ValidateInterfaceName(StripAlias(vd));
            if (vd.Contains(':'))
                directorVipLabel = DeviceName(vd, "VipDevice", allowAlias: true);
        }

        var vips = list.Where(s => s.FirewallMark == 0).Select(s => s.VirtualAddress).Distinct().ToList();
        var realServers = list.SelectMany(AddOrder).Select(r => r.RealAddress).Distinct().ToList();
        static string Q(string v) => ShellQuote.Quote(v);

        var sb = new StringBuilder(2048);
        sb.Append("#!/bin/sh\n");
        sb.Append("# rc.lvs_dr: an LVS-DR cluster (director and real servers) written by LvsPS.\n");
        AppendComment(sb, '#', options.Comment);
        sb.Append("# Run it as root on the director and on every real server. It tells them apart by this host's IPv4\n");
        sb.Append("# addresses: a host holding a real server address below is a real server, any other host is the director.\n");
        sb.Append("# usage: rc.lvs_dr [director|realserver]\n");
        sb.Append("set -e\n");
        sb.Append("PATH=\"$PATH:/sbin:/usr/sbin\"\n\n");

        sb.Append("local_addresses=$(ip -o -4 addr show | while read -r _index _device _family address _rest; do printf '%s\\n' \"${address%/*}\"; done)\n");
        sb.Append("is_local() {\n");
        sb.Append("    printf '%s\\n' \"$local_addresses\" | grep -qxF -e \"$1\"\n");
        sb.Append("}\n\n");

        sb.Append("role=${1:-}\n");
        sb.Append("forced=${1:+yes}\n");
        sb.Append("if [ -z \"$role\" ]; then\n");
        sb.Append("    role=director\n");
        sb.Append("    for rs in ").Append(string.Join(' ', realServers.Select(a => Q(a.ToString())))).Append("; do\n");
        sb.Append("        if is_local \"$rs\"; then role=realserver; fi\n");
        sb.Append("    done\n");
        sb.Append("fi\n\n");

        sb.Append("case \"$role\" in\n");
        sb.Append("director)\n");
        sb.Append("    echo 'rc.lvs_dr: director: loading the LVS table'\n");
        sb.Append("    # direct routing: the director forwards nothing itself\n");
        sb.Append("    sysctl -w ").Append(Q("net.ipv4.ip_forward=0")).Append(" >/dev/null\n");
        if (directorVipDevice is not null)
        {
            foreach (var vip in vips)
            {
                sb.Append("    ip addr replace ").Append(Q(vip + "/32")).Append(" dev ").Append(Q(directorVipDevice));
                if (directorVipLabel is not null)
                    sb.Append(" label ").Append(Q(directorVipLabel));
                sb.Append('\n');
            }
        }
        sb.Append("    ipvsadm -C\n");
        foreach (var svc in list)
        {
            string svcOpt = svc.FirewallMark != 0
                ? "-f " + Q(svc.FirewallMark.ToString(Inv))
                : IpvsadmFormatter.ServiceSwitch(svc.Protocol) + " " + Q($"{svc.VirtualAddress}:{svc.Port.ToString(Inv)}");
            if (svc.FirewallMark != 0)
                sb.Append("    # FWM ").Append(svc.FirewallMark.ToString(Inv))
                  .Append(": packets get this mark from a firewall rule (e.g. iptables -t mangle ... -j MARK --set-mark ")
                  .Append(svc.FirewallMark.ToString(Inv)).Append("), which is not written here\n");
            sb.Append("    ipvsadm -A ").Append(svcOpt).Append(" -s ").Append(Q(SchedulerFactory.Name(svc.Scheduler)));
            if (svc.PersistentTimeout > 0)
            {
                sb.Append(" -p ").Append(Q(svc.PersistentTimeout.ToString(Inv)));
                if (MaskOrNull(svc.PersistenceNetmask) is { } mask)
                    sb.Append(" -M ").Append(Q(mask));
            }
            sb.Append('\n');
            foreach (var rs in AddOrder(svc))
            {
                sb.Append("    ipvsadm -a ").Append(svcOpt).Append(" -r ").Append(Q($"{rs.RealAddress}:{rs.RealPort.ToString(Inv)}"))
                  .Append(" -g -w ").Append(Q(rs.Weight.ToString(Inv)));
                if (rs.UpperThreshold != 0)
                    sb.Append(" -x ").Append(Q(rs.UpperThreshold.ToString(Inv)));
                if (rs.LowerThreshold != 0)
                    sb.Append(" -y ").Append(Q(rs.LowerThreshold.ToString(Inv)));
                sb.Append('\n');
            }
        }
        sb.Append("    ipvsadm -L -n\n");
        sb.Append("    ;;\n");

        sb.Append("realserver)\n");
        sb.Append("    echo 'rc.lvs_dr: real server: holding the VIP without answering ARP for it'\n");
        foreach (var vip in vips)
        {
            var servers = list.Where(s => s.VirtualAddress.Equals(vip)).SelectMany(AddOrder)
                              .Select(r => r.RealAddress).Distinct().ToList();
            sb.Append("    # VIP ").Append(vip).Append('\n');
            sb.Append("    if [ -n \"$forced\" ]");
            foreach (var a in servers)
                sb.Append(" || is_local ").Append(Q(a.ToString()));
            sb.Append("; then\n");
            foreach (var command in RealServerPreparer.BuildSetHiddenCommands(vip, serverVip, serverNet))
                sb.Append("        ").Append(command).Append('\n');
            sb.Append("    fi\n");
        }
        foreach (var svc in list.Where(s => s.FirewallMark != 0))
            sb.Append("    # FWM ").Append(svc.FirewallMark.ToString(Inv))
              .Append(": the addresses its mark rule matches are not known here; hold them on the real servers like a VIP (/32, ARP hidden)\n");
        sb.Append("    ;;\n");
        sb.Append("*)\n");
        sb.Append("    echo \"usage: $0 [director|realserver]\" >&2\n");
        sb.Append("    exit 2\n");
        sb.Append("    ;;\n");
        sb.Append("esac\n");
        return sb.ToString();
    }

    // ---------------------------------------------------------------------------------------------------------

    /// <summary>The services to write (null refused) and the options, the defaults when none are given.</summary>
    private static (List<LvsService> List, ConfigurationWriterOptions Options) Prepare(IEnumerable<LvsService> services, ConfigurationWriterOptions? options)
    {
        ArgumentNullException.ThrowIfNull(services);
        return (services.ToList(), options ?? new ConfigurationWriterOptions());
    }

    /// <summary>The order the real servers were added in: the reverse of the kernel's newest-first list.</summary>
    private static IEnumerable<LvsRealServer> AddOrder(LvsService svc) => Enumerable.Reverse(svc.RealServers);

    private static string KeepalivedMethod(LvsForwarding f) => f switch
    {
        LvsForwarding.Masq => "NAT",
        LvsForwarding.Tunnel => "TUN",
        _ => "DR", // Route, and Local (ipvsadm saves it as -g too)
    };

    private static string MostCommonMethod(LvsService svc)
        => svc.RealServers.Count == 0
            ? "DR"
            : AddOrder(svc).GroupBy(r => KeepalivedMethod(r.Forwarding)).OrderByDescending(g => g.Count()).First().Key;

    private static (IPAddress Vip, LvsForwarding Forwarding) OneVipOneMethod(List<LvsService> list, string format)
    {
        if (list.Count == 0)
            throw NotExportable($"there are no services to write into {format}");
        foreach (var svc in list)
            RequireIpv4(svc, format);
        var vips = list.Select(s => s.VirtualAddress).Distinct().ToList();
        if (vips.Count > 1)
            throw NotExportable($"{format} has one VIP, but the services use {vips.Count}: {string.Join(", ", vips)}; export them one VIP at a time, or as IpvsadmRules or Keepalived");
        var methods = list.SelectMany(s => s.RealServers)
                          .Select(r => r.Forwarding == LvsForwarding.Local ? LvsForwarding.Route : r.Forwarding)
                          .Distinct().ToList();
        if (methods.Count > 1)
            throw NotExportable($"{format} has one forwarding method (LVS_TYPE), but the real servers use {string.Join(", ", methods.Select(IpvsadmFormatter.ForwardName))}; export as IpvsadmRules or Keepalived");
        return (vips[0], methods.Count == 1 ? methods[0] : LvsForwarding.Route);
    }

    private static void RequireIpv4(LvsService svc, string format)
    {
        if (svc.VirtualAddress.AddressFamily != AddressFamily.InterNetwork
            || svc.RealServers.Any(r => r.RealAddress.AddressFamily != AddressFamily.InterNetwork))
            throw NotExportable($"{svc.Name}: {format} is written for IPv4 only");
        if (svc.Port == 0 && svc.FirewallMark == 0)
            throw NotExportable($"{svc.Name}: a service on port 0 cannot be written");
    }

    private static string? MaskOrNull(IPAddress? mask)
        => mask is null || mask.Equals(IPAddress.Broadcast) || mask.AddressFamily != AddressFamily.InterNetwork ? null : mask.ToString();

    private static void AppendComment(StringBuilder sb, char marker, string? comment)
    {
        if (string.IsNullOrWhiteSpace(comment))
            return;
        foreach (var line in comment.Replace("\r", "").Split('\n'))
            sb.Append(marker).Append(' ').Append(line).Append('\n');
    }

    private static string StripAlias(string device)
    {
        int colon = device.IndexOf(':');
        return colon > 0 ? device[..colon] : device;
    }

    /// <summary>An interface name (with an alias label ":x" when allowed) fit for the configure format: the rule its parser reads by.</summary>
    private static string DeviceName(string name, string what, bool allowAlias) =>
        LvsDrDeviceName.Problem(name, allowAlias) is { } why ? throw NotExportable($"{what}: invalid device '{name}' ({why})") : name;

    private static void CheckMask(IPAddress mask, string what)
    {
        if (mask.AddressFamily != AddressFamily.InterNetwork)
            throw NotExportable($"{what} {mask} is not an IPv4 netmask");
        uint m = ToUInt(mask);
        if ((~m & (~m + 1)) != 0)
            throw NotExportable($"{what} {mask} is not a contiguous netmask");
    }

    private static uint ToUInt(IPAddress a)
    {
        var b = a.GetAddressBytes();
        return (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
    }

    private static IPAddress FromUInt(uint v) => new(new[] { (byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v });

    private static IPAddress Network(IPAddress a, IPAddress mask) => FromUInt(ToUInt(a) & ToUInt(mask));

    private static IPAddress Broadcast(IPAddress a, IPAddress mask) => FromUInt(ToUInt(a) | ~ToUInt(mask));

    internal static LvsException NotExportableError(string message) => NotExportable(message);

    private static LvsException NotExportable(string message)
        => new(NotExportableErrorId, LvsErrorKind.InvalidOperation, "Cannot write the configuration: " + message + ".");
}
