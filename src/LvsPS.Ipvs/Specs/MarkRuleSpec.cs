namespace LvsPS.Ipvs.Specs;

/// <summary>
/// A firewall-mark rule: the user-space stand-in for the iptables/nftables rule that marks packets for a kernel
/// fwmark service (no kernel mark reaches user space). A packet to Address/PrefixLength, of Protocol (or TCP and UDP),
/// with a destination port in PortFrom..PortTo (0..0 = any) gets Mark; rules are tried in order, first match wins.
/// </summary>
public sealed class MarkRuleSpec
{
    public uint Mark { get; set; }
    /// <summary>Tcp, Udp, or null for both.</summary>
    public LvsProtocol? Protocol { get; set; }
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress Address { get; set; } = IPAddress.None;
    public int PrefixLength { get; set; } = 32;
    public ushort PortFrom { get; set; }
    public ushort PortTo { get; set; }

    public override string ToString() =>
        $"mark {Mark}: {(Protocol?.ToString().ToUpperInvariant() ?? "TCP/UDP")} {Address}/{PrefixLength}" + (PortFrom == 0 && PortTo == 0 ? "" : PortFrom == PortTo ? $" port {PortFrom}" : $" ports {PortFrom}-{PortTo}");
}
