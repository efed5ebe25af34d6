using LvsPS.Ipvs.Director;
using LvsPS.Management.Remote;

namespace LvsPS.Management.Checks;

// The real servers' checks: the director resolved them; over SSH each holds the VIP as a /32 on its VIP interface,
// hides it from ARP, does not drop the requests by rp_filter, listens on the VIP and its own address; from the
// director each is reachable and answers HTTP. The per-server logic is in ClusterChecks.RealServerProbe.cs.
public static partial class ClusterChecks
{
    public const string RealServerMacResolved = "RealServerMacResolved";
    public const string RealServerVip = "RealServerVip";
    public const string RealServerHidden = "RealServerHidden";
    public const string RealServerRpFilter = "RealServerRpFilter";
    public const string RealServerTunnelMtu = "RealServerTunnelMtu";
    public const string RealServerListening = "RealServerListening";
    public const string RealServerReachable = "RealServerReachable";
    public const string RealServerHttp = "RealServerHttp";

    /// <summary>The real servers' checks.</summary>
    private static IEnumerable<LvsCheckInfo> RealServerCatalogue => new[]
    {
        new LvsCheckInfo { Check = RealServerMacResolved, Category = "RealServer", Description = "The director resolved each real server's MAC (it is on the director's segment)." },
        new LvsCheckInfo { Check = RealServerVip, Category = "RealServer", Description = "Each DR/TUN real server holds the VIP on its VIP interface (lo, dummy0, the tunnel) as a /32 (/128), on no ARP interface.", UsesSsh = true },
        new LvsCheckInfo { Check = RealServerHidden, Category = "RealServer", Description = "Each DR/TUN real server hides the VIP from ARP: arp_ignore >= 1 and arp_announce = 2 (the larger of all and its interface), or the old hidden sysctl.", UsesSsh = true },
        new LvsCheckInfo { Check = RealServerRpFilter, Category = "RealServer", Description = "rp_filter does not drop the requests: strict (1) on the interface they arrive on (the tunnel for TUN) only if the route back to the clients is via it too.", UsesSsh = true },
        new LvsCheckInfo { Check = RealServerTunnelMtu, Category = "RealServer", Description = "A TUN real server advertises an MSS that fits the 20-byte IPIP header (advmss), else full-size segments rely on ICMP frag-needed.", UsesSsh = true },
        new LvsCheckInfo { Check = RealServerListening, Category = "RealServer", Description = "Each real server listens on VIP:port (DR/TUN) and on its own address:port (health checks), or on a wildcard address (ss).", UsesSsh = true },
        new LvsCheckInfo { Check = RealServerReachable, Category = "RealServer", Description = "The director connects to each real server's address and port (TCP, bounded timeout)." },
        new LvsCheckInfo { Check = RealServerHttp, Category = "RealServer", Description = "An HTTP service's real servers answer 2xx from the director; each page's MD5, and whether they serve distinct or the same content." },
    };

    private static readonly string[] RealServerSshChecks = { RealServerVip, RealServerHidden, RealServerRpFilter, RealServerTunnelMtu, RealServerListening };

    private static IEnumerable<LvsCheckResult> RealServerChecks(CheckContext c)
    {
        if (c.Want(RealServerMacResolved))
            foreach (var r in c.RealServers)
                yield return c.Status?.Kind == LvsDirectorKind.Kernel
                    ? R(RealServerMacResolved, r.RealAddress.ToString(), LvsCheckResultKind.NotApplicable, "Kernel IPVS resolves real servers with the c.IsKernel's own neighbour table; ipvsadm does not show it.")
                    : r.MacAddress.Length > 0
                    ? R(RealServerMacResolved, r.RealAddress.ToString(), LvsCheckResultKind.Passed, $"{r.RealAddress} is at {r.MacAddress}.")
                    : R(RealServerMacResolved, r.RealAddress.ToString(), LvsCheckResultKind.Failed, $"The director has no ARP answer from {r.RealAddress}; DR needs the real server on the director's segment.", "Check the real server's link and address.");

        var services = c.Services.Where(s => s.FirewallMark == 0).ToList();
        var read = RealServerSshChecks.Any(c.Want) ? ReadAllFacts(c) : new Dictionary<string, (RealServerFacts?, string?)>();
        foreach (var r in c.RealServers)
        {
            var name = RealServerName(c, r.RealAddress);
            var (facts, why) = read.TryGetValue(r.RealAddress.ToString(), out var got) ? got : (null, null);
            var mine = services.Where(s => s.RealServers.Any(x => x.RealAddress.Equals(r.RealAddress))).ToList();
            foreach (var vip in mine.GroupBy(s => s.VirtualAddress.ToString()))
                foreach (var result in RealServerVipChecks(name, facts, why, ProbeOf(c, vip.First(), vip.First().RealServers.First(x => x.RealAddress.Equals(r.RealAddress))), c.Want))
                    yield return result;
            foreach (var s in mine)
                foreach (var result in RealServerPortChecks(name, facts, why, c.DirectorHost, ProbeOf(c, s, s.RealServers.First(x => x.RealAddress.Equals(r.RealAddress))), c.Want))
                    yield return result;
        }

        if (c.Want(RealServerHttp))
            foreach (var s in services)
            {
                var servers = s.RealServers.Select(r => (RealServerName(c, r.RealAddress), ProbeOf(c, s, r))).Where(x => x.Item2.HttpPath is not null).ToList();
                if (s.Protocol != LvsProtocol.Tcp || servers.Count == 0) continue;
                foreach (var result in RealServerHttpChecks(c.DirectorHost, servers))
                    yield return result;
            }
    }

    /// <summary>
    /// Every real server's facts over SSH, the hosts logged in to at once (ThrottleLimit at a time), each host's
    /// progress told as it finishes; a host that cannot be read has its reason instead (its checks then fail naming it).
    /// </summary>
    private static Dictionary<string, (RealServerFacts? Facts, string? Why)> ReadAllFacts(CheckContext c)
    {
        var hosts = c.RealServers.Select(r => (Key: r.RealAddress.ToString(), Host: c.RealServerHost(r.RealAddress)))
            .Where(x => x.Host is not null).Select(x => (x.Key, Host: x.Host!)).ToList();
        var read = new Dictionary<string, (RealServerFacts?, string?)>(StringComparer.Ordinal);
        int done = 0;
        foreach (var o in Util.BoundedParallel.Run(hosts, c.Options.ThrottleLimit, (h, _) => ReadRealServerFacts(h.Host), c.Options.Cancellation,
                     o => c.Progress?.Report(($"Real servers: {++done} of {hosts.Count} read over SSH ({o.Item.Host.Name} {(o.Succeeded ? "read" : "failed")})",
                         40 + 20 * done / Math.Max(1, hosts.Count)))))
        {
            if (o.Error is OperationCanceledException or not (null or LvsException))
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(o.Error);
            read[o.Item.Key] = o.Error is LvsException e ? (null, $"{e.ErrorId}: {e.Message}") : (o.Result, null);
        }
        return read;
    }

    /// <summary>"rs1 (10.0.0.11)" in a lab, else the address.</summary>
    private static string RealServerName(CheckContext c, IPAddress address) =>
        c.LabNodeAt(address) is { } n ? $"{n.Name} ({address})" : address.ToString();

    private static RealServerProbe ProbeOf(CheckContext c, LvsService s, LvsRealServer r)
    {
        var port = r.RealPort != 0 ? r.RealPort : s.Port;
        var (path, https, digest) = RealServerProbe.HttpOf(port, r.HealthChecks);
        var iface = r.Forwarding == LvsForwarding.Tunnel ? c.Options.TunnelInterface : c.Options.VipInterface;
        return new RealServerProbe
        {
            RealAddress = r.RealAddress, RealPort = port, VirtualAddress = s.VirtualAddress, VirtualPort = s.Port,
            Protocol = s.Protocol, Forwarding = r.Forwarding, VipInterface = iface,
            HttpPath = path, Https = https, HttpDigest = digest,
            PrepareCommand = PrepareCommand(c.Lab, r.RealAddress, s.VirtualAddress, iface),
        };
    }

    /// <summary>
    /// Set-LvsRealServerHidden for this real server: -Lab x -Node rs1 in a lab, else -ComputerName; -VirtualAddress
    /// unless it is the lab's VIP; -Interface unless lo.
    /// </summary>
    public static string PrepareCommand(Lab.LvsLab? lab, IPAddress address, IPAddress vip, string vipInterface)
    {
        var node = lab?.Nodes.FirstOrDefault(n => n.Address.Equals(address));
        var who = node is not null ? $"-Lab {lab!.Name} -Node {node.Name}" : $"-ComputerName {address}";
        var v = node is not null && lab!.VirtualAddress.Equals(vip) ? "" : $" -VirtualAddress {vip}";
        return $"Set-LvsRealServerHidden {who}{v}{(vipInterface == "lo" ? "" : $" -Interface {vipInterface}")}";
    }
}
