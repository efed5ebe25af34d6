// DirectorEngine, control plane (namespace LvsPS.Engine.DataPath): the values the control operations receive are
// checked by the one shared validator (SpecValidator: the kernel's rules, LvsPS's ErrorIds and messages), then
// against what only lvsd cannot do: IPv6 (the engine forwards IPv4), Local forwarding, and a VIP that is the
// director's own interface address.
using System.Net;
using System.Net.Sockets;

namespace LvsPS.Engine.DataPath;

internal sealed partial class DirectorEngine
{
    /// <summary>A unicast address (shared rule) that is IPv4 (lvsd's limit); its host-order value.</summary>
    private static uint ValidateAddress(IPAddress? a, string what)
    {
        SpecValidator.Address(a, what);
        if (a!.AddressFamily != AddressFamily.InterNetwork)
            throw new LvsException(LvsErrorIds.InvalidAddress, LvsErrorKind.InvalidArgument,
                $"The {what} '{a}' is not an IPv4 address; the LvsPS engine forwards IPv4 only (a kernel director takes IPv6).", a);
        return Frames.ToUInt32(a);
    }

    /// <summary>
    /// A new service's VIP: a unicast IPv4 address that is not one of the director's own interface addresses (outside,
    /// or inside with NAT): lvsd would answer ARP for it in place of its own kernel and take its traffic.
    /// </summary>
    private uint ValidateVirtualAddress(IPAddress? a)
    {
        uint v = ValidateAddress(a, "virtual address");
        if (v == InterfaceAddress || (HasInsideLink && v == InsideAddress))
            throw new LvsException(LvsErrorIds.InvalidAddress, LvsErrorKind.InvalidArgument,
                $"The virtual address '{a}' is the interface address of director '{Name}' itself; a VIP must be an address of its own (lvsd answers ARP for it).", a);
        return v;
    }

    private static void ValidatePort(int port, string what) => SpecValidator.Port(port, what);

    /// <summary>A defined method (shared rule) that lvsd implements: not Local.</summary>
    private static void ValidateForwarding(LvsForwarding f)
    {
        SpecValidator.Forwarding(f);
        if (f == LvsForwarding.Local)
            throw new LvsException(LvsErrorIds.ForwardingNotImplemented, LvsErrorKind.NotImplemented,
                $"The forwarding method '{f}' is not implemented by the LvsPS engine; use Route (direct routing), Masq (NAT) or Tunnel (IP-in-IP).", f);
    }

    /// <summary>Checks -p and -M; returns the persistence mask in host order.</summary>
    private static uint ValidatePersistence(ServiceSpec spec)
    {
        int prefix = SpecValidator.Persistence(spec);
        if (spec.PersistenceNetmask is { AddressFamily: AddressFamily.InterNetworkV6 } v6)
            throw new LvsException(LvsErrorIds.InvalidPersistence, LvsErrorKind.InvalidArgument,
                $"The persistence netmask '{v6}' is not an IPv4 netmask; the LvsPS engine forwards IPv4 only.", v6);
        return prefix >= 32 ? 0xffffffff : prefix == 0 ? 0 : uint.MaxValue << (32 - prefix);
    }

    /// <summary>A real server of <paramref name="svc"/>: the shared rules, then lvsd's limits; its address and the port used.</summary>
    private (uint, ushort) ValidateRealServer(ServiceSpec svc, RealServerSpec rs)
    {
        ushort rp = SpecValidator.RealServer(svc, rs);
        uint ra = ValidateAddress(rs.Address, "real server address");
        ValidateForwarding(rs.Forwarding);
        return (ra, rp);
    }

    private static void ValidateMarkRule(MarkRuleSpec r) => SpecValidator.MarkRule(r);
}
