using System.Net.Sockets;
using LvsPS.Ipvs.Director;
using LvsPS.Management.Remote;

namespace LvsPS.Management.Checks;

/// <summary>
/// One real server as the per-server checks see it: its address and port, the VIP and port of the service, how
/// the director forwards to it, where it should hold the VIP, and the command that prepares it (the remedy of
/// the VIP and ARP checks). Test-LvsCluster builds one per real server and service; Test-LvsRealServer one.
/// </summary>
public sealed class RealServerProbe
{
    public IPAddress RealAddress { get; init; } = IPAddress.None;
    /// <summary>The port the real server serves on (0: all ports, a firewall-mark or port-0 service).</summary>
    public int RealPort { get; init; }
    public IPAddress VirtualAddress { get; init; } = IPAddress.None;
    public int VirtualPort { get; init; }
    public LvsProtocol Protocol { get; init; } = LvsProtocol.Tcp;
    public LvsForwarding Forwarding { get; init; } = LvsForwarding.Route;
    /// <summary>Where the VIP is held: lo or dummy0 for DR, the tunnel device for TUN.</summary>
    public string VipInterface { get; init; } = "lo";
    /// <summary>The HTTP path to fetch (a health check's url, else /); null: the service is not HTTP.</summary>
    public string? HttpPath { get; init; }
    public bool Https { get; init; }
    /// <summary>The MD5 the health check expects of the page (keepalived's digest), if any.</summary>
    public string? HttpDigest { get; init; }
    /// <summary>The command that prepares this real server: Set-LvsRealServerHidden -Lab x -Node rs1, or -ComputerName.</summary>
    public string PrepareCommand { get; init; } = "";

    public bool HoldsVip => Forwarding != LvsForwarding.Masq;
    public string VipTarget => $"{RealAddress} ({VirtualAddress})";
    public string PortTarget => $"{Endpoint(RealAddress, RealPort)} ({Endpoint(VirtualAddress, VirtualPort)})";

    internal static string Endpoint(IPAddress a, int port) =>
        a.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{a}]:{port}" : $"{a}:{port}";

    /// <summary>The service is HTTP when its port is 80, 8080 or 443, or it has an HTTP_GET/SSL_GET health check.</summary>
    public static (string? Path, bool Https, string? Digest) HttpOf(int port, IEnumerable<HealthCheckSpec>? checks)
    {
        var http = checks?.FirstOrDefault(h => h.Type is LvsHealthCheckType.Http or LvsHealthCheckType.Ssl);
        if (http is not null)
        {
            var url = http.Urls.FirstOrDefault();
            return (url?.Path is { Length: > 0 } p ? p : "/", http.Type == LvsHealthCheckType.Ssl, url?.Digest);
        }
        return port switch { 80 or 8080 => ("/", false, null), 443 => ("/", true, null), _ => (null, false, null) };
    }
}

// The per-real-server checks, over the real server's shell (facts read once) and the director's (probes to the
// real server's own address). They take the hosts and a RealServerProbe, not a run's CheckContext, so that
// Test-LvsRealServer runs the same checks on one server before it is added.
public static partial class ClusterChecks
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(4);

    /// <summary>Reads a real server's facts with one command; an LvsException when the host cannot be reached or the command fails.</summary>
    public static RealServerFacts ReadRealServerFacts(ICheckHost host)
    {
        var r = host.Run(RealServerFacts.Command, ReadTimeout);
        if (!r.Succeeded && r.Output.Trim().Length == 0)
            throw new LvsException(LvsErrorIds.RemoteCommandFailed, LvsErrorKind.InvalidOperation,
                $"Reading the real server's state on {host.Name} failed (exit {r.ExitCode}): {r.Error.Trim()}", host.Name);
        return RealServerFacts.Parse(r.Output);
    }

    /// <summary>The checks of one real server that log in to it, for one VIP: RealServerVip, RealServerHidden, RealServerRpFilter, RealServerTunnelMtu.</summary>
    public static IEnumerable<LvsCheckResult> RealServerVipChecks(string name, RealServerFacts? facts, string? whyNoFacts, RealServerProbe p, Func<string, bool> want)
    {
        foreach (var check in new[] { RealServerVip, RealServerHidden, RealServerRpFilter, RealServerTunnelMtu })
        {
            if (!want(check)) continue;
            if (check == RealServerTunnelMtu && p.Forwarding != LvsForwarding.Tunnel) continue;
            if (!p.HoldsVip)
                yield return R(check, p.VipTarget, LvsCheckResultKind.NotApplicable, "A NAT (Masq) real server does not hold the VIP; the director rewrites the destination.");
            else if (facts is null)
                yield return NoFacts(check, p.VipTarget, name, whyNoFacts);
            else
                yield return check switch
                {
                    RealServerVip => CheckVip(name, facts, p),
                    RealServerHidden => CheckArpHidden(name, facts, p),
                    RealServerRpFilter => CheckRpFilter(name, facts, p),
                    _ => CheckTunnelMtu(name, facts, p),
                };
        }
    }

    /// <summary>
    /// The checks of one real server for one service port: RealServerListening (over its shell) and
    /// RealServerReachable (from the director's shell; NotApplicable without one).
    /// </summary>
    public static IEnumerable<LvsCheckResult> RealServerPortChecks(string name, RealServerFacts? facts, string? whyNoFacts, ICheckHost? director, RealServerProbe p, Func<string, bool> want)
    {
        if (want(RealServerListening))
            yield return p.RealPort == 0
                ? R(RealServerListening, p.PortTarget, LvsCheckResultKind.NotApplicable, "The service forwards every port (port 0 or a firewall mark); no one port to look at.")
                : facts is null ? NoFacts(RealServerListening, p.PortTarget, name, whyNoFacts) : CheckListening(name, facts, p);
        if (want(RealServerReachable))
            yield return p.RealPort == 0
                ? R(RealServerReachable, p.PortTarget, LvsCheckResultKind.NotApplicable, "The service forwards every port (port 0 or a firewall mark); no one port to connect to.")
                : p.Protocol != LvsProtocol.Tcp
                ? R(RealServerReachable, p.PortTarget, LvsCheckResultKind.NotApplicable, $"A {p.Protocol} service: a connect proves nothing without a protocol answer.")
                : director is null
                ? R(RealServerReachable, p.PortTarget, LvsCheckResultKind.NotApplicable, "No director to connect from (give -Director, or start one).")
                : CheckReachable(name, director, p);
    }

    private static LvsCheckResult NoFacts(string check, string target, string name, string? why) => why is null
        ? R(check, target, LvsCheckResultKind.NotApplicable, "No SSH access was given for this real server.", "Pass -Lab, or -KeyFile/-Credential and -KnownHostsFile.")
        : R(check, target, LvsCheckResultKind.Failed, $"{name}: cannot read its state: {why}", "Check SSH access and host keys.");

    private static bool IsV6(IPAddress a) => a.AddressFamily == AddressFamily.InterNetworkV6;

    private static LvsCheckResult CheckVip(string name, RealServerFacts f, RealServerProbe p)
    {
        int full = IsV6(p.VirtualAddress) ? 128 : 32;
        var held = f.Holding(p.VirtualAddress).ToList();
        var onIf = held.Where(a => a.Interface == p.VipInterface).ToList();
        var wide = onIf.Where(a => a.PrefixLength != full).ToList();
        var elsewhere = held.Where(a => a.Interface != p.VipInterface).ToList();
        string fix(RealServerFacts.Address a) => $"ip addr del {p.VirtualAddress}/{a.PrefixLength} dev {a.Interface}";
        string add = $"ip addr add {p.VirtualAddress}/{full} dev {p.VipInterface} scope host";
        if (wide.Count > 0)
        {
            var w = wide[0];
            return R(RealServerVip, p.VipTarget, LvsCheckResultKind.Failed,
                $"{name}: the VIP is on {w.Interface} as /{w.PrefixLength}, not /{full}: the real server takes every address of that prefix as its own.",
                $"{p.PrepareCommand} (or on the real server: {fix(w)}; {add})");
        }
        if (elsewhere.Count > 0)
        {
            var e = elsewhere[0];
            return R(RealServerVip, p.VipTarget, LvsCheckResultKind.Failed,
                $"{name}: the VIP is on {e.Interface}/{e.PrefixLength}{(onIf.Count > 0 ? $" besides {p.VipInterface}" : $", not on {p.VipInterface}")}: an interface with ARP answers for it.",
                $"On the real server: {fix(e)}; then {p.PrepareCommand}");
        }
        if (onIf.Count == 0)
            return R(RealServerVip, p.VipTarget, LvsCheckResultKind.Failed,
                $"{name}: the VIP is not on {p.VipInterface}: the real server drops the requests the director forwards to it.",
                $"{p.PrepareCommand} (or on the real server: {add})");
        return R(RealServerVip, p.VipTarget, LvsCheckResultKind.Passed, $"{name}: {p.VirtualAddress}/{full} on {p.VipInterface}.");
    }

    private static LvsCheckResult CheckArpHidden(string name, RealServerFacts f, RealServerProbe p)
    {
        if (IsV6(p.VirtualAddress))
            return R(RealServerHidden, p.VipTarget, LvsCheckResultKind.NotApplicable, "An IPv6 VIP: neighbour discovery has no arp_ignore; hold it with nodad on lo.");
        var net = f.InterfaceOf(p.RealAddress);
        int ignore = f.Effective("arp_ignore", net), announce = f.Effective("arp_announce", net);
        bool patch = f.HasSysctl("hidden") && f.Sysctl("all", "hidden") != 0 && f.Sysctl(p.VipInterface, "hidden") != 0;
        string Values(string key) => net is null ? $"{key} all={f.Sysctl("all", key)}" : $"{key} all={f.Sysctl("all", key)}, {net}={f.Sysctl(net, key)}";
        if ((ignore >= 1 && announce >= 2) || patch)
            return R(RealServerHidden, p.VipTarget, LvsCheckResultKind.Passed, patch && !(ignore >= 1 && announce >= 2)
                ? $"{name}: hidden=1 on all and {p.VipInterface} (the old hidden patch)."
                : $"{name}: arp_ignore {ignore}, arp_announce {announce} on {net ?? "all"} ({Values("arp_ignore")}; {Values("arp_announce")}).");
        return R(RealServerHidden, p.VipTarget, LvsCheckResultKind.Failed,
            $"{name}: ARP is not hidden ({Values("arp_ignore")}; {Values("arp_announce")}; the kernel applies the larger of all and {net ?? "the interface"}; arp_ignore >= 1 and arp_announce = 2 are needed): it answers ARP for the VIP and clients may bypass the director.",
            p.PrepareCommand);
    }

    private static LvsCheckResult CheckRpFilter(string name, RealServerFacts f, RealServerProbe p)
    {
        if (IsV6(p.VirtualAddress))
            return R(RealServerRpFilter, p.VipTarget, LvsCheckResultKind.NotApplicable, "rp_filter is an IPv4 setting.");
        var net = f.InterfaceOf(p.RealAddress);
        // DR: the request arrives on the network interface (for the VIP held on lo); TUN: decapsulated, on the tunnel device.
        var arrives = p.Forwarding == LvsForwarding.Tunnel ? p.VipInterface : net;
        int eff = f.Effective("rp_filter", arrives);
        string values = arrives is null ? $"all={f.Sysctl("all", "rp_filter")}" : $"all={f.Sysctl("all", "rp_filter")}, {arrives}={f.Sysctl(arrives, "rp_filter")}";
        string fix = $"sysctl -w net.ipv4.conf.all.rp_filter=2 net.ipv4.conf.{(arrives ?? "all").Replace('.', '/')}.rp_filter=2";
        var back = f.DefaultRoute?.Device ?? net;
        if (eff == 1 && arrives is not null && back is not null && back != arrives)
            return R(RealServerRpFilter, p.VipTarget, LvsCheckResultKind.Failed,
                $"{name}: strict rp_filter on {arrives} ({values}; the kernel applies the larger) drops the requests: they arrive on {arrives}"
                + $"{(p.Forwarding == LvsForwarding.Tunnel ? " out of the tunnel" : "")} but the route back to the clients is via {back}.",
                $"On the real server: {fix}");
        return R(RealServerRpFilter, p.VipTarget, LvsCheckResultKind.Passed,
            $"{name}: rp_filter {eff} on {arrives ?? "all"} ({values}){(eff == 1 ? $": strict, and the route back to the clients is via {arrives} too" : eff == 2 ? ": loose" : ": off")}.");
    }

    private static LvsCheckResult CheckTunnelMtu(string name, RealServerFacts f, RealServerProbe p)
    {
        var net = f.InterfaceOf(p.RealAddress);
        if (net is null || !f.Mtus.TryGetValue(net, out var mtu))
            return R(RealServerTunnelMtu, p.VipTarget, LvsCheckResultKind.Warning, $"{name}: no interface holds {p.RealAddress}; cannot tell its MTU.", "Check the real server's address.");
        int overhead = IsV6(p.VirtualAddress) ? 40 + 60 : 20 + 40;   // the outer header, then the inner IP and TCP headers
        int limit = mtu - overhead;
        var route = f.DefaultRoute ?? f.SubnetRoute(net, p.RealAddress);
        string tun = f.Mtus.TryGetValue(p.VipInterface, out var t) ? $"; {p.VipInterface} mtu {t}" : "";
        if (route is not null && route.AdvMss > 0 && route.AdvMss <= limit)
            return R(RealServerTunnelMtu, p.VipTarget, LvsCheckResultKind.Passed,
                $"{name}: the route to the clients ({route.Destination} dev {route.Device}) advertises MSS {route.AdvMss} <= {limit}: full segments fit the tunnel's {mtu}-byte frames{tun}.");
        int mss = route?.AdvMss > 0 ? route.AdvMss : mtu - 40;
        var line = route is null ? $"default dev {net}" : System.Text.RegularExpressions.Regex.Replace(route.Line, @"\s+advmss\s+\d+", "");
        return R(RealServerTunnelMtu, p.VipTarget, LvsCheckResultKind.Warning,
            $"{name}: it advertises MSS {mss} on {net} (mtu {mtu}{tun}): a full segment plus the director's {overhead - 40}-byte tunnel header is {mss + overhead} bytes, more than {mtu}; it passes only if the director's ICMP frag-needed reach the clients.",
            $"On the real server: ip route change {line} advmss {limit}");
    }

    private static LvsCheckResult CheckListening(string name, RealServerFacts f, RealServerProbe p)
    {
        if (!f.HasSs)
            return R(RealServerListening, p.PortTarget, LvsCheckResultKind.Warning, $"{name}: has no ss (iproute2); cannot list its sockets.", "Install iproute2 on the real server.");
        var sockets = p.Protocol == LvsProtocol.Udp ? f.Udp : f.Tcp;
        string proto = p.Protocol.ToString().ToLowerInvariant();
        var onPort = sockets.Where(s => s.Port == p.RealPort).Select(s => s.Text).Distinct().ToList();
        string seen = onPort.Count == 0 ? $"nothing listens on port {p.RealPort}" : $"it listens on {string.Join(", ", onPort)}";
        var missing = new List<string>();
        if (p.HoldsVip && !RealServerFacts.Accepting(sockets, p.VirtualAddress, p.RealPort).Any()) missing.Add($"{RealServerProbe.Endpoint(p.VirtualAddress, p.RealPort)} (the forwarded requests)");
        if (!RealServerFacts.Accepting(sockets, p.RealAddress, p.RealPort).Any()) missing.Add($"{RealServerProbe.Endpoint(p.RealAddress, p.RealPort)} (the director's health checks)");
        if (missing.Count > 0)
            return R(RealServerListening, p.PortTarget, LvsCheckResultKind.Failed,
                $"{name}: no {proto} socket accepts {string.Join(" or ", missing)}; {seen}.",
                $"Make the service listen on all addresses, port {p.RealPort} (nginx: listen {p.RealPort};), or on {(p.HoldsVip ? $"{p.VirtualAddress} and " : "")}{p.RealAddress}.");
        var bound = sockets.Where(s => s.Accepts(p.RealAddress, p.RealPort) && s.Device is not null).ToList();
        return R(RealServerListening, p.PortTarget, LvsCheckResultKind.Passed,
            $"{name}: {seen}{(bound.Count > 0 ? $" (bound to {bound[0].Device})" : "")}, accepting {(p.HoldsVip ? "the VIP and " : "")}its own address.");
    }

    /// <summary>
    /// The TCP connect from the director: bash's /dev/tcp when it has bash, else nc with stdin at its end (no -z: BusyBox's
    /// nc, as in a kernel director's initramfs, has none); the host's timeout bounds it.
    /// </summary>
    internal static string ConnectCommand(IPAddress address, int port)
    {
        var h = ShellQuote.Quote(address.ToString());
        var p = ShellQuote.Quote(port.ToString(CultureInfo.InvariantCulture));
        return $"if command -v bash >/dev/null 2>&1; then bash -c 'exec 3<>\"/dev/tcp/$0/$1\"' {h} {p}; "
             + $"elif command -v nc >/dev/null 2>&1; then nc -w 3 {h} {p} </dev/null; "
             + "else echo 'neither bash nor nc on the director' >&2; exit 127; fi";
    }

    private static LvsCheckResult CheckReachable(string name, ICheckHost director, RealServerProbe p)
    {
        var ep = RealServerProbe.Endpoint(p.RealAddress, p.RealPort);
        CheckHostResult r;
        try { r = director.Run(ConnectCommand(p.RealAddress, p.RealPort), ProbeTimeout); }
        catch (LvsException e) { return R(RealServerReachable, p.PortTarget, LvsCheckResultKind.Failed, $"Cannot run the probe on the director {director.Name}: {e.Message}", "Check the director's SSH access."); }
        if (r.Succeeded)
            return R(RealServerReachable, p.PortTarget, LvsCheckResultKind.Passed, $"{name}: the director {director.Name} connects to {ep}.");
        if (r.ExitCode == 127)
            return R(RealServerReachable, p.PortTarget, LvsCheckResultKind.NotApplicable, $"The director {director.Name} has neither bash nor nc to connect with.");
        var why = r.ExitCode == ProcessRunnerTimeout || r.ExitCode == 124
            ? $"no answer within {ProbeTimeout.TotalSeconds:0} s (dropped on the way)"
            : r.Error.Contains("refused", StringComparison.OrdinalIgnoreCase) ? "connection refused (nothing listens there)" : $"it failed: {r.Error.Trim()}";
        return R(RealServerReachable, p.PortTarget, LvsCheckResultKind.Failed,
            $"{name}: the director {director.Name} cannot connect to {ep}: {why}.",
            $"From the director: nc -zv {p.RealAddress} {p.RealPort}; check the real server's firewall and routes (and that the service listens on {ep}).");
    }

    private const int ProcessRunnerTimeout = Util.ProcessRunner.TimeoutExitCode;

    /// <summary>What one HTTP fetch from the director gave: the status (0 when none) and the body's MD5.</summary>
    public sealed record HttpAnswer(int Status, string Md5, long Bytes, string? Error);

    /// <summary>Fetches the page with curl from the director (http(s)://RIP:port/path, certificate not checked); null when the director has no curl.</summary>
    public static HttpAnswer? FetchHttp(ICheckHost director, RealServerProbe p)
    {
        var host = IsV6(p.RealAddress) ? $"[{p.RealAddress}]" : p.RealAddress.ToString();
        var path = p.HttpPath is { Length: > 0 } s && s.StartsWith('/') ? s : "/" + p.HttpPath;
        var url = ShellQuote.Quote($"{(p.Https ? "https" : "http")}://{host}:{p.RealPort}{path}");
        var cmd = "command -v curl >/dev/null 2>&1 || exit 127; b=$(mktemp) || exit 1; "
                + $"c=$(curl -sS -k -g --max-time 3 -o \"$b\" -w '%{{http_code}}' {url}); r=$?; "
                + "echo \"status=$c\"; echo \"md5=$(md5sum < \"$b\" | cut -d' ' -f1)\"; echo \"bytes=$(wc -c < \"$b\")\"; rm -f \"$b\"; exit $r";
        var r = director.Run(cmd, ProbeTimeout);
        if (r.ExitCode == 127) return null;
        return ParseHttpAnswer(r.Output, r.Succeeded ? null : (r.Error.Trim() is { Length: > 0 } e ? e : $"curl exit {r.ExitCode}"));
    }

    /// <summary>Reads FetchHttp's status=, md5= and bytes= lines.</summary>
    public static HttpAnswer ParseHttpAnswer(string output, string? error)
    {
        int status = 0; string md5 = ""; long bytes = 0;
        foreach (var line in output.Split('\n'))
        {
            var t = line.Trim();
            if (t.StartsWith("status=", StringComparison.Ordinal)) int.TryParse(t[7..], NumberStyles.Integer, CultureInfo.InvariantCulture, out status);
            else if (t.StartsWith("md5=", StringComparison.Ordinal)) md5 = t[4..];
            else if (t.StartsWith("bytes=", StringComparison.Ordinal)) long.TryParse(t[6..], NumberStyles.Integer, CultureInfo.InvariantCulture, out bytes);
        }
        return new HttpAnswer(status, md5, bytes, error);
    }

    /// <summary>
    /// RealServerHttp for the real servers of one service: each must answer 2xx (and the health check's digest
    /// when it has one); the message gives each page's MD5 and says whether the servers serve distinct or the same content.
    /// </summary>
    public static IEnumerable<LvsCheckResult> RealServerHttpChecks(ICheckHost? director, IReadOnlyList<(string Name, RealServerProbe Probe)> servers)
    {
        var answers = new List<(string Name, RealServerProbe Probe, HttpAnswer? Answer, string? Why)>();
        foreach (var (name, p) in servers)
        {
            if (director is null) { answers.Add((name, p, null, "no director")); continue; }
            try { answers.Add((name, p, FetchHttp(director, p), null)); }
            catch (LvsException e) { answers.Add((name, p, null, e.Message)); }
        }
        var good = answers.Where(a => a.Answer is { Error: null, Status: >= 200 and < 300 }).ToList();
        foreach (var (name, p, a, why) in answers)
        {
            var ep = $"{(p.Https ? "https" : "http")}://{RealServerProbe.Endpoint(p.RealAddress, p.RealPort)}{p.HttpPath}";
            if (why == "no director")
            { yield return R(RealServerHttp, p.PortTarget, LvsCheckResultKind.NotApplicable, "No director to fetch the page from (give -Director, or start one)."); continue; }
            if (why is not null)
            { yield return R(RealServerHttp, p.PortTarget, LvsCheckResultKind.Failed, $"Cannot run the probe on the director {director!.Name}: {why}", "Check the director's SSH access."); continue; }
            if (a is null)
            { yield return R(RealServerHttp, p.PortTarget, LvsCheckResultKind.NotApplicable, $"The director {director!.Name} has no curl to fetch {ep} with."); continue; }
            if (a.Error is not null || a.Status is < 200 or >= 300)
            {
                yield return R(RealServerHttp, p.PortTarget, LvsCheckResultKind.Failed,
                    $"{name}: {ep} answered {(a.Status == 0 ? "nothing" : $"HTTP {a.Status}")} from the director{(a.Error is null ? "" : $" ({a.Error})")}: health checks take it down and clients get errors.",
                    $"From the director: curl -v {ep}; fix the web server on {name} (its root, its index page, its listen address).");
                continue;
            }
            if (p.HttpDigest is { Length: > 0 } want && !string.Equals(want, a.Md5, StringComparison.OrdinalIgnoreCase))
            {
                yield return R(RealServerHttp, p.PortTarget, LvsCheckResultKind.Failed,
                    $"{name}: {ep} answered HTTP {a.Status} with MD5 {a.Md5}, not the health check's digest {want}: the director takes it down.",
                    $"Serve the expected page on {name}, or set the health check's digest to {a.Md5}.");
                continue;
            }
            string content;
            var same = good.Where(g => g.Name != name && g.Answer!.Md5 == a.Md5).Select(g => g.Name).ToList();
            if (good.Count < 2) content = "";
            else if (same.Count == 0) content = $"; distinct from the other {good.Count - 1} real server(s) of the service (each serves its own page)";
            else if (same.Count == good.Count - 1) content = $"; the same content as the other {same.Count} real server(s) of the service";
            else content = $"; the same content as {string.Join(", ", same)}";
            yield return R(RealServerHttp, p.PortTarget, LvsCheckResultKind.Passed,
                $"{name}: {ep} answered HTTP {a.Status}, {a.Bytes} bytes, MD5 {a.Md5}{content}.");
        }
    }
}

// One real server on its own (Test-LvsRealServer): the same checks before it is added to a service.
public static partial class ClusterChecks
{
    /// <summary>
    /// Every per-server check (Vip, Hidden, RpFilter, TunnelMtu, Listening, Reachable, Http) of the real server
    /// <paramref name="target"/> reaches, for the VIP and port it is meant to serve; the probes to its address run
    /// on <paramref name="director"/> (NotApplicable without one). In a lab, results name the node.
    /// </summary>
    public static IEnumerable<LvsCheckResult> CheckOneRealServer(SshTarget target, ICheckHost? director, Lab.LvsLab? lab,
        IPAddress vip, int port, LvsProtocol protocol, LvsForwarding forwarding, string vipInterface, CancellationToken cancellation = default)
    {
        var address = IPAddress.TryParse(target.HostName, out var a) ? a
            : System.Net.Dns.GetHostAddresses(target.HostName).FirstOrDefault()
              ?? throw new LvsException(LvsErrorIds.InvalidAddress, LvsErrorKind.ObjectNotFound, $"'{target.HostName}' has no address.", target.HostName);
        var node = lab?.Nodes.FirstOrDefault(n => n.Address.Equals(address));
        var name = node is not null ? $"{node.Name} ({address})" : target.HostName == address.ToString() ? target.HostName : $"{target.HostName} ({address})";
        var (path, https, digest) = RealServerProbe.HttpOf(port, null);
        var p = new RealServerProbe
        {
            RealAddress = address, RealPort = port, VirtualAddress = vip, VirtualPort = port, Protocol = protocol, Forwarding = forwarding,
            VipInterface = vipInterface, HttpPath = protocol == LvsProtocol.Tcp ? path : null, Https = https, HttpDigest = digest,
            PrepareCommand = node is not null ? PrepareCommand(lab, address, vip, vipInterface)
                : PrepareCommand(null, address, vip, vipInterface).Replace($"-ComputerName {address}", $"-ComputerName {target.HostName}"),
        };
        var results = new List<LvsCheckResult>();
        using (var host = new SshCheckHost(target, name) { Cancellation = cancellation })
        {
            RealServerFacts? facts = null;
            string? why = null;
            try { facts = ReadRealServerFacts(host); }
            catch (LvsException e) { why = $"{e.ErrorId}: {e.Message}"; }
            cancellation.ThrowIfCancellationRequested();
            results.AddRange(RealServerVipChecks(name, facts, why, p, _ => true));
            results.AddRange(RealServerPortChecks(name, facts, why, director, p, _ => true));
        }
        if (p.HttpPath is not null) results.AddRange(RealServerHttpChecks(director, new[] { (name, p) }));
        return results;
    }
}
