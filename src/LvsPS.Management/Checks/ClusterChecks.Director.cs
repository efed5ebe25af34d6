using LvsPS.Ipvs.Director;
using LvsPS.Management.Lvsd;
using LvsPS.Management.Lab;
using LvsPS.Management.Remote;

namespace LvsPS.Management.Checks;

// The director's own checks: it answers, whose kernel holds the VIP, ip_forward as its kind needs, the NIC offloads
// a user-space director cannot live with. Addresses, sysctls and offloads are read through c.DirectorHost (a lab
// node, the kernel director's SSH session, or this machine for an lvsd started here), so they run on any director.
public static partial class ClusterChecks
{
    public const string DirectorRunning = "DirectorRunning";
    public const string DirectorHasNoKernelVip = "DirectorHasNoKernelVip";
    public const string DirectorHoldsVip = "DirectorHoldsVip";
    public const string DirectorIpForwardOff = "DirectorIpForwardOff";
    public const string DirectorOffloads = "DirectorOffloads";

    /// <summary>The Director category.</summary>
    private static IEnumerable<LvsCheckInfo> DirectorCatalogue => new[]
    {
        new LvsCheckInfo { Check = DirectorRunning, Category = "Director", Description = "The director answers: lvsd on its control socket, kernel IPVS through ipvsadm over SSH." },
        new LvsCheckInfo { Check = DirectorHasNoKernelVip, Category = "Director", Description = "An engine director's kernel does not hold the VIP (lvsd owns it in user space); read on the director's host." },
        new LvsCheckInfo { Check = DirectorHoldsVip, Category = "Director", Description = "A kernel director holds each VIP on its interface (its kernel answers ARP for it and IPVS takes the traffic); read on the director's host." },
        new LvsCheckInfo { Check = DirectorIpForwardOff, Category = "Director", Description = "net.ipv4.ip_forward is 0 on the director (DR needs no kernel forwarding; kernel IPVS NAT needs 1)." },
        new LvsCheckInfo { Check = DirectorOffloads, Category = "Director",
            Description = "ethtool -k on the director's interface: an engine director (lvsd reads frames through pcap and sends each on as it is) needs GRO, LRO and hardware GRO off, "
                + "since receive coalescing hands it super-frames larger than the MTU that it cannot send as one frame; a kernel director needs only LRO off "
                + "(GRO'd packets are split again by GSO on output, LRO'd ones cannot be forwarded)." },
    };

    private static IEnumerable<LvsCheckResult> DirectorChecks(CheckContext c)
    {
        if (c.Want(DirectorRunning))
            yield return c.Status is not null && c.Listed is not null
                ? R(DirectorRunning, c.DirectorName, LvsCheckResultKind.Passed, $"Director '{c.DirectorName}' is running ({Describe(c.Status)}).")
                : R(DirectorRunning, c.DirectorName, LvsCheckResultKind.Failed, c.WhyNot ?? "No answer.",
                    c.Client is Kernel.KernelDirector ? "Check the SSH access and that ipvsadm and the ip_vs module are on the director, then Connect-LvsDirector again." : "Start it with Start-LvsDirector.");

        // Nothing to read on a director that did not answer (outside a lab its host is not even known for lvsd).
        if (c.Status is null && c.Lab is null) yield break;

        if (c.Want(DirectorHasNoKernelVip) || c.Want(DirectorHoldsVip))
            foreach (var r in CheckDirectorVip(c))
                yield return r;

        if (c.Want(DirectorIpForwardOff))
            yield return CheckIpForward(c);

        if (c.Want(DirectorOffloads))
            foreach (var r in CheckOffloads(c))
                yield return r;
    }

    /// <summary>How results name the director: its lab node, else the name it was checked by.</summary>
    private static string DirectorTarget(CheckContext c) => c.DirectorNode?.Name ?? c.DirectorName;

    /// <summary>A shell command to run on the director, as a remedy: through Invoke-LvsLabCommand in a lab.</summary>
    private static string OnDirector(CheckContext c, string command) =>
        c.Lab is not null && c.DirectorNode is not null
            ? $"Invoke-LvsLabCommand -Lab {c.Lab.Name} -Node {c.DirectorNode.Name} -Command '{command}'"
            : $"{command} (on {c.DirectorHost.Name})";

    /// <summary>The director's addresses (ip -o addr show on its host); null and the error when they cannot be read.</summary>
    private static (List<HostAddress>? Addresses, string Error) ReadAddresses(ICheckHost host)
    {
        try
        {
            var r = host.Run("ip -o addr show", TimeSpan.FromSeconds(15));
            return r.Succeeded ? (CheckParsers.IpAddresses(r.Output), "") : (null, (r.Error + r.Output).Trim());
        }
        catch (LvsException e) { return (null, e.Message); }
    }

    /// <summary>
    /// The director's interface: lvsd's own (its status), a lab node's, else the device that holds the VIP (not lo)
    /// or routes to the first real server.
    /// </summary>
    private static string? DirectorInterface(CheckContext c, List<HostAddress>? addresses)
    {
        if (!c.IsKernel && c.Status?.Interface is { Length: > 0 } own) return own;
        if (c.DirectorNode is not null) return c.DirectorNode.Interface;
        var holder = addresses?.FirstOrDefault(a => a.Device != "lo" && c.Vips.Contains(a.Address))?.Device;
        if (holder is not null) return holder;
        var toward = c.RealServers.Select(r => r.RealAddress).Concat(c.Vips).FirstOrDefault();
        if (toward is null) return null;
        try
        {
            var r = c.DirectorHost.Run($"ip -o route get {ShellQuote.Quote(toward.ToString())}", TimeSpan.FromSeconds(10));
            var dev = r.Succeeded ? CheckParsers.RouteDevice(r.Output) : null;
            return dev == "lo" ? null : dev;
        }
        catch (LvsException) { return null; }
    }

    /// <summary>
    /// DirectorHasNoKernelVip (engine directors) and DirectorHoldsVip (kernel directors), each NotApplicable for the
    /// other kind: the director's addresses read on its host.
    /// </summary>
    private static IEnumerable<LvsCheckResult> CheckDirectorVip(CheckContext c)
    {
        string target = DirectorTarget(c), who = c.DirectorHost.Name;
        var (addresses, error) = ReadAddresses(c.DirectorHost);
        if (c.Want(DirectorHasNoKernelVip))
        {
            var held = addresses?.Where(a => c.Vips.Contains(a.Address)).ToList() ?? new();
            yield return c.IsKernel
                ? R(DirectorHasNoKernelVip, target, LvsCheckResultKind.NotApplicable, "A kernel director's kernel holds the VIP itself (DirectorHoldsVip).")
                : addresses is null
                    ? R(DirectorHasNoKernelVip, target, LvsCheckResultKind.Failed, $"Could not read the addresses of {who}: {error}", "Check that iproute2 (ip) is on the director's host.")
                    : held.Count == 0
                        ? R(DirectorHasNoKernelVip, target, LvsCheckResultKind.Passed, $"The kernel of {who} holds none of the VIPs ({string.Join(", ", c.Vips)}).")
                        : R(DirectorHasNoKernelVip, target, LvsCheckResultKind.Failed,
                            $"The kernel of {who} holds {string.Join(", ", held.Select(a => $"{a.Address} on {a.Device}"))}; it would answer ARP and take the traffic itself.",
                            "Remove the VIP from the director's interfaces (the engine owns it): "
                            + OnDirector(c, string.Join("; ", held.Select(a => $"ip addr del {a.Address}/{a.PrefixLength} dev {a.Device}"))));
        }
        if (!c.Want(DirectorHoldsVip)) yield break;
        if (!c.IsKernel)
        {
            yield return R(DirectorHoldsVip, target, LvsCheckResultKind.NotApplicable, "lvsd owns the VIP in user space; its kernel must not hold it (DirectorHasNoKernelVip).");
            yield break;
        }
        if (addresses is null)
        {
            yield return R(DirectorHoldsVip, target, LvsCheckResultKind.Failed, $"Could not read the addresses of {who}: {error}",
                c.Lab is not null ? "Check the director (Invoke-LvsLabCommand -Node director)." : "Check the SSH access to the director and that iproute2 (ip) is on it.");
            yield break;
        }
        // In a lab the VIP belongs on the director's interface; elsewhere on any interface but lo.
        var iface = c.DirectorNode?.Interface;
        bool On(IPAddress vip) => addresses.Any(a => a.Address.Equals(vip) && (iface is null ? a.Device != "lo" : a.Device == iface));
        var missing = c.Vips.Where(vip => !On(vip)).ToList();
        var devices = string.Join(", ", addresses.Where(a => c.Vips.Contains(a.Address)).Select(a => a.Device).Distinct());
        var add = iface ?? DirectorInterface(c, addresses) ?? "<interface>";
        yield return missing.Count == 0
            ? R(DirectorHoldsVip, target, LvsCheckResultKind.Passed, $"The kernel of {who} holds {(c.Vips.Count == 0 ? "no VIP (no service)" : string.Join(", ", c.Vips))} on {(c.Vips.Count == 0 ? add : devices)}.")
            : R(DirectorHoldsVip, target, LvsCheckResultKind.Failed,
                $"{who} does not hold {string.Join(", ", missing)} on {iface ?? "an interface (lo does not count)"}: its kernel does not answer ARP for it, so no client reaches the service.",
                string.Join("; ", missing.Select(vip => vip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
                    ? $"ip addr add {vip}/32 dev {add} label {add}:{vip.GetAddressBytes()[3]} on {target}"
                    : $"ip addr add {vip}/128 dev {add} on {target}")));
    }

    /// <summary>ip_forward: 0 for DR (an engine's kernel would route the VIP's packets that lvsd forwards), 1 for kernel IPVS NAT.</summary>
    private static LvsCheckResult CheckIpForward(CheckContext c)
    {
        string target = DirectorTarget(c), who = c.DirectorHost.Name;
        // Kernel IPVS NAT sends the real servers' replies through the kernel's forwarding path: it needs 1.
        bool nat = c.IsKernel && c.Services.Any(s => s.RealServers.Any(r => r.Forwarding == LvsForwarding.Masq));
        CheckHostResult read;
        try { read = c.DirectorHost.Run("cat /proc/sys/net/ipv4/ip_forward", TimeSpan.FromSeconds(10)); }
        catch (LvsException e) { read = new CheckHostResult(255, "", e.Message); }
        var value = read.Output.Trim();
        if (!read.Succeeded || value is not ("0" or "1"))
            return R(DirectorIpForwardOff, target, LvsCheckResultKind.Failed, $"Could not read net.ipv4.ip_forward on {who}: {(read.Error + read.Output).Trim()}",
                "Check the access to the director's host (/proc/sys must be readable).");
        return nat
            ? value == "1"
                ? R(DirectorIpForwardOff, target, LvsCheckResultKind.Passed, "net.ipv4.ip_forward = 1, as kernel IPVS NAT needs (the replies are forwarded).")
                : R(DirectorIpForwardOff, target, LvsCheckResultKind.Failed, $"net.ipv4.ip_forward = {value} on {who}; kernel IPVS NAT cannot forward the real servers' replies.", OnDirector(c, "sysctl -w net.ipv4.ip_forward=1"))
            : value == "0"
                ? R(DirectorIpForwardOff, target, LvsCheckResultKind.Passed, $"net.ipv4.ip_forward = 0 on {who}.")
                : R(DirectorIpForwardOff, target, LvsCheckResultKind.Warning, $"net.ipv4.ip_forward = {value} on {who}; DR does not need kernel forwarding and the kernel may route VIP traffic itself.", OnDirector(c, "sysctl -w net.ipv4.ip_forward=0"));
    }

    /// <summary>The receive coalescing features that break a user-space director (ethtool -k names).</summary>
    private static readonly (string Feature, string Short)[] EngineBreakers =
        { ("generic-receive-offload", "gro"), ("large-receive-offload", "lro"), ("rx-gro-hw", "rx-gro-hw") };
    /// <summary>What breaks kernel IPVS forwarding.</summary>
    private static readonly (string Feature, string Short)[] KernelBreakers = { ("large-receive-offload", "lro") };
    /// <summary>The send offloads, reported for the record: they act on the kernel's own sockets, not on lvsd's frames.</summary>
    private static readonly string[] SendOffloads = { "tx-checksumming", "tcp-segmentation-offload", "generic-segmentation-offload" };

    /// <summary>DirectorOffloads: ethtool -k on the director's interface(s), through its host.</summary>
    private static IEnumerable<LvsCheckResult> CheckOffloads(CheckContext c)
    {
        var (addresses, _) = ReadAddresses(c.DirectorHost);
        var iface = DirectorInterface(c, addresses);
        var interfaces = new[] { iface, c.IsKernel ? null : c.Status?.InsideInterface }.Where(i => i is { Length: > 0 }).Cast<string>().Distinct().ToList();
        string director = DirectorTarget(c), who = c.DirectorHost.Name;
        if (interfaces.Count == 0)
        {
            yield return R(DirectorOffloads, director, LvsCheckResultKind.NotApplicable, $"The interface of {who} is not known (no service, no status).");
            yield break;
        }
        foreach (var i in interfaces)
        {
            string target = $"{director} {i}";
            CheckHostResult r;
            try { r = c.DirectorHost.Run($"PATH=\"$PATH:/usr/sbin:/sbin\"; command -v ethtool >/dev/null 2>&1 || {{ echo 'ethtool: not found' >&2; exit 127; }}; ethtool -k {ShellQuote.Quote(i)}", TimeSpan.FromSeconds(15)); }
            catch (LvsException e) { r = new CheckHostResult(255, "", e.Message); }
            if (r.ExitCode == 127)
            {
                yield return R(DirectorOffloads, target, LvsCheckResultKind.Warning, $"ethtool is not installed on {who}: its offloads cannot be read (not judged).", OnDirector(c, "apt-get install ethtool"));
                continue;
            }
            var features = r.Succeeded ? CheckParsers.EthtoolFeatures(r.Output) : new();
            if (features.Count == 0)
            {
                yield return R(DirectorOffloads, target, LvsCheckResultKind.Failed, $"ethtool -k {i} on {who} gave no features: {(r.Error + r.Output).Trim()}", $"Check that {i} exists on the director.");
                continue;
            }
            var breakers = c.IsKernel ? KernelBreakers : EngineBreakers;
            var on = breakers.Where(b => features.TryGetValue(b.Feature, out var f) && f.On).ToList();
            var send = string.Join(", ", SendOffloads.Where(features.ContainsKey).Select(s => $"{s} {(features[s].On ? "on" : "off")}"));
            if (on.Count == 0)
            {
                yield return R(DirectorOffloads, target, LvsCheckResultKind.Passed,
                    $"{who} {i}: {string.Join(", ", breakers.Where(b => features.ContainsKey(b.Feature)).Select(b => b.Short + " off"))}"
                    + (c.IsKernel ? " (GRO may stay on: IPVS splits coalesced packets again on output)." : $"; {send} (the send offloads act on the kernel's own sockets, not on the frames lvsd sends)."));
                continue;
            }
            var fixedOn = on.Where(b => features[b.Feature].Fixed).Select(b => b.Short).ToList();
            var changeable = on.Where(b => !features[b.Feature].Fixed).Select(b => b.Short).ToList();
            var why = c.IsKernel
                ? "LRO merges the segments of a TCP stream into packets IPVS cannot forward as they came (the kernel refuses to forward LRO packets)"
                : "receive coalescing hands lvsd super-frames larger than the MTU, which it cannot send on as one frame: large requests through the VIP stall";
            yield return R(DirectorOffloads, target, LvsCheckResultKind.Failed,
                $"{who} {i}: {string.Join(", ", on.Select(b => b.Short + " on" + (features[b.Feature].Fixed ? " [fixed]" : "")))}; {why}.",
                (changeable.Count > 0 ? OnDirector(c, $"ethtool -K {i} {string.Join(" ", changeable.Select(s => s + " off"))}") : "")
                + (fixedOn.Count > 0 ? $"{(changeable.Count > 0 ? "; " : "")}{string.Join(", ", fixedOn)} cannot be changed on {i} (fixed by its driver): use another NIC or driver for the director." : ""));
        }
    }

    /// <summary>What a running director is: an lvsd process, or kernel IPVS.</summary>
    private static string Describe(DirectorStatus s) =>
        s.Kind == LvsDirectorKind.Engine ? $"pid {s.ProcessId}, {s.Interface} {s.MacAddress}" : $"kernel IPVS, {s.Version}, {s.ServiceCount} service(s)";
}
