using System.Net.Sockets;
using System.Numerics;
using LvsPS.Ipvs.Connections;
using LvsPS.Ipvs.Scheduling;

namespace LvsPS.Ipvs.Specs;

/// <summary>
/// The one validator of the specs: the rules kernel IPVS (and ipvsadm) apply to a service, a real server, the
/// timeouts and a firewall-mark rule, with LvsPS's stable ErrorIds and one message each. The cmdlets call it to
/// refuse bad input early, lvsd's engine before it changes its table, and the ipvsadm command builder before
/// anything reaches a remote shell; so a value is refused the same way wherever it is given.
/// What only one director cannot do (lvsd forwards IPv4 only, and has no Local forwarding) is that director's
/// own check, made after these.
/// </summary>
public static class SpecValidator
{
    /// <summary>The longest timeout and persistence IPVS takes: 31 days, in seconds.</summary>
    public const int MaxSeconds = LvsTimeouts.MaxSeconds;

    /// <summary>
    /// A unicast address a director can serve: IPv4 not 0.0.0.0, 255.255.255.255, 127/8 or 224/4 and above; IPv6 not
    /// ::, ::1 or multicast, and without a scope (ipvsadm cannot pass one).
    /// </summary>
    public static void Address(IPAddress? address, string what)
    {
        string? reason = null;
        if (address is null) reason = "no address was given";
        else if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            uint v = (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
            if (v == 0 || v == 0xffffffff || b[0] == 127 || b[0] >= 224)
                reason = "it is not a unicast address a director can serve";
        }
        else if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.IPv6Loopback) || address.IsIPv6Multicast)
                reason = "it is not a unicast address a director can serve";
            else if (address.ScopeId != 0)
                reason = "it carries a scope (%zone), which ipvsadm cannot pass to the kernel";
        }
        else reason = "it is neither IPv4 nor IPv6";
        if (reason != null)
            throw new LvsException(LvsErrorIds.InvalidAddress, LvsErrorKind.InvalidArgument,
                $"The {what} '{address}' cannot be used: {reason}.", address);
    }

    /// <summary>A port 1..65535; <paramref name="what"/> names it in the message ("port", "real server port").</summary>
    public static ushort Port(int port, string what)
    {
        if (port < 1 || port > 65535)
            throw new LvsException(LvsErrorIds.InvalidPort, LvsErrorKind.InvalidArgument,
                $"The {what} {port} is out of range; use 1..65535.", port);
        return (ushort)port;
    }

    /// <summary>
    /// A virtual service's port: 1..65535, or 0 = every port of the VIP (the kernel's port-zero service, which
    /// takes the packets to the VIP that no service of their own port takes; <see cref="PortZero"/> asks it to be
    /// persistent).
    /// </summary>
    public static ushort ServicePort(int port) => port == 0 ? (ushort)0 : Port(port, "port");

    /// <summary>
    /// A service on port 0 (every port) must be persistent, as ipvsadm refuses it otherwise ("Zero port specified
    /// for non-persistent service") and the kernel schedules a port-zero service only with persistence.
    /// </summary>
    public static void PortZero(ServiceSpec service)
    {
        if (service.FirewallMark == 0 && service.Port == 0 && service.PersistentTimeout == 0)
            throw new LvsException(LvsErrorIds.InvalidPort, LvsErrorKind.InvalidArgument,
                $"The port 0 (every port) of {service} is taken only by a persistent service; give a persistence timeout, or a port 1..65535 (ipvsadm: Zero port specified for non-persistent service).",
                (int)service.Port);
    }

    /// <summary>A weight 0..65535 (0 quiesces the real server).</summary>
    public static void Weight(int weight)
    {
        if (weight < 0 || weight > 65535)
            throw new LvsException(LvsErrorIds.InvalidWeight, LvsErrorKind.InvalidArgument,
                $"The weight {weight} is out of range; use 0..65535 (0 quiesces the real server).", weight);
    }

    /// <summary>Tcp, Udp or Sctp.</summary>
    public static void Protocol(LvsProtocol protocol)
    {
        if (protocol is not (LvsProtocol.Tcp or LvsProtocol.Udp or LvsProtocol.Sctp))
            throw new LvsException(LvsErrorIds.InvalidProtocol, LvsErrorKind.InvalidArgument,
                $"The protocol '{protocol}' is not supported; use Tcp, Udp or Sctp.", protocol);
    }

    /// <summary>A known scheduler, with known flags (flag-1..3 go with every scheduler, as the kernel takes them).</summary>
    public static void Scheduler(LvsScheduler scheduler, LvsSchedulerFlags flags)
    {
        if (!Enum.IsDefined(scheduler))
            throw new LvsException(LvsErrorIds.InvalidScheduler, LvsErrorKind.InvalidArgument,
                $"Unknown scheduler value {(int)scheduler}; known: {string.Join(", ", Enum.GetValues<LvsScheduler>().Select(SchedulerFactory.Name))}.",
                scheduler);
        SchedulerFactory.ValidateFlags(scheduler, flags);
    }

    /// <summary>A defined forwarding method (Route, Masq, Tunnel or Local).</summary>
    public static void Forwarding(LvsForwarding forwarding)
    {
        if (!Enum.IsDefined(forwarding))
            throw new LvsException(LvsErrorIds.ForwardingNotImplemented, LvsErrorKind.InvalidArgument,
                $"Unknown forwarding method value {(int)forwarding}; use Route, Masq or Tunnel.", forwarding);
    }

    /// <summary>
    /// Thresholds are 0..2147483647 (ipvsadm), and the kernel refuses a lower threshold above the upper one, even
    /// when the upper one is 0 (ip_vs_add_dest/ip_vs_edit_dest: -ERANGE).
    /// </summary>
    public static void Thresholds(RealServerSpec rs)
    {
        if (rs.UpperThreshold < 0 || rs.LowerThreshold < 0)
            throw new LvsException(LvsErrorIds.InvalidThreshold, LvsErrorKind.InvalidArgument,
                $"Connection thresholds cannot be negative (upper {rs.UpperThreshold}, lower {rs.LowerThreshold}).", rs.ToString());
        if (rs.LowerThreshold > rs.UpperThreshold)
            throw new LvsException(LvsErrorIds.InvalidThreshold, LvsErrorKind.InvalidArgument,
                rs.UpperThreshold == 0
                    ? $"The lower threshold {rs.LowerThreshold} needs an upper threshold at least as high for {rs}; kernel IPVS refuses a lower threshold without one."
                    : $"The lower threshold {rs.LowerThreshold} is above the upper threshold {rs.UpperThreshold} for {rs}.",
                rs.ToString());
    }

    /// <summary>The service's address family: its Address's (a fwmark service without one is IPv4, as ipvsadm -f without -6).</summary>
    public static AddressFamily FamilyOf(ServiceSpec service) =>
        service.Address?.AddressFamily == AddressFamily.InterNetworkV6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;

    /// <summary>
    /// A service's identity: protocol, address, port; for a firewall-mark service only that its Address, when given,
    /// is an IPv4 or IPv6 address (it tells the family).
    /// </summary>
    public static void ServiceIdentity(ServiceSpec? service)
    {
        if (service is null)
            throw new LvsException(LvsErrorIds.ServiceNotFound, LvsErrorKind.InvalidArgument, "No service was named.");
        if (service.FirewallMark != 0)
        {
            if (service.Address is not null && service.Address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
                throw new LvsException(LvsErrorIds.InvalidAddress, LvsErrorKind.InvalidArgument,
                    $"The address '{service.Address}' of {service} is neither IPv4 nor IPv6.", service.Address);
            return;
        }
        Protocol(service.Protocol);
        Address(service.Address, "virtual address");
        ServicePort(service.Port);
    }

    /// <summary>
    /// Persistence (-p, -M): a timeout up to 31 days, and a netmask of the service's family made of ones then
    /// zeros. Returns the prefix length the netmask gives (32 or 128 when there is none), so a director can apply it.
    /// </summary>
    public static int Persistence(ServiceSpec service)
    {
        if (service.PersistentTimeout > MaxSeconds)
            throw new LvsException(LvsErrorIds.InvalidPersistence, LvsErrorKind.InvalidArgument,
                $"The persistence timeout {service.PersistentTimeout} s is out of range; use 1..{MaxSeconds} (0 = not persistent).",
                service.PersistentTimeout);
        bool v6 = FamilyOf(service) == AddressFamily.InterNetworkV6;
        var mask = service.PersistenceNetmask;
        if (mask is null) return v6 ? 128 : 32;
        if (mask.AddressFamily != FamilyOf(service))
            throw new LvsException(LvsErrorIds.InvalidPersistence, LvsErrorKind.InvalidArgument,
                $"The persistence netmask '{mask}' is not an {(v6 ? "IPv6" : "IPv4")} netmask for {service}.", mask);
        var bytes = mask.GetAddressBytes();
        int prefix = 0;
        foreach (var b in bytes) prefix += BitOperations.PopCount(b);
        for (int bit = 0; bit < bytes.Length * 8; bit++)
        {
            bool one = (bytes[bit / 8] & (0x80 >> (bit % 8))) != 0;
            if (one != bit < prefix)
                throw new LvsException(LvsErrorIds.InvalidPersistence, LvsErrorKind.InvalidArgument,
                    $"'{mask}' is not a netmask (ones followed by zeros).", mask);
        }
        if (v6 && prefix == 0)
            throw new LvsException(LvsErrorIds.InvalidPersistence, LvsErrorKind.InvalidArgument,
                $"The IPv6 persistence prefix must be 1..128, not 0 ('{mask}').", mask);
        return prefix;
    }

    /// <summary>
    /// A real server of <paramref name="service"/>: address (not the service's own VIP, but with Local forwarding),
    /// weight, thresholds, forwarding, family, port. Returns the port the director uses: direct routing and
    /// tunnelling keep the service port whatever was given (ipvsadm forces it for -g and -i), NAT the one given (0 = the service's); a firewall-mark service has no port of its
    /// own, so its real servers keep the port given (0 = the port the packet was sent to); on a port-zero service
    /// direct routing and tunnelling take port 0, NAT the port given.
    /// </summary>
    public static ushort RealServer(ServiceSpec service, RealServerSpec? rs)
    {
        if (rs is null)
            throw new LvsException(LvsErrorIds.RealServerNotFound, LvsErrorKind.InvalidArgument, "No real server was named.");
        Address(rs.Address, "real server address");
        Weight(rs.Weight);
        Thresholds(rs);
        Forwarding(rs.Forwarding);
        MacAddress(rs.MacAddress);
        if (rs.Address.AddressFamily != FamilyOf(service) && rs.Forwarding != LvsForwarding.Tunnel)
            throw new LvsException(LvsErrorIds.InvalidAddress, LvsErrorKind.InvalidArgument,
                $"The real server {rs.Address} and the service {service} have different address families; only Tunnel real servers may.", rs.Address);
        // The service's own VIP as its real server sends every packet back to the director (a loop); only Local
        // forwarding names the director itself (the kernel's LOCALNODE destination).
        if (service.FirewallMark == 0 && rs.Forwarding != LvsForwarding.Local && rs.Address.Equals(service.Address))
            throw new LvsException(LvsErrorIds.InvalidAddress, LvsErrorKind.InvalidArgument,
                $"The real server {rs.Address} is the virtual address of {service} itself: its packets would come back to the director. Give a real server's own address (or -Forwarding Local to serve on the director).", rs.Address);
        var seen = new HashSet<LvsHealthCheckType>();
        foreach (var check in rs.HealthChecks ?? new List<HealthCheckSpec>())
        {
            HealthCheck(check);
            if (!seen.Add(check.Type))
                throw new LvsException(LvsErrorIds.HealthCheckExists, LvsErrorKind.ResourceExists,
                    $"The real server {rs.Address} has two {check.KeepalivedName} checkers; give it one (an HTTP_GET takes several urls).", check.Type);
        }
        if (service.FirewallMark != 0) return rs.Port;
        // A port-zero service: NAT keeps the port given (0 = the port the packet was sent to), the others 0, as
        // ipvsadm forces the service port for -g and -i.
        if (service.Port == 0) return rs.Forwarding == LvsForwarding.Masq ? rs.Port : (ushort)0;
        ushort port = rs.Forwarding == LvsForwarding.Masq && rs.Port != 0 ? rs.Port : service.Port;
        return Port(port, "real server port");
    }

    /// <summary>
    /// A static real-server MAC: six bytes as "02:4c:56:00:00:03" (or with '-'), a unicast address (group bit clear),
    /// not all zeros; null = none. Returns the six bytes (null for none).
    /// </summary>
    public static byte[]? MacAddress(string? mac)
    {
        if (mac is null) return null;
        var parts = mac.Split(mac.Contains('-') ? '-' : ':');
        var bytes = new byte[6];
        bool ok = parts.Length == 6;
        for (int i = 0; ok && i < 6; i++)
            ok = parts[i].Length is 1 or 2 && byte.TryParse(parts[i], System.Globalization.NumberStyles.AllowHexSpecifier, null, out bytes[i]);
        string? reason = !ok ? "it is not six hex bytes such as 02:4c:56:00:00:03"
            : (bytes[0] & 1) != 0 ? "it is a group (multicast or broadcast) address"
            : bytes.All(b => b == 0) ? "it is all zeros" : null;
        if (reason is not null)
            throw new LvsException(LvsErrorIds.InvalidArgument, LvsErrorKind.InvalidArgument,
                $"The MAC address '{mac}' cannot be a real server's: {reason}.", mac);
        return bytes;
    }

    /// <summary>A MAC as lvsd writes it: lower case, colons ("02:4c:56:00:00:03").</summary>
    public static string MacText(ReadOnlySpan<byte> mac) =>
        $"{mac[0]:x2}:{mac[1]:x2}:{mac[2]:x2}:{mac[3]:x2}:{mac[4]:x2}:{mac[5]:x2}";

    private static LvsException BadCheck(string message, object? value) =>
        new(LvsErrorIds.InvalidHealthCheck, LvsErrorKind.InvalidArgument, message, value);

    private static void Seconds(double? value, string what, bool zeroAllowed)
    {
        if (value is null) return;
        if (double.IsNaN(value.Value) || value < 0 || (!zeroAllowed && value == 0) || value > MaxSeconds)
            throw BadCheck($"The {what} {value.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)} s is out of range; use {(zeroAllowed ? $"0 to {MaxSeconds} s" : $"more than 0, up to {MaxSeconds} s")}.", value);
    }

    /// <summary>
    /// A checker as keepalived would take it: a known type; delay_loop and connect_timeout above 0; retry,
    /// delay_before_retry and warmup not negative; each url path starting with '/', status codes 100..599 (or
    /// ranges of them), a digest of 32 hex digits; http_protocol 1.0, 1.0C or 1.1; a MISC_CHECK with a command.
    /// </summary>
    public static void HealthCheck(HealthCheckSpec? check)
    {
        if (check is null) throw BadCheck("No health check was given.", null);
        if (!Enum.IsDefined(check.Type))
            throw BadCheck($"Unknown health check type value {(int)check.Type}; use Tcp, Http, Ssl or Misc.", check.Type);
        Seconds(check.IntervalSec, "interval (delay_loop)", zeroAllowed: false);
        Seconds(check.ConnectTimeoutSec, "timeout (connect_timeout)", zeroAllowed: false);
        Seconds(check.DelayBeforeRetrySec, "delay before retry", zeroAllowed: true);
        Seconds(check.WarmupSec, "warmup", zeroAllowed: true);
        Seconds(check.MiscTimeoutSec, "command timeout (misc_timeout)", zeroAllowed: false);
        if (check.Retry is < 0 or > 1000)
            throw BadCheck($"The retry count {check.Retry} is out of range; use 0..1000.", check.Retry);
        // connect_ip may be any host address, loopback included (a check through a local agent or proxy).
        foreach (var (a, what) in new[] { (check.ConnectAddress, "health check address (connect_ip)"), (check.BindAddress, "health check source address (bindto)") })
            if (a is not null && (a.Equals(IPAddress.Any) || a.Equals(IPAddress.IPv6Any) || a.Equals(IPAddress.Broadcast) || a.IsIPv6Multicast
                                  || (a.AddressFamily == AddressFamily.InterNetwork && a.GetAddressBytes()[0] >= 224)))
                throw BadCheck($"The {what} '{a}' is not a host address.", a);
        if (check.Type is LvsHealthCheckType.Http or LvsHealthCheckType.Ssl)
        {
            if (check.HttpProtocol is not (null or "1.0" or "1.0C" or "1.1"))
                throw BadCheck($"The HTTP protocol '{check.HttpProtocol}' is not one of 1.0, 1.0C, 1.1.", check.HttpProtocol);
            foreach (var url in check.Urls ?? new List<HttpUrlSpec>())
            {
                if (string.IsNullOrEmpty(url.Path) || url.Path[0] != '/' || url.Path.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
                    throw BadCheck($"The path '{url.Path}' is not valid: it must start with '/' and hold no spaces.", url.Path);
                if (url.Digest is not null && (url.Digest.Length != 32 || !url.Digest.All(Uri.IsHexDigit)))
                    throw BadCheck($"The digest '{url.Digest}' is not an MD5 digest (32 hex digits, as genhash prints it).", url.Digest);
                StatusCodes(url.StatusCode);
                if (url.VirtualHost is { } vh && (vh.Length == 0 || vh.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
                    throw BadCheck($"The virtual host '{vh}' is not a host name.", vh);
            }
        }
        if (check.Type == LvsHealthCheckType.Misc && string.IsNullOrWhiteSpace(check.MiscPath))
            throw BadCheck("A MISC_CHECK needs a command (misc_path).", check.MiscPath);
    }

    /// <summary>keepalived's status_code list: codes 100..599 and ranges lo-hi, separated by spaces.</summary>
    public static void StatusCodes(string? spec)
    {
        if (spec is null) return;
        var parts = spec.Split(new[] { ' ', ',' }, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) throw BadCheck("The status code list is empty.", spec);
        foreach (var part in parts)
        {
            var range = part.Split('-');
            bool ok = range.Length is 1 or 2 && range.All(x => int.TryParse(x, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int c) && c is >= 100 and <= 599);
            if (ok && range.Length == 2 && int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture) > int.Parse(range[1], System.Globalization.CultureInfo.InvariantCulture)) ok = false;
            if (!ok) throw BadCheck($"The status code '{part}' is out of range; use 100..599, or a range such as 200-299.", part);
        }
    }

    /// <summary>A service's health settings: delay_loop above 0, quorum 1 or more, hysteresis 0 or more, a unicast sorry server.</summary>
    public static void ServiceHealth(ServiceHealthSpec? health)
    {
        if (health is null) return;
        Seconds(health.DelayLoopSec, "delay_loop", zeroAllowed: false);
        if (health.Quorum < 1)
            throw BadCheck($"The quorum {health.Quorum} is out of range; use 1 or more (the total weight of live real servers).", health.Quorum);
        if (health.Hysteresis < 0)
            throw BadCheck($"The hysteresis {health.Hysteresis} is out of range; use 0 or more.", health.Hysteresis);
        if (health.SorryServer is not null) Address(health.SorryServer, "sorry server address");
        if (health.SorryServerForwarding is { } f) Forwarding(f);
    }

    /// <summary>A whole service as added: identity, scheduler, persistence, and every real server valid and none twice.</summary>
    public static void Service(ServiceSpec? service)
    {
        ServiceIdentity(service);
        Scheduler(service!.Scheduler, service.SchedulerFlags);
        Persistence(service);
        PortZero(service);
        ServiceHealth(service.Health);
        var seen = new HashSet<(IPAddress, ushort)>();
        foreach (var rs in service.RealServers ?? new List<RealServerSpec>())
        {
            var port = RealServer(service, rs);
            if (!seen.Add((rs.Address, port)))
                throw new LvsException(LvsErrorIds.RealServerExists, LvsErrorKind.ResourceExists,
                    $"The real server {AddressPort(rs.Address, port)} is listed twice for {service}.", rs.ToString());
        }
    }

    /// <summary>ipvsadm --set tcp tcpfin udp: each 0 (leave as it is) up to 31 days.</summary>
    public static void Timeouts(TimeoutSpec? timeouts)
    {
        ArgumentNullException.ThrowIfNull(timeouts);
        foreach (var (name, v) in new[] { ("tcp", timeouts.Tcp), ("tcpfin", timeouts.TcpFin), ("udp", timeouts.Udp) })
            if (v < 0 || v > MaxSeconds)
                throw new LvsException(LvsErrorIds.InvalidTimeout, LvsErrorKind.InvalidArgument,
                    $"The {name} timeout {v} s is out of range; use 1..{MaxSeconds} (0 leaves it unchanged).", v);
    }

    /// <summary>A firewall-mark rule: a mark, an IPv4 network without host bits, a protocol, a port range.</summary>
    public static void MarkRule(MarkRuleSpec? rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (rule.Mark == 0)
            throw new LvsException(LvsErrorIds.InvalidFirewallMark, LvsErrorKind.InvalidArgument, "A firewall mark must be 1 or more.", rule.Mark);
        if (rule.Address is null || rule.Address.AddressFamily != AddressFamily.InterNetwork)
            throw new LvsException(LvsErrorIds.InvalidAddress, LvsErrorKind.InvalidArgument,
                $"The rule address '{rule.Address}' is not an IPv4 address.", rule.Address);
        if (rule.PrefixLength < 1 || rule.PrefixLength > 32)
            throw new LvsException(LvsErrorIds.InvalidAddress, LvsErrorKind.InvalidArgument,
                $"The prefix length {rule.PrefixLength} is out of range; use 1..32.", rule.PrefixLength);
        var b = rule.Address.GetAddressBytes();
        uint v = (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
        uint mask = uint.MaxValue << (32 - rule.PrefixLength);
        if ((v & ~mask) != 0)
            throw new LvsException(LvsErrorIds.InvalidAddress, LvsErrorKind.InvalidArgument, $"{rule.Address}/{rule.PrefixLength} has host bits set.", rule.Address);
        if (rule.Protocol is not null && !Enum.IsDefined(rule.Protocol.Value))
            throw new LvsException(LvsErrorIds.InvalidProtocol, LvsErrorKind.InvalidArgument,
                $"The protocol '{rule.Protocol}' is not supported; use Tcp, Udp or Sctp.", rule.Protocol);
        if (rule.PortTo < rule.PortFrom || (rule.PortFrom == 0 && rule.PortTo != 0))
            throw new LvsException(LvsErrorIds.InvalidPort, LvsErrorKind.InvalidArgument,
                $"The port range {rule.PortFrom}-{rule.PortTo} is not valid; use 1..65535 with the first not above the last (0-0 = any port).",
                $"{rule.PortFrom}-{rule.PortTo}");
    }

    /// <summary>"10.0.0.1:80" or "[2001:db8::1]:80", as ipvsadm reads and prints them.</summary>
    public static string AddressPort(IPAddress address, int port) =>
        address.AddressFamily == AddressFamily.InterNetworkV6
            ? "[" + address + "]:" + port.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : address + ":" + port.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
