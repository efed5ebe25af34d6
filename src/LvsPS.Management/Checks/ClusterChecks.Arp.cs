using System.Text.Json;
using LvsPS.Ipvs.Director;
using LvsPS.Management.Lvsd;
using LvsPS.Management.Lab;
using LvsPS.Management.Remote;

namespace LvsPS.Management.Checks;

// Who answers ARP for each VIP on the wire: real ARP requests sent on the VIP's segment from the client (a lab's,
// or -ClientComputerName over SSH), else from the director's own host.
public static partial class ClusterChecks
{
    public const string VipArpOwner = "VipArpOwner";

    /// <summary>VipArpOwner.</summary>
    private static IEnumerable<LvsCheckInfo> ArpCatalogue => new[]
    {
        new LvsCheckInfo { Check = VipArpOwner, Category = "Network", SendsTraffic = true,
            Description = "The director answers ARP for each VIP and is the only host that does, probed with real ARP requests on the segment: from the client "
                + "(a lab's, or -ClientComputerName: arping, iputils' or Thomas Habets'), else from the director's host, which sees only the other answerers "
                + "(lvsd's arp-probe where lvsd runs)." },
    };

    private static IEnumerable<LvsCheckResult> ArpChecks(CheckContext c)
    {
        if (!c.Want(VipArpOwner)) yield break;
        if (c.Status is null && c.Lab is null)
        {
            foreach (var vip in c.Vips)
                yield return R(VipArpOwner, vip.ToString(), LvsCheckResultKind.NotApplicable, "The director did not answer (DirectorRunning).");
            yield break;
        }
        var fromDirector = c.ClientHost is null;
        var prober = c.ClientHost ?? c.DirectorHost;
        var (addresses, _) = fromDirector ? ReadAddresses(c.DirectorHost) : (null, "");
        var expected = ExpectedMac(c, addresses);
        foreach (var vip in c.Vips)
            yield return CheckArpOwner(c, prober, fromDirector, vip, expected, addresses);
    }

    /// <summary>The MAC the VIP's answers should come from: a pair's VRRP master, lvsd's own, the lab node's, or the kernel director's interface.</summary>
    private static string? ExpectedMac(CheckContext c, List<HostAddress>? addresses)
    {
        if (c.Lab is not null)
            return ExpectedArpOwner(c.Client, c.Options, c.Lab) ?? (c.Status?.MacAddress is { Length: > 0 } mac ? mac : c.DirectorNode!.MacAddress);
        if (!c.IsKernel) return c.Status?.MacAddress is { Length: > 0 } own ? own : null;
        var dev = DirectorInterface(c, addresses ?? ReadAddresses(c.DirectorHost).Addresses);
        if (dev is null) return null;
        try
        {
            var r = c.DirectorHost.Run($"cat /sys/class/net/{ShellQuote.Quote(dev)}/address", TimeSpan.FromSeconds(10));
            return r.Succeeded && r.Output.Trim().Length == 17 ? r.Output.Trim() : null;
        }
        catch (LvsException) { return null; }
    }

    /// <summary>The prober's interface toward the VIP: a lab node's, lvsd's own, the device that holds it, or the route's.</summary>
    private static string? ProbeInterface(CheckContext c, ICheckHost prober, bool fromDirector, IPAddress vip, List<HostAddress>? addresses)
    {
        if (prober is LabCheckHost lab) return lab.Node.Interface;
        if (fromDirector) return DirectorInterface(c, addresses);
        var r = prober.Run($"ip -o route get {ShellQuote.Quote(vip.ToString())}", TimeSpan.FromSeconds(10));
        return r.Succeeded ? CheckParsers.RouteDevice(r.Output) : null;
    }

    /// <summary>lvsd's arp-probe runs where lvsd is installed: this machine and the lab's namespaces (not a lab's QEMU guest).</summary>
    private static bool HasLvsd(ClusterCheckOptions o, ICheckHost prober) =>
        o.EnginePath.Length > 0 && File.Exists(o.EnginePath)
        && (prober is LocalCheckHost || (prober is LabCheckHost lab && lab.Node.Host == LvsLabNodeHost.Namespace));

    /// <summary>
    /// Sends 2-3 ARP requests for <paramref name="vip"/> out of <paramref name="iface"/> and returns the answers by MAC:
    /// lvsd arp-probe where lvsd runs, else arping (iputils' with -b, so every request is broadcast; or Habets').
    /// Null and why when no probe could be sent (arping missing: exit 127).
    /// </summary>
    internal static (Dictionary<string, int>? Replies, int Code, string Error) ProbeArp(ClusterCheckOptions o, ICheckHost prober, string iface, IPAddress vip)
    {
        string i = ShellQuote.Quote(iface), t = ShellQuote.Quote(vip.ToString());
        if (HasLvsd(o, prober))
        {
            var cmd = string.Join(' ', new[] { DirectorLauncher.FindDotnet(), o.EnginePath, "arp-probe", "--interface", iface, "--target", vip.ToString(), "--count", "3", "--wait-ms", "900" }.Select(ShellQuote.Quote));
            var r = prober.Run(cmd, TimeSpan.FromSeconds(30));
            if (!r.Succeeded) return (null, r.ExitCode, r.Error.Trim());
            var list = JsonSerializer.Deserialize<List<ArpReply>>(r.Output.Trim().Split('\n').Last(), new JsonSerializerOptions { PropertyNameCaseInsensitive = true }) ?? new();
            return (list.ToDictionary(x => x.Mac.ToLowerInvariant(), x => x.Replies), 0, "");
        }
        // Both arpings install /usr/sbin/arping; each names itself differently (iputils' -V, Habets' usage banner).
        var script = "PATH=\"$PATH:/usr/sbin:/sbin\"; command -v arping >/dev/null 2>&1 || { echo 'arping: not found' >&2; exit 127; }; "
            + $"if arping -V 2>&1 | grep -q iputils; then echo 'flavour iputils'; arping -b -c 2 -w 2 -I {i} {t}; "
            + $"else echo 'flavour habets'; arping -c 3 -W 0.3 -i {i} {t}; fi; r=$?; [ $r -le 1 ] || exit $r; exit 0";
        var a = prober.Run(script, TimeSpan.FromSeconds(20));
        if (!a.Succeeded || CheckParsers.Flavour(a.Output) == CheckParsers.ArpingFlavour.None)
            return (null, a.ExitCode, (a.Error + a.Output).Trim());
        return (CheckParsers.ArpingReplies(a.Output, vip), 0, "");
    }

    private static LvsCheckResult CheckArpOwner(CheckContext c, ICheckHost prober, bool fromDirector, IPAddress vip, string? directorMac, List<HostAddress>? addresses)
    {
        string target = vip.ToString();
        string? iface;
        (Dictionary<string, int>? Replies, int Code, string Error) probe;
        try
        {
            iface = ProbeInterface(c, prober, fromDirector, vip, addresses);
            if (iface is null)
                return R(VipArpOwner, target, LvsCheckResultKind.Failed, $"{prober.Name} has no route toward {vip}: it is not on the VIP's segment.",
                    "Name a client on the VIP's segment (-ClientComputerName).");
            probe = ProbeArp(c.Options, prober, iface, vip);
        }
        catch (LvsException e)
        {
            return R(VipArpOwner, target, LvsCheckResultKind.Failed, $"Could not probe ARP from {prober.Name}: {e.ErrorId}: {e.Message}", "Check the SSH access and host key (SshHostKeysKnown).");
        }
        if (probe.Replies is null)
            return probe.Code == 127
                ? R(VipArpOwner, target, LvsCheckResultKind.Failed, $"arping is not installed on {prober.Name}: no ARP probe could be sent from it.",
                    $"apt-get install arping (or iputils-arping) on {prober.Name}")
                : R(VipArpOwner, target, LvsCheckResultKind.Failed, $"The ARP probe from {prober.Name} on {iface} failed: {probe.Error}");

        var replies = probe.Replies;
        var others = replies.Keys.Where(m => directorMac is null || !string.Equals(m, directorMac, StringComparison.OrdinalIgnoreCase)).ToList();
        // From the director itself its own answer is not seen (lvsd filters its own frames; a kernel does not answer itself).
        var (who, remedy) = Answerers(c, others);
        string via = $"probed from {prober.Name} on {iface}";
        if (others.Count > 0)
            return R(VipArpOwner, target, LvsCheckResultKind.Failed,
                $"{string.Join(", ", others.Select(who))} answer ARP for {vip} besides the director ({via}): clients may bypass it.", remedy);
        if (fromDirector)
            return R(VipArpOwner, target, LvsCheckResultKind.Passed,
                $"No host but the director answers ARP for {vip} ({via}; the director's own answer is seen only from another host: -ClientComputerName).");
        if (replies.Count == 0)
            return R(VipArpOwner, target, LvsCheckResultKind.Failed, $"Nobody answered ARP for {vip} ({via}).",
                c.IsKernel
                    ? $"Put the VIP on the director's interface: ip addr add {vip}/32 dev {c.DirectorNode?.Interface ?? DirectorInterface(c, addresses) ?? "<interface>"} on {DirectorTarget(c)}."
                    : "Start the director (it owns the VIP).");
        return R(VipArpOwner, target, LvsCheckResultKind.Passed, $"Only the director, {who(replies.Keys.First())}, answers ARP for {vip} ({via}).");
    }

    /// <summary>
    /// How results name an answering MAC (lab node name, else the real server the director resolved at it) and the
    /// remedy: Set-LvsRealServerHidden on those real servers.
    /// </summary>
    private static (Func<string, string> Who, string Remedy) Answerers(CheckContext c, List<string> macs)
    {
        var byMac = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var n in c.Lab?.Nodes ?? Enumerable.Empty<LvsLabNode>())
            if (n.MacAddress.Length > 0) byMac.TryAdd(n.MacAddress, n.Name);
        if (c.Lab is not null && c.DirectorNode is not null && c.Status?.MacAddress is { Length: > 0 } own) byMac.TryAdd(own, c.DirectorNode.Name);
        var rsByMac = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var r in c.RealServers.Where(r => r.MacAddress.Length > 0)) rsByMac.TryAdd(r.MacAddress, r.RealAddress.ToString());
        if (macs.Count > 0 && c.Lab is null && macs.Any(m => !rsByMac.ContainsKey(m)))
            foreach (var (ip, mac) in ReadNeighbours(c.DirectorHost)) rsByMac.TryAdd(mac, ip);
        string Who(string mac) => byMac.TryGetValue(mac, out var n) ? $"{n} ({mac})" : rsByMac.TryGetValue(mac, out var ip) ? $"{ip} ({mac})" : mac;
        var labNodes = macs.Where(byMac.ContainsKey).Select(m => byMac[m]).Where(n => c.Lab!.RealServers.Any(r => r.Name == n)).Distinct().ToList();
        var hosts = macs.Where(m => !byMac.ContainsKey(m) && rsByMac.ContainsKey(m)).Select(m => rsByMac[m]).Distinct().ToList();
        var parts = new List<string>();
        if (labNodes.Count > 0) parts.Add($"Set-LvsRealServerHidden -Lab {c.Lab!.Name} -Node {string.Join(",", labNodes)}");
        if (hosts.Count > 0) parts.Add($"Set-LvsRealServerHidden -ComputerName {string.Join(",", hosts)}");
        if (parts.Count == 0) parts.Add("Set-LvsRealServerHidden on those real servers (find the host at each MAC in the switch's address table).");
        return (Who, string.Join("; ", parts));
    }

    /// <summary>The director host's neighbour table (ip -o neigh): address and MAC, to name answerers outside a lab.</summary>
    private static IEnumerable<(string Ip, string Mac)> ReadNeighbours(ICheckHost host)
    {
        CheckHostResult r;
        try { r = host.Run("ip -4 neigh show", TimeSpan.FromSeconds(10)); }
        catch (LvsException) { yield break; }
        if (!r.Succeeded) yield break;
        foreach (var (ip, mac) in CheckParsers.Neighbours(r.Output)) yield return (ip, mac);
    }

    private sealed class ArpReply
    {
        public string Mac { get; set; } = "";
        public int Replies { get; set; }
    }
}
