using System.Net.Sockets;
using LvsPS.Ipvs.Scheduling;
using LvsPS.Management.Text;

namespace LvsPS.Management.Config;

/// <summary>
/// keepalived.conf virtual_server blocks from service specs: what <see cref="KeepalivedConfParser"/> reads, written
/// so that it reads back the same and keepalived -t accepts it (see <see cref="ConfigurationWriter.WriteKeepalived(IEnumerable{ServiceSpec}, ConfigurationWriterOptions?)"/>).
/// </summary>
internal static partial class KeepalivedConfWriter
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>
    /// A service as a spec: its fields, its health settings and checkers (the director's, or those an import gave it),
    /// and what an import attached beyond them (ops, notify_up/down). A sorry server the director put in is left out:
    /// it is the service's sorry_server setting, not a real server of its configuration.
    /// </summary>
    public static ServiceSpec ToSpec(LvsService svc)
    {
        var attached = ConfigAttachments.Of(svc);
        var health = svc.Health ?? attached?.Health;
        var spec = new ServiceSpec
        {
            Protocol = svc.Protocol,
            Address = svc.VirtualAddress,
            Port = svc.Port,
            FirewallMark = svc.FirewallMark,
            Scheduler = svc.Scheduler,
            SchedulerFlags = svc.SchedulerFlags,
            PersistentTimeout = svc.PersistentTimeout,
            PersistenceNetmask = svc.PersistenceNetmask,
            OnePacket = attached?.OnePacket ?? false,
            Health = health,
        };
        foreach (var rs in svc.RealServers.Where(r => !r.IsSorryServer))
        {
            var a = ConfigAttachments.Of(rs);
            spec.RealServers.Add(new RealServerSpec
            {
                Address = rs.RealAddress,
                Port = rs.RealPort,
                Forwarding = rs.Forwarding,
                Weight = rs.Weight,
                UpperThreshold = rs.UpperThreshold,
                LowerThreshold = rs.LowerThreshold,
                HealthChecks = rs.HealthChecks.Count > 0 ? rs.HealthChecks : a?.HealthChecks ?? new List<HealthCheckSpec>(),
                InhibitOnFailure = rs.InhibitOnFailure || (a?.InhibitOnFailure ?? false),
                NotifyUp = a?.NotifyUp,
                NotifyDown = a?.NotifyDown,
            });
        }
        return spec;
    }

    public static string Write(IReadOnlyList<ServiceSpec> list, ConfigurationWriterOptions options)
    {
        var sb = new StringBuilder(1024);
        sb.Append("! keepalived.conf: LVS virtual servers written by LvsPS\n");
        if (!string.IsNullOrWhiteSpace(options.Comment))
            foreach (var line in options.Comment.Replace("\r", "").Split('\n'))
                sb.Append("! ").Append(line).Append('\n');
        var vrrp = options.VrrpInstances ?? Array.Empty<VrrpInstanceSpec>();
        GlobalDefs(sb, vrrp);
        foreach (var svc in list)
            Service(sb, svc, options);
        foreach (var instance in vrrp)
            VrrpInstance(sb, instance);
        return sb.ToString();
    }

    private static void Service(StringBuilder sb, ServiceSpec svc, ConfigurationWriterOptions options)
    {
        string name = svc.ToString();
        bool fwmark = svc.FirewallMark != 0;
        if (!fwmark && svc.Port == 0 && svc.PersistentTimeout == 0)
            throw ConfigurationWriter.NotExportableError($"{name}: a service on port 0 must be persistent");
        if (!fwmark && (svc.Address.Equals(IPAddress.None) || svc.Address.Equals(IPAddress.Any) || svc.Address.Equals(IPAddress.IPv6Any)))
            throw ConfigurationWriter.NotExportableError($"{name}: the service has no address");
        var realServers = Enumerable.Reverse(svc.RealServers).ToList(); // the order they were added in
        var methods = realServers.Select(r => Method(r.Forwarding)).ToList();
        string serviceMethod = methods.Count == 0 ? "DR" : methods.GroupBy(m => m).OrderByDescending(g => g.Count()).First().Key;

        sb.Append('\n');
        if (fwmark)
            sb.Append("virtual_server fwmark ").Append(svc.FirewallMark.ToString(Inv)).Append(" {\n");
        else
            sb.Append("virtual_server ").Append(svc.Address).Append(' ').Append(svc.Port.ToString(Inv)).Append(" {\n");
        if (fwmark && svc.Address.AddressFamily == AddressFamily.InterNetworkV6)
            sb.Append("    ip_family inet6\n");
        sb.Append("    lvs_sched ").Append(SchedulerFactory.Name(svc.Scheduler)).Append('\n');
        string prefix = svc.Scheduler switch { LvsScheduler.Sh => "sh-", LvsScheduler.Mh => "mh-", _ => "" };
        if (svc.SchedulerFlags.HasFlag(LvsSchedulerFlags.Fallback))
            sb.Append("    ").Append(prefix.Length > 0 ? prefix + "fallback" : "flag-1").Append('\n');
        if (svc.SchedulerFlags.HasFlag(LvsSchedulerFlags.Port))
            sb.Append("    ").Append(prefix.Length > 0 ? prefix + "port" : "flag-2").Append('\n');
        if (svc.SchedulerFlags.HasFlag(LvsSchedulerFlags.Flag3))
            sb.Append("    flag-3\n");
        if (svc.OnePacket)
            sb.Append("    ops\n");
        sb.Append("    lvs_method ").Append(serviceMethod).Append('\n');
        if (!fwmark)
            sb.Append("    protocol ").Append(IpvsadmFormatter.ProtocolName(svc.Protocol)).Append('\n');
        if (svc.PersistentTimeout > 0)
        {
            sb.Append("    persistence_timeout ").Append(svc.PersistentTimeout.ToString(Inv)).Append('\n');
            if (Granularity(svc.PersistenceNetmask) is { } g)
                sb.Append("    persistence_granularity ").Append(g).Append('\n');
        }
        var h = svc.Health;
        if (h is not null && options.HealthChecks)
        {
            sb.Append("    delay_loop ").Append(Timer(h.DelayLoopSec)).Append('\n');
            if (h.Alpha)
                sb.Append("    alpha\n");
            if (h.Omega)
                sb.Append("    omega\n");
            if (h.Quorum != 1)
                sb.Append("    quorum ").Append(h.Quorum.ToString(Inv)).Append('\n');
            if (h.Hysteresis != 0)
                sb.Append("    hysteresis ").Append(h.Hysteresis.ToString(Inv)).Append('\n');
            if (h.QuorumUp is not null)
                sb.Append("    quorum_up ").Append(Q(h.QuorumUp, name)).Append('\n');
            if (h.QuorumDown is not null)
                sb.Append("    quorum_down ").Append(Q(h.QuorumDown, name)).Append('\n');
            if (h.InhibitOnFailure)
                sb.Append("    inhibit_on_failure\n");
            if (h.VirtualHost is not null)
                sb.Append("    virtualhost ").Append(Q(h.VirtualHost, name)).Append('\n');
            if (h.SorryServer is { } sorry)
            {
                sb.Append("    sorry_server ").Append(sorry);
                if (h.SorryServerPort != 0)
                    sb.Append(' ').Append(h.SorryServerPort.ToString(Inv));
                sb.Append('\n');
                if (h.SorryServerInhibit)
                    sb.Append("    sorry_server_inhibit\n");
                if (h.SorryServerForwarding is { } sf)
                    sb.Append("    sorry_server_lvs_method ").Append(Method(sf)).Append('\n');
            }
        }
        if (realServers.Count == 0)
            sb.Append("    ! no real servers: keepalived ignores a virtual_server without any\n");
        bool serviceInhibit = options.HealthChecks && (h?.InhibitOnFailure ?? false);
        foreach (var rs in realServers)
        {
            string rsName = $"the real server {rs.Address}:{rs.Port} of {name}";
            // keepalived clears the port of a DR or TUN real server of a fwmark service (the packet keeps its port)
            bool portCleared = fwmark && rs.Forwarding != LvsForwarding.Masq && rs.Port != 0;
            sb.Append("\n    real_server ").Append(rs.Address);
            if (rs.Port != 0 && !portCleared)
                sb.Append(' ').Append(rs.Port.ToString(Inv));
            sb.Append(" {\n");
            if (portCleared)
                sb.Append("        ! port ").Append(rs.Port.ToString(Inv)).Append(" not written: keepalived clears the port of a DR or TUN real server of a fwmark service\n");
            sb.Append("        weight ").Append(rs.Weight.ToString(Inv)).Append('\n');
            if (Method(rs.Forwarding) != serviceMethod)
                sb.Append("        lvs_method ").Append(Method(rs.Forwarding)).Append('\n');
            if (rs.UpperThreshold != 0)
                sb.Append("        uthreshold ").Append(rs.UpperThreshold.ToString(Inv)).Append('\n');
            if (rs.LowerThreshold != 0)
                sb.Append("        lthreshold ").Append(rs.LowerThreshold.ToString(Inv)).Append('\n');
            if (options.HealthChecks)
            {
                if (rs.InhibitOnFailure != serviceInhibit)
                    sb.Append(rs.InhibitOnFailure ? "        inhibit_on_failure\n" : "        inhibit_on_failure false\n");
                if (rs.NotifyUp is not null)
                    sb.Append("        notify_up ").Append(Q(rs.NotifyUp, rsName)).Append('\n');
                if (rs.NotifyDown is not null)
                    sb.Append("        notify_down ").Append(Q(rs.NotifyDown, rsName)).Append('\n');
                foreach (var c in rs.HealthChecks)
                    Checker(sb, c, rsName);
            }
            sb.Append("    }\n");
        }
        sb.Append("}\n");
    }

    private static void Checker(StringBuilder sb, HealthCheckSpec c, string owner)
    {
        const string I = "            ";
        sb.Append("        ").Append(c.KeepalivedName).Append(" {\n");
        if (c.Type != LvsHealthCheckType.Misc)
        {
            if (c.ConnectAddress is { } ci)
                sb.Append(I).Append("connect_ip ").Append(ci).Append('\n');
            if (c.ConnectPort != 0)
                sb.Append(I).Append("connect_port ").Append(c.ConnectPort.ToString(Inv)).Append('\n');
            if (c.BindAddress is { } bi)
                sb.Append(I).Append("bindto ").Append(bi).Append('\n');
            if (c.BindPort != 0)
                sb.Append(I).Append("bind_port ").Append(c.BindPort.ToString(Inv)).Append('\n');
        }
        if (c.ConnectTimeoutSec is { } ct && c.Type != LvsHealthCheckType.Misc)
            sb.Append(I).Append("connect_timeout ").Append(Timer(ct)).Append('\n');
        if (c.Retry is { } retry)
            sb.Append(I).Append("retry ").Append(retry.ToString(Inv)).Append('\n');
        if (c.DelayBeforeRetrySec is { } dbr)
            sb.Append(I).Append("delay_before_retry ").Append(Timer(dbr)).Append('\n');
        if (c.IntervalSec is { } dl)
            sb.Append(I).Append("delay_loop ").Append(Timer(dl)).Append('\n');
        if (c.WarmupSec is { } wu)
            sb.Append(I).Append("warmup ").Append(Timer(wu)).Append('\n');
        if (c.Alpha is { } alpha)
            sb.Append(I).Append(alpha ? "alpha\n" : "alpha false\n");
        switch (c.Type)
        {
            case LvsHealthCheckType.Http or LvsHealthCheckType.Ssl:
                if (c.Urls.Count == 0)
                    throw ConfigurationWriter.NotExportableError($"{owner}: its {c.KeepalivedName} has no url (keepalived would ignore the checker)");
                if (c.HttpProtocol is not null)
                    sb.Append(I).Append("http_protocol ").Append(c.HttpProtocol).Append('\n');
                if (c.VirtualHost is not null)
                    sb.Append(I).Append("virtualhost ").Append(Q(c.VirtualHost, owner)).Append('\n');
                if (c.Type == LvsHealthCheckType.Ssl && c.EnableSni)
                    sb.Append(I).Append("enable_sni\n");
                foreach (var u in c.Urls)
                {
                    sb.Append(I).Append("url {\n");
                    sb.Append(I).Append("    path ").Append(Q(u.Path, owner)).Append('\n');
                    if (u.Digest is not null)
                        sb.Append(I).Append("    digest ").Append(Q(u.Digest, owner)).Append('\n');
                    if (u.StatusCode is not null)
                        sb.Append(I).Append("    status_code ").Append(u.StatusCode).Append('\n');
                    if (u.VirtualHost is not null)
                        sb.Append(I).Append("    virtualhost ").Append(Q(u.VirtualHost, owner)).Append('\n');
                    sb.Append(I).Append("}\n");
                }
                break;
            case LvsHealthCheckType.Misc:
                if (string.IsNullOrEmpty(c.MiscPath))
                    throw ConfigurationWriter.NotExportableError($"{owner}: its MISC_CHECK has no misc_path (keepalived would ignore the checker)");
                sb.Append(I).Append("misc_path ").Append(Q(c.MiscPath, owner)).Append('\n');
                if (c.MiscTimeoutSec is { } mt)
                    sb.Append(I).Append("misc_timeout ").Append(Timer(mt)).Append('\n');
                if (c.MiscDynamic)
                    sb.Append(I).Append("misc_dynamic\n");
                break;
        }
        sb.Append("        }\n");
    }

    private static string Method(LvsForwarding f) => f switch
    {
        LvsForwarding.Masq => "NAT",
        LvsForwarding.Tunnel => "TUN",
        _ => "DR", // Route, and Local (ipvsadm saves it as -g too)
    };

    /// <summary>An IPv4 netmask as written, an IPv6 mask as its prefix length; null for a host mask.</summary>
    private static string? Granularity(IPAddress? mask)
    {
        if (mask is null || mask.Equals(IPAddress.Broadcast))
            return null;
        if (mask.AddressFamily == AddressFamily.InterNetwork)
            return mask.ToString();
        int len = 0;
        foreach (var b in mask.GetAddressBytes())
            for (int bit = 7; bit >= 0 && (b >> bit & 1) == 1; bit--)
                len++;
        return len is 0 or 128 ? null : len.ToString(Inv);
    }

    private static string Timer(double seconds) => Math.Round(seconds, 6).ToString("0.######", Inv);

    /// <summary>A string value: bare when it is one plain word, else double-quoted (keepalived has no escapes: a '"' is refused).</summary>
    private static string Q(string value, string owner)
    {
        if (value.Contains('"') || value.Contains('\n') || value.Contains('\r'))
            throw ConfigurationWriter.NotExportableError($"{owner}: the value '{value}' holds a double quote or a line break, which keepalived.conf cannot express");
        bool plain = value.Length > 0 && !value.Any(ch => char.IsWhiteSpace(ch) || ch is '#' or '!' or '{' or '}' or '$' or '@' or '~');
        return plain ? value : "\"" + value + "\"";
    }
}
