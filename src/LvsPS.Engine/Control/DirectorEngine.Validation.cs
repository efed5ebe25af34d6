// DirectorEngine, control plane (namespace LvsPS.Engine.DataPath): the checks of the values the control operations
// receive (addresses, ports, weights, forwarding, persistence, thresholds, mark rules), with their ErrorIds and
// messages. Moved here unchanged from the one-file engine; meant to give way to the shared validator.
using System.Net;
using System.Net.Sockets;
using LvsPS.Ipvs.Connections;
using LvsPS.Ipvs.Director;
using LvsPS.Ipvs.Model;
using LvsPS.Ipvs.Specs;

namespace LvsPS.Engine.DataPath;

internal sealed partial class DirectorEngine
{
    private static uint ValidateAddress(IPAddress? a, string what)
    {
        if (a is null || a.AddressFamily != AddressFamily.InterNetwork)
            throw new LvsException(LvsErrorIds.InvalidAddress, LvsErrorKind.InvalidArgument,
                $"The {what} '{a}' is not an IPv4 address; the LvsPS engine forwards IPv4 only.", a);
        uint v = Frames.ToUInt32(a);
        byte first = (byte)(v >> 24);
        if (v == 0 || v == 0xffffffff || first == 127 || first >= 224)
            throw new LvsException(LvsErrorIds.InvalidAddress, LvsErrorKind.InvalidArgument,
                $"The {what} '{a}' is not a unicast address a director can serve.", a);
        return v;
    }

    private static void ValidatePort(int port, string what)
    {
        if (port < 1 || port > 65535)
            throw new LvsException(LvsErrorIds.InvalidPort, LvsErrorKind.InvalidArgument,
                $"The {what} {port} is out of range; use 1..65535 (port 0 needs a persistent service, which is not supported yet).", port);
    }

    private static void ValidateWeight(int weight)
    {
        if (weight < 0 || weight > 65535)
            throw new LvsException(LvsErrorIds.InvalidWeight, LvsErrorKind.InvalidArgument,
                $"The weight {weight} is out of range; use 0..65535 (0 quiesces the real server).", weight);
    }

    private static void ValidateForwarding(LvsForwarding f)
    {
        if (f == LvsForwarding.Local || !Enum.IsDefined(f))
            throw new LvsException(LvsErrorIds.ForwardingNotImplemented, LvsErrorKind.NotImplemented,
                $"The forwarding method '{f}' is not implemented by the LvsPS engine; use Route (direct routing), Masq (NAT) or Tunnel (IP-in-IP).", f);
    }

    /// <summary>Checks -p and -M; returns the persistence mask in host order.</summary>
    private static uint ValidatePersistence(ServiceSpec spec)
    {
        if (spec.PersistentTimeout > LvsTimeouts.MaxSeconds)
            throw new LvsException(LvsErrorIds.InvalidPersistence, LvsErrorKind.InvalidArgument,
                $"The persistence timeout {spec.PersistentTimeout} s is out of range; use 1..{LvsTimeouts.MaxSeconds} (0 = not persistent).", spec.PersistentTimeout);
        if (spec.PersistenceNetmask is null) return 0xffffffff;
        if (spec.PersistenceNetmask.AddressFamily != AddressFamily.InterNetwork)
            throw new LvsException(LvsErrorIds.InvalidPersistence, LvsErrorKind.InvalidArgument,
                $"The persistence netmask '{spec.PersistenceNetmask}' is not an IPv4 netmask.", spec.PersistenceNetmask);
        uint m = Frames.ToUInt32(spec.PersistenceNetmask);
        // A netmask is ones then zeros.
        if (m != 0 && (~m & (~m + 1)) != 0)
            throw new LvsException(LvsErrorIds.InvalidPersistence, LvsErrorKind.InvalidArgument,
                $"'{spec.PersistenceNetmask}' is not a netmask (ones followed by zeros).", spec.PersistenceNetmask);
        return m;
    }

    private static void ValidateThresholds(RealServerSpec rs)
    {
        if (rs.UpperThreshold < 0 || rs.LowerThreshold < 0)
            throw new LvsException(LvsErrorIds.InvalidThreshold, LvsErrorKind.InvalidArgument,
                $"Connection thresholds cannot be negative (upper {rs.UpperThreshold}, lower {rs.LowerThreshold}).", rs.ToString());
        // As ip_vs_add_dest/ip_vs_edit_dest: the lower threshold may not exceed the upper one (even 0).
        if (rs.LowerThreshold > rs.UpperThreshold)
            throw new LvsException(LvsErrorIds.InvalidThreshold, LvsErrorKind.InvalidArgument,
                $"The lower threshold {rs.LowerThreshold} is above the upper threshold {rs.UpperThreshold} for {rs}.", rs.ToString());
    }

    private (uint, ushort) ValidateRealServer(ServiceSpec svc, RealServerSpec rs)
    {
        uint ra = ValidateAddress(rs.Address, "real server address");
        ValidateWeight(rs.Weight);
        ValidateThresholds(rs);
        ValidateForwarding(rs.Forwarding);
        // Direct routing and tunnelling cannot change the port: ipvsadm forces the service port for -g and -i.
        // A firewall-mark service has no port: its real servers keep the port given (0 = the client's).
        ushort rp = svc.FirewallMark != 0 ? rs.Port : rs.Forwarding != LvsForwarding.Masq || rs.Port == 0 ? svc.Port : rs.Port;
        if (svc.FirewallMark == 0 || rp != 0) ValidatePort(rp, "real server port");
        return (ra, rp);
    }

    private static void ValidateMarkRule(MarkRuleSpec r)
    {
        if (r.Mark == 0)
            throw new LvsException(LvsErrorIds.InvalidFirewallMark, LvsErrorKind.InvalidArgument, "A firewall mark must be 1 or more.", r.Mark);
        if (r.Address is null || r.Address.AddressFamily != AddressFamily.InterNetwork)
            throw new LvsException(LvsErrorIds.InvalidAddress, LvsErrorKind.InvalidArgument, $"The rule address '{r.Address}' is not an IPv4 address.", r.Address);
        if (r.PrefixLength < 1 || r.PrefixLength > 32)
            throw new LvsException(LvsErrorIds.InvalidAddress, LvsErrorKind.InvalidArgument, $"The prefix length {r.PrefixLength} is out of range; use 1..32.", r.PrefixLength);
        uint mask = uint.MaxValue << (32 - r.PrefixLength);
        if ((Frames.ToUInt32(r.Address) & ~mask) != 0)
            throw new LvsException(LvsErrorIds.InvalidAddress, LvsErrorKind.InvalidArgument, $"{r.Address}/{r.PrefixLength} has host bits set.", r.Address);
        if (r.Protocol is not null && !Enum.IsDefined(r.Protocol.Value))
            throw new LvsException(LvsErrorIds.InvalidProtocol, LvsErrorKind.InvalidArgument, $"The protocol '{r.Protocol}' is not supported; use Tcp, Udp or Sctp.", r.Protocol);
        if (r.PortTo < r.PortFrom || (r.PortFrom == 0 && r.PortTo != 0))
            throw new LvsException(LvsErrorIds.InvalidPort, LvsErrorKind.InvalidArgument, $"The port range {r.PortFrom}-{r.PortTo} is not valid; use 1..65535 with the first not above the last (0-0 = any port).", $"{r.PortFrom}-{r.PortTo}");
    }
}
