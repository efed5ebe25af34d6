using System.Text.Json;
using LvsPS.Ipvs.Director;
using LvsPS.Management.Lvsd;
using LvsPS.Management.Lab;
using LvsPS.Management.Remote;

namespace LvsPS.Management.Checks;

/// <summary>One check's outcome (Test-LvsCluster emits one per check and target).</summary>
public sealed class LvsCheckResult
{
    public string Check { get; set; } = "";
    public string Category { get; set; } = "";
    public string Target { get; set; } = "";
    public LvsCheckResultKind Result { get; set; }
    public string Message { get; set; } = "";
    /// <summary>What to do about a warning or failure.</summary>
    public string? Remedy { get; set; }
    public DateTime Time { get; set; } = DateTime.UtcNow;

    public override string ToString() => $"{Result} {Check} {Target}: {Message}";
}

/// <summary>A check in the catalogue (Test-LvsCluster -List).</summary>
public sealed class LvsCheckInfo
{
    public string Check { get; init; } = "";
    public string Category { get; init; } = "";
    public string Description { get; init; } = "";
    /// <summary>Needs a lab (it sends probes from the lab's client).</summary>
    public bool LabOnly { get; init; }
    /// <summary>Logs in to the real servers over SSH.</summary>
    public bool UsesSsh { get; init; }
    /// <summary>Sends traffic through the virtual service.</summary>
    public bool SendsTraffic { get; init; }
}

/// <summary>What to check and how to reach it.</summary>
public sealed class ClusterCheckOptions
{
    public string Director { get; set; } = "";
    public LvsLab? Lab { get; set; }
    /// <summary>SSH target for a real server address, or null to skip the SSH checks for it.</summary>
    public Func<IPAddress, SshTarget?>? SshTargetFor { get; set; }
    /// <summary>Path of lvsd.dll (for the ARP probe from the lab's client).</summary>
    public string EnginePath { get; set; } = "";
    public string[]? Include { get; set; }
    public string[]? Exclude { get; set; }
    /// <summary>Where DR real servers hold the VIP (lo, or dummy0 as in the walkthrough).</summary>
    public string VipInterface { get; set; } = "lo";
    /// <summary>Where tunnel real servers hold it (tunl0 on a kernel with ipip; lvstun0 in a tunnel lab).</summary>
    public string TunnelInterface { get; set; } = "tunl0";
    /// <summary>Connections opened per available real server in the distribution check.</summary>
    public int ConnectionsPerRealServer { get; set; } = 2;
}

/// <summary>
/// The cluster checks: read the director's table, the real servers' ARP-hiding state over SSH and, in a lab,
/// probe the wire (who answers ARP for the VIP, do new connections reach every real server).
/// </summary>
public static class ClusterChecks
{
    public const string DirectorRunning = "DirectorRunning";
    public const string DirectorHasNoKernelVip = "DirectorHasNoKernelVip";
    public const string DirectorHoldsVip = "DirectorHoldsVip";
    public const string DirectorIpForwardOff = "DirectorIpForwardOff";
    public const string ServiceHasRealServer = "ServiceHasRealServer";
    public const string RealServerMacResolved = "RealServerMacResolved";
    public const string RealServerHidden = "RealServerHidden";
    public const string VipArpOwner = "VipArpOwner";
    public const string ServiceDistribution = "ServiceDistribution";
    public const string RealServerHealthy = "RealServerHealthy";

    public static IReadOnlyList<LvsCheckInfo> Catalogue { get; } = new[]
    {
        new LvsCheckInfo { Check = DirectorRunning, Category = "Director", Description = "The director answers: lvsd on its control socket, kernel IPVS through ipvsadm over SSH." },
        new LvsCheckInfo { Check = DirectorHasNoKernelVip, Category = "Director", Description = "An engine director's kernel does not hold the VIP (lvsd owns it in user space).", LabOnly = true },
        new LvsCheckInfo { Check = DirectorHoldsVip, Category = "Director", Description = "A kernel director holds each VIP on its interface (its kernel answers ARP for it and IPVS takes the traffic).", LabOnly = true },
        new LvsCheckInfo { Check = DirectorIpForwardOff, Category = "Director", Description = "net.ipv4.ip_forward is 0 on the director (DR needs no kernel forwarding).", LabOnly = true },
        new LvsCheckInfo { Check = ServiceHasRealServer, Category = "Service", Description = "Each virtual service has at least one real server that is Up (weight > 0, health checks passing, reachable)." },
        new LvsCheckInfo { Check = RealServerHealthy, Category = "RealServer", Description = "Each real server with health checks passes them." },
        new LvsCheckInfo { Check = RealServerMacResolved, Category = "RealServer", Description = "The director resolved each real server's MAC (it is on the director's segment)." },
        new LvsCheckInfo { Check = RealServerHidden, Category = "RealServer", Description = "Each real server holds the VIP on a non-ARP interface and hides it from ARP.", UsesSsh = true },
        new LvsCheckInfo { Check = VipArpOwner, Category = "Network", Description = "Only the director answers ARP for each VIP.", LabOnly = true, SendsTraffic = true },
        new LvsCheckInfo { Check = ServiceDistribution, Category = "Network", Description = "New connections to each TCP service reach every available real server.", LabOnly = true, SendsTraffic = true },
    };

    /// <summary>The names Include and Exclude take: every check, then every category, as the catalogue spells them.</summary>
    public static IEnumerable<string> SelectionNames =>
        Catalogue.Select(c => c.Check).Concat(Catalogue.Select(c => c.Category).Distinct());

    /// <summary>
    /// Refuses an Include or Exclude entry that names no check and no category (case-insensitive), with
    /// <see cref="LvsErrorIds.UnknownClusterCheck"/>: a misspelt name would otherwise select nothing, silently.
    /// </summary>
    public static void ValidateSelection(string[]? include, string[]? exclude)
    {
        foreach (var (list, what) in new[] { (include, "Include"), (exclude, "Exclude") })
            foreach (var name in list ?? Array.Empty<string>())
                if (!SelectionNames.Contains(name, StringComparer.OrdinalIgnoreCase))
                    throw new LvsException(LvsErrorIds.UnknownClusterCheck, LvsErrorKind.InvalidArgument,
                        $"Unknown check or category '{name}' in {what}; the checks are {string.Join(", ", Catalogue.Select(c => c.Check))}; "
                        + $"the categories are {string.Join(", ", Catalogue.Select(c => c.Category).Distinct())}.", name);
    }

    private static bool Selected(ClusterCheckOptions o, LvsCheckInfo c)
    {
        bool Match(string[]? list) => list is not null && list.Any(x =>
            string.Equals(x, c.Check, StringComparison.OrdinalIgnoreCase) || string.Equals(x, c.Category, StringComparison.OrdinalIgnoreCase));
        if (o.Include is { Length: > 0 } && !Match(o.Include)) return false;
        return !Match(o.Exclude);
    }

    private static LvsCheckResult R(string check, string target, LvsCheckResultKind kind, string message, string? remedy = null)
    {
        var info = Catalogue.First(c => c.Check == check);
        return new LvsCheckResult { Check = check, Category = info.Category, Target = target, Result = kind, Message = message, Remedy = remedy };
    }

    /// <summary>
    /// Runs the selected checks against <paramref name="client"/>, whichever director it is (lvsd or kernel IPVS):
    /// the checks ask the director only through <see cref="IDirector"/>.
    /// </summary>
    public static IEnumerable<LvsCheckResult> Run(IDirector client, ClusterCheckOptions o, IProgress<(string Activity, int Percent)>? progress = null)
    {
        ValidateSelection(o.Include, o.Exclude);
        bool Want(string check) => Selected(o, Catalogue.First(c => c.Check == check));
        DirectorStatus? status = null;
        List<LvsService>? listed = null;
        string? whyNot = null;
        try
        {
            status = client.GetStatus();
            listed = client.ListServices();
        }
        catch (LvsException e) { whyNot = e.Message; }

        progress?.Report(("Director", 5));
        if (Want(DirectorRunning))
            yield return status is not null && listed is not null
                ? R(DirectorRunning, o.Director, LvsCheckResultKind.Passed, $"Director '{o.Director}' is running ({Describe(status)}).")
                : R(DirectorRunning, o.Director, LvsCheckResultKind.Failed, whyNot ?? "No answer.",
                    client is Kernel.KernelDirector ? "Check the SSH access and that ipvsadm and the ip_vs module are on the director, then Connect-LvsDirector again." : "Start it with Start-LvsDirector.");

        var services = listed ?? new List<LvsService>();
        var vips = services.Select(s => s.VirtualAddress).Distinct().ToList();
        if (o.Lab is null && status?.VirtualAddresses is { Length: > 0 } v) vips = v.ToList();
        var lab = o.Lab;
        var labs = lab is null ? null : new LabManager();

        // Whose VIP it is: an engine director's lvsd owns it in user space (its kernel must not hold it); a kernel
        // director's kernel holds it on its interface (IPVS takes what the kernel receives for it).
        bool kernel = lab?.DirectorKind == LvsLabDirectorKind.Kernel || status?.Kind == LvsDirectorKind.Kernel || client is Kernel.KernelDirector;
        if (lab is not null && (Want(DirectorHasNoKernelVip) || Want(DirectorHoldsVip)))
            foreach (var r in CheckDirectorVip(lab, labs!, vips, kernel, Want))
                yield return r;

        if (lab is not null && Want(DirectorIpForwardOff))
        {
            // Kernel IPVS NAT sends the real servers' replies through the kernel's forwarding path: it needs 1.
            bool nat = kernel && services.Any(s => s.RealServers.Any(r => r.Forwarding == LvsForwarding.Masq));
            var (_, output, _) = labs!.Exec(lab, "director", "cat /proc/sys/net/ipv4/ip_forward");
            var value = output.Trim();
            yield return nat
                ? value == "1"
                    ? R(DirectorIpForwardOff, lab.Director.Name, LvsCheckResultKind.Passed, "net.ipv4.ip_forward = 1, as kernel IPVS NAT needs (the replies are forwarded).")
                    : R(DirectorIpForwardOff, lab.Director.Name, LvsCheckResultKind.Failed, $"net.ipv4.ip_forward = {value} on {lab.Director.Name}; kernel IPVS NAT cannot forward the real servers' replies.", "sysctl -w net.ipv4.ip_forward=1 on the director")
                : value == "0"
                    ? R(DirectorIpForwardOff, lab.Director.Name, LvsCheckResultKind.Passed, "net.ipv4.ip_forward = 0.")
                    : R(DirectorIpForwardOff, lab.Director.Name, LvsCheckResultKind.Warning, $"net.ipv4.ip_forward = {value}; DR does not need kernel forwarding and the kernel may route VIP traffic itself.", "sysctl -w net.ipv4.ip_forward=0");
        }

        progress?.Report(("Services", 20));
        if (Want(ServiceHasRealServer))
            foreach (var s in services)
            {
                var real = s.RealServers.Where(r => !r.IsSorryServer).ToList();
                int live = real.Count(r => r.Weight > 0 && r.State == LvsRealServerState.Up);
                var notUp = real.Where(r => r.State != LvsRealServerState.Up).Select(r => $"{r.RealAddress} {r.State}").ToList();
                yield return live > 0
                    ? R(ServiceHasRealServer, s.Name, LvsCheckResultKind.Passed, $"{live} of {real.Count} real server(s) are Up and take new connections" + (notUp.Count > 0 ? $" (not: {string.Join(", ", notUp)})." : "."))
                    : real.Count == 0
                        ? R(ServiceHasRealServer, s.Name, LvsCheckResultKind.Failed, "The service has no real server; clients get ICMP port unreachable.", "Add-LvsRealServer")
                        : real.Any(r => r.State == LvsRealServerState.Down)
                            ? R(ServiceHasRealServer, s.Name, LvsCheckResultKind.Failed, $"No real server is Up ({string.Join(", ", notUp)}); new connections are refused" + (s.RealServers.Any(r => r.IsSorryServer) ? " or go to the sorry server." : "."), "Get-LvsHealth shows why the checks fail; fix the real servers.")
                            : R(ServiceHasRealServer, s.Name, LvsCheckResultKind.Failed, $"No real server is Up ({string.Join(", ", notUp)}); new connections are refused.", "Set-LvsRealServer -Weight 1, Resume-LvsRealServer, or check the real servers' links.");
            }

        if (Want(RealServerHealthy))
        {
            List<LvsRealServerHealth>? health = null;
            try { if (status is not null) health = client.GetHealth(); } catch (LvsException) { }
            foreach (var s in services)
                foreach (var r in s.RealServers.Where(r => !r.IsSorryServer))
                {
                    string target = $"{r.RealAddress}:{r.RealPort} ({s.Name})";
                    var h = health?.FirstOrDefault(x => x.RealAddress.Equals(r.RealAddress) && x.RealPort == r.RealPort && x.Port == s.Port && x.Protocol == s.Protocol && x.FirewallMark == s.FirewallMark && x.VirtualAddress.Equals(s.VirtualAddress));
                    yield return r.HealthChecks.Count == 0
                        ? R(RealServerHealthy, target, LvsCheckResultKind.NotApplicable, "No health check is configured.", "Add-LvsHealthCheck")
                        : r.State == LvsRealServerState.Down
                            ? R(RealServerHealthy, target, LvsCheckResultKind.Failed, $"Its health check fails: {h?.LastResult ?? h?.Reason ?? "down"}.", "Fix the service on the real server; Get-LvsHealth shows the history.")
                            : R(RealServerHealthy, target, LvsCheckResultKind.Passed, $"{string.Join(", ", r.HealthChecks.Select(c => c.ToString()))} pass" + (h?.LastResult is { } lr ? $" ({lr})." : "."));
                }
        }

        var realServers = services.SelectMany(s => s.RealServers).GroupBy(r => r.RealAddress.ToString()).Select(g => g.First()).ToList();
        if (Want(RealServerMacResolved))
            foreach (var r in realServers)
                yield return status?.Kind == LvsDirectorKind.Kernel
                    ? R(RealServerMacResolved, r.RealAddress.ToString(), LvsCheckResultKind.NotApplicable, "Kernel IPVS resolves real servers with the kernel's own neighbour table; ipvsadm does not show it.")
                    : r.MacAddress.Length > 0
                    ? R(RealServerMacResolved, r.RealAddress.ToString(), LvsCheckResultKind.Passed, $"{r.RealAddress} is at {r.MacAddress}.")
                    : R(RealServerMacResolved, r.RealAddress.ToString(), LvsCheckResultKind.Failed, $"The director has no ARP answer from {r.RealAddress}; DR needs the real server on the director's segment.", "Check the real server's link and address.");

        progress?.Report(("Real servers over SSH", 40));
        if (Want(RealServerHidden))
        {
            foreach (var r in realServers)
                foreach (var vip in services.Where(s => s.RealServers.Any(x => x.RealAddress.Equals(r.RealAddress))).Select(s => s.VirtualAddress).Distinct())
                    yield return r.Forwarding == LvsForwarding.Masq
                        ? R(RealServerHidden, $"{r.RealAddress} ({vip})", LvsCheckResultKind.NotApplicable, "A NAT (Masq) real server does not hold the VIP; the director rewrites the destination.")
                        : CheckHidden(o, r.RealAddress, vip, r.Forwarding == LvsForwarding.Tunnel ? o.TunnelInterface : o.VipInterface);
        }

        progress?.Report(("ARP on the wire", 60));
        if (lab is not null && Want(VipArpOwner))
            foreach (var vip in vips)
                yield return CheckArpOwner(o, lab, labs!, vip, status?.MacAddress is { Length: > 0 } mac ? mac : lab.Director.MacAddress, kernel);

        progress?.Report(("Traffic through the VIP", 80));
        if (lab is not null && Want(ServiceDistribution))
            foreach (var s in services.Where(s => s.Protocol == LvsProtocol.Tcp))
                yield return CheckDistribution(o, lab, labs!, client, s);
        progress?.Report(("Done", 100));
    }

    private static LvsCheckResult CheckHidden(ClusterCheckOptions o, IPAddress rip, IPAddress vip, string vipInterface)
    {
        var target = o.SshTargetFor?.Invoke(rip);
        string name = $"{rip} ({vip})";
        if (target is null)
            return R(RealServerHidden, name, LvsCheckResultKind.NotApplicable, "No SSH access was given for this real server.", "Pass -Lab, or -KeyFile/-Credential and -KnownHostsFile.");
        try
        {
            using var session = SshSession.Open(target);
            var st = RealServerPreparer.GetHidden(session, vip, vipInterface);
            if (st.IsHidden)
                return R(RealServerHidden, name, LvsCheckResultKind.Passed,
                    $"VIP on {st.Interface}/{st.VipPrefixLength}, arp_ignore {Math.Max(st.ArpIgnoreAll, st.ArpIgnoreInterface)}, arp_announce {Math.Max(st.ArpAnnounceAll, st.ArpAnnounceInterface)}.");
            var why = !st.VipPresent ? $"the VIP is not on {st.Interface}" : $"ARP is not hidden (arp_ignore all={st.ArpIgnoreAll}, arp_announce all={st.ArpAnnounceAll})";
            var node = o.Lab?.Nodes.FirstOrDefault(n => n.Address.Equals(rip));
            return node is not null
                ? R(RealServerHidden, name, LvsCheckResultKind.Failed, $"{node.Name} ({rip}): {why}.", $"Set-LvsRealServerHidden -Lab {o.Lab!.Name} -Node {node.Name}")
                : R(RealServerHidden, name, LvsCheckResultKind.Failed, $"{rip}: {why}.", $"Set-LvsRealServerHidden -ComputerName {rip}");
        }
        catch (LvsException e)
        {
            return R(RealServerHidden, name, LvsCheckResultKind.Failed, $"{e.ErrorId}: {e.Message}", "Check SSH access and host keys.");
        }
    }

    private static LvsCheckResult CheckArpOwner(ClusterCheckOptions o, LvsLab lab, LabManager labs, IPAddress vip, string directorMac, bool kernel)
    {
        var cmd = string.Join(' ', new[] { DirectorLauncher.FindDotnet(), o.EnginePath, "arp-probe", "--interface", lab.Client.Interface, "--target", vip.ToString(), "--count", "3", "--wait-ms", "900" }.Select(ShellQuote.Quote));
        var (code, output, error) = labs.Exec(lab, "client", cmd, TimeSpan.FromSeconds(30));
        if (code != 0)
            return R(VipArpOwner, vip.ToString(), LvsCheckResultKind.Failed, $"The ARP probe failed: {error.Trim()}");
        var replies = JsonSerializer.Deserialize<List<ArpReply>>(output.Trim().Split('\n').Last(), new JsonSerializerOptions { PropertyNameCaseInsensitive = true }) ?? new();
        var others = replies.Where(r => !string.Equals(r.Mac, directorMac, StringComparison.OrdinalIgnoreCase)).ToList();
        var byMac = lab.Nodes.ToDictionary(n => n.MacAddress.ToLowerInvariant(), n => n.Name);
        string Who(string mac) => byMac.TryGetValue(mac.ToLowerInvariant(), out var n) ? $"{n} ({mac})" : mac;
        if (replies.Count == 0)
            return R(VipArpOwner, vip.ToString(), LvsCheckResultKind.Failed, $"Nobody answered ARP for {vip}.",
                kernel ? $"Put the VIP on the director's interface: ip addr add {vip}/32 dev {lab.Director.Interface} on {lab.Director.Name}." : "Start the director (it owns the VIP).");
        if (others.Count > 0)
            return R(VipArpOwner, vip.ToString(), LvsCheckResultKind.Failed,
                $"{string.Join(", ", others.Select(r => Who(r.Mac)))} answer ARP for {vip} besides the director: clients may bypass it.", "Set-LvsRealServerHidden on those real servers.");
        return R(VipArpOwner, vip.ToString(), LvsCheckResultKind.Passed, $"Only the director, {Who(directorMac)}, answers ARP for {vip}.");
    }

    /// <summary>
    /// DirectorHasNoKernelVip (engine directors) and DirectorHoldsVip (kernel directors), each NotApplicable for the
    /// other kind: the director's addresses read through the lab (its namespace, or its guest over SSH).
    /// </summary>
    private static IEnumerable<LvsCheckResult> CheckDirectorVip(LvsLab lab, LabManager labs, List<IPAddress> vips, bool kernel, Func<string, bool> want)
    {
        var d = lab.Director;
        string who = $"{d.Name} ({d.Address})";
        // ip -o addr show: "2: eth0    inet 10.0.0.101/32 scope global eth0:101\ ..." (index, device, family, address).
        var (code, output, error) = labs.Exec(lab, "director", "ip -o addr show");
        var addresses = output.Split('\n').Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(f => f.Length > 3).ToList();
        bool On(IPAddress vip, string? device) => addresses.Any(f =>
            f[3].StartsWith(vip + "/", StringComparison.Ordinal) && (device is null || f[1] == device));
        if (want(DirectorHasNoKernelVip))
        {
            var held = vips.Where(vip => On(vip, null)).ToList();
            yield return kernel
                ? R(DirectorHasNoKernelVip, d.Name, LvsCheckResultKind.NotApplicable, "A kernel director's kernel holds the VIP itself (DirectorHoldsVip).")
                : code != 0
                    ? R(DirectorHasNoKernelVip, d.Name, LvsCheckResultKind.Failed, $"Could not read the addresses of {who}: {error.Trim()}")
                    : held.Count == 0
                        ? R(DirectorHasNoKernelVip, d.Name, LvsCheckResultKind.Passed, $"The director's kernel holds none of the VIPs ({string.Join(", ", vips)}).")
                        : R(DirectorHasNoKernelVip, d.Name, LvsCheckResultKind.Failed, $"The kernel of {who} holds {string.Join(", ", held)}; it would answer ARP and take the traffic itself.", "Remove the VIP from the director's interfaces: the engine owns it.");
        }
        if (!want(DirectorHoldsVip)) yield break;
        if (!kernel)
        {
            yield return R(DirectorHoldsVip, d.Name, LvsCheckResultKind.NotApplicable, "lvsd owns the VIP in user space; its kernel must not hold it (DirectorHasNoKernelVip).");
            yield break;
        }
        if (code != 0)
        {
            yield return R(DirectorHoldsVip, d.Name, LvsCheckResultKind.Failed, $"Could not read the addresses of {who}: {error.Trim()}", "Check the director (Invoke-LvsLabCommand -Node director).");
            yield break;
        }
        var missing = vips.Where(vip => !On(vip, d.Interface)).ToList();
        yield return missing.Count == 0
            ? R(DirectorHoldsVip, d.Name, LvsCheckResultKind.Passed, $"The kernel of {who} holds {(vips.Count == 0 ? "no VIP (no service)" : string.Join(", ", vips))} on {d.Interface}.")
            : R(DirectorHoldsVip, d.Name, LvsCheckResultKind.Failed,
                $"{who} does not hold {string.Join(", ", missing)} on {d.Interface}: its kernel does not answer ARP for it, so no client reaches the service.",
                string.Join("; ", missing.Select(vip => vip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
                    ? $"ip addr add {vip}/32 dev {d.Interface} label {d.Interface}:{vip.GetAddressBytes()[3]} on {d.Name}"
                    : $"ip addr add {vip}/128 dev {d.Interface} on {d.Name}")));
    }

    private sealed class ArpReply
    {
        public string Mac { get; set; } = "";
        public int Replies { get; set; }
    }

    /// <summary>What a running director is: an lvsd process, or kernel IPVS.</summary>
    private static string Describe(DirectorStatus s) =>
        s.Kind == LvsDirectorKind.Engine ? $"pid {s.ProcessId}, {s.Interface} {s.MacAddress}" : $"kernel IPVS, {s.Version}, {s.ServiceCount} service(s)";

    private static LvsCheckResult CheckDistribution(ClusterCheckOptions o, LvsLab lab, LabManager labs, IDirector client, LvsService s)
    {
        var live = s.RealServers.Where(r => r.Weight > 0).ToList();
        if (live.Count == 0)
            return R(ServiceDistribution, s.Name, LvsCheckResultKind.NotApplicable, "No real server takes new connections.");
        Dictionary<string, ulong> Counts() =>
            (client.ListServices())
                .Where(x => x.Protocol == s.Protocol && x.VirtualAddress.Equals(s.VirtualAddress) && x.Port == s.Port)
                .SelectMany(x => x.RealServers).ToDictionary(r => r.RealAddress.ToString(), r => r.Statistics.Connections);
        var before = Counts();
        int n = live.Count * Math.Max(1, o.ConnectionsPerRealServer);
        // Each connection opens, exchanges nothing, and closes: a TCP handshake through the VIP per try.
        var cmd = $"ok=0; i=0; while [ $i -lt {n} ]; do i=$((i+1)); if timeout 3 bash -c 'exec 3<>/dev/tcp/{s.VirtualAddress}/{s.Port}' 2>/dev/null; then ok=$((ok+1)); fi; done; echo $ok";
        var (_, output, _) = labs.Exec(lab, "client", cmd, TimeSpan.FromSeconds(5 * n + 10));
        int.TryParse(output.Trim(), out var ok);
        // Kernel IPVS adds the per-CPU counters into what ipvsadm --stats shows only on its estimator's tick (every
        // 2 s on 6.1): read again until every connection made is counted, for up to 3 s.
        var after = Counts();
        ulong Made(Dictionary<string, ulong> now) => live.Aggregate(0UL, (sum, r) => sum + now.GetValueOrDefault(r.RealAddress.ToString()) - before.GetValueOrDefault(r.RealAddress.ToString()));
        for (var until = DateTime.UtcNow.AddSeconds(3); Made(after) < (ulong)ok && DateTime.UtcNow < until; after = Counts())
            Thread.Sleep(250);
        var got = live.ToDictionary(r => r.RealAddress.ToString(), r => after.GetValueOrDefault(r.RealAddress.ToString()) - before.GetValueOrDefault(r.RealAddress.ToString()));
        var summary = string.Join(", ", got.Select(kv => $"{kv.Key}: {kv.Value}"));
        if (ok < n)
            return R(ServiceDistribution, s.Name, LvsCheckResultKind.Failed, $"Only {ok} of {n} connections to {s.VirtualAddress}:{s.Port} succeeded (new connections per real server: {summary}).", "Check the real servers' service on the VIP and the hidden VIP.");
        var missed = got.Where(kv => kv.Value == 0).Select(kv => kv.Key).ToList();
        if (missed.Count > 0)
            return R(ServiceDistribution, s.Name, LvsCheckResultKind.Warning, $"{n} connections succeeded but {string.Join(", ", missed)} got none ({summary}).");
        return R(ServiceDistribution, s.Name, LvsCheckResultKind.Passed, $"{n} connections through {s.VirtualAddress}:{s.Port} reached every real server ({summary}).");
    }
}
