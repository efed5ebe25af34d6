using System.Net.Sockets;

namespace LvsPS.Management.Checks;

/// <summary>
/// What a real server's own shell tells about it, read with one command (<see cref="Command"/>) and parsed here:
/// its addresses, links and routes (iproute2), the ARP and reverse-path sysctls of every interface, and its
/// listening TCP and UDP sockets (ss). Pure parsing: the real server checks judge these facts.
/// </summary>
public sealed class RealServerFacts
{
    /// <summary>
    /// The read-back command. It takes no value from the caller (nothing to quote); each section starts with a
    /// '#name' line. Tools that are missing leave their section empty.
    /// </summary>
    public const string Command =
        "echo '#addr'; ip -o addr show 2>/dev/null\n" +
        "echo '#link'; ip -o link show 2>/dev/null\n" +
        "echo '#route'; ip -o -4 route show 2>/dev/null; ip -o -6 route show 2>/dev/null\n" +
        "echo '#sysctl'; for d in /proc/sys/net/ipv4/conf/*; do i=${d##*/}; for k in arp_ignore arp_announce rp_filter hidden; do " +
        "if [ -r \"$d/$k\" ]; then echo \"$i $k $(cat \"$d/$k\")\"; fi; done; done\n" +
        "if command -v ss >/dev/null 2>&1; then echo '#tcp'; ss -ltnH; echo '#udp'; ss -lunH; fi\n";

    /// <summary>One address: the interface holding it and its prefix length.</summary>
    public sealed record Address(string Interface, IPAddress Ip, int PrefixLength);

    /// <summary>One route line: its destination ("default" or a prefix), device and advmss (0: none set).</summary>
    public sealed record Route(string Destination, string? Device, string? Via, int AdvMss, string Line);

    /// <summary>
    /// A listening socket: the local address (null for a wildcard), port and bound device. A wildcard's Family is
    /// "*" (ss's dual-stack socket), "4" (0.0.0.0) or "6" ([::], IPv6 only); empty for an address.
    /// </summary>
    public sealed record Listener(IPAddress? Ip, int Port, string? Device, string Family, string Text)
    {
        public bool Accepts(IPAddress ip, int port) => Port == port && (Ip is null
            ? Family == "*" || Family == (ip.AddressFamily == AddressFamily.InterNetworkV6 ? "6" : "4")
            : Ip.Equals(ip));
    }

    public List<Address> Addresses { get; } = new();
    public Dictionary<string, int> Mtus { get; } = new(StringComparer.Ordinal);
    public List<Route> Routes { get; } = new();
    /// <summary>(interface or 'all', key) → value, as /proc/sys/net/ipv4/conf shows it.</summary>
    public Dictionary<(string Interface, string Key), int> Sysctls { get; } = new();
    public List<Listener> Tcp { get; } = new();
    public List<Listener> Udp { get; } = new();
    /// <summary>The real server has ss (without it the listening check cannot tell).</summary>
    public bool HasSs { get; private set; }

    /// <summary>Parses the output of <see cref="Command"/>.</summary>
    public static RealServerFacts Parse(string output)
    {
        var f = new RealServerFacts();
        string section = "";
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith('#')) { section = line[1..].Trim(); f.HasSs |= section == "tcp"; continue; }
            if (line.Trim().Length == 0) continue;
            switch (section)
            {
                case "addr": if (ParseAddress(line) is { } a) f.Addresses.Add(a); break;
                case "link": if (ParseLink(line) is { } l) f.Mtus[l.Name] = l.Mtu; break;
                case "route": f.Routes.Add(ParseRoute(line)); break;
                case "sysctl":
                    var p = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (p.Length == 3 && int.TryParse(p[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
                        f.Sysctls[(p[0], p[1])] = v;
                    break;
                case "tcp": if (ParseListener(line) is { } t) f.Tcp.Add(t); break;
                case "udp": if (ParseListener(line) is { } u) f.Udp.Add(u); break;
            }
        }
        return f;
    }

    /// <summary>"2: eth0    inet 10.0.0.11/24 brd ... scope global eth0\ ..." → (eth0, 10.0.0.11, 24).</summary>
    public static Address? ParseAddress(string line)
    {
        var p = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (p.Length < 4 || (p[2] != "inet" && p[2] != "inet6")) return null;
        var cidr = p[3].Split('/');
        if (!IPAddress.TryParse(cidr[0], out var ip)) return null;
        int prefix = cidr.Length > 1 && int.TryParse(cidr[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
            ? n : ip.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        return new Address(InterfaceName(p[1]), ip, prefix);
    }

    /// <summary>"2: eth0@if12: &lt;BROADCAST,UP&gt; mtu 1500 qdisc ..." → (eth0, 1500).</summary>
    public static (string Name, int Mtu)? ParseLink(string line)
    {
        var p = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (p.Length < 2) return null;
        int i = Array.IndexOf(p, "mtu");
        if (i < 0 || i + 1 >= p.Length || !int.TryParse(p[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var mtu)) return null;
        return (InterfaceName(p[1].TrimEnd(':')), mtu);
    }

    /// <summary>"default via 10.0.0.1 dev eth0 proto static advmss 1400" → its destination, device, gateway and advmss.</summary>
    public static Route ParseRoute(string line)
    {
        var p = line.Trim().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        string? Value(string key) { int i = Array.IndexOf(p, key); return i >= 0 && i + 1 < p.Length ? p[i + 1] : null; }
        // A route type (unicast, local, blackhole ...) may come before the destination.
        var dest = p.Length > 1 && p[0] is "unicast" or "local" or "broadcast" or "blackhole" or "unreachable" or "prohibit" or "throw" ? p[1] : p.Length > 0 ? p[0] : "";
        int.TryParse(Value("advmss"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var advmss);
        return new Route(dest, Value("dev"), Value("via"), advmss, line.Trim());
    }

    /// <summary>
    /// One line of `ss -ltnH` / `ss -lunH`: "LISTEN 0 511 0.0.0.0:80 0.0.0.0:*"; the local address may be
    /// 10.0.0.5:80, *:80, [::]:80, [::ffff:10.0.0.5]:80 or 127.0.0.53%lo:53 (bound to a device).
    /// </summary>
    public static Listener? ParseListener(string line)
    {
        var p = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (p.Length < 5) return null;
        var local = p[3];
        int colon = local.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(local[(colon + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out var port)) return null;
        var host = local[..colon];
        string? device = null;
        int pct = host.IndexOf('%');
        if (pct >= 0) { device = host[(pct + 1)..].TrimEnd(']'); host = host[..pct]; }
        host = host.Trim('[', ']');
        if (host is "*" or "0.0.0.0" or "::") return new Listener(null, port, device, host == "*" ? "*" : host == "::" ? "6" : "4", local);
        if (!IPAddress.TryParse(host, out var ip)) return null;
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        return new Listener(ip, port, device, "", local);
    }

    private static string InterfaceName(string s)
    {
        var name = s.TrimEnd(':');
        int at = name.IndexOf('@');
        return at > 0 ? name[..at] : name;
    }

    /// <summary>The sysctl value (0 when the kernel does not have it for that interface).</summary>
    public int Sysctl(string iface, string key) => Sysctls.TryGetValue((iface, key), out var v) ? v : 0;

    /// <summary>True when the kernel has the key at all (the old 'hidden' patch).</summary>
    public bool HasSysctl(string key) => Sysctls.ContainsKey(("all", key));

    /// <summary>
    /// What the kernel applies on <paramref name="iface"/> for arp_ignore, arp_announce and rp_filter: the larger of
    /// conf/all and conf/IFACE (ip-sysctl.txt), or 'all' alone when no interface is known.
    /// </summary>
    public int Effective(string key, string? iface) =>
        iface is null ? Sysctl("all", key) : Math.Max(Sysctl("all", key), Sysctl(iface, key));

    /// <summary>The interface holding <paramref name="ip"/> (the real server's own address: its network interface), or null.</summary>
    public string? InterfaceOf(IPAddress ip) => Addresses.FirstOrDefault(a => a.Ip.Equals(ip))?.Interface;

    /// <summary>Where <paramref name="ip"/> is held, on every interface that holds it.</summary>
    public IEnumerable<Address> Holding(IPAddress ip) => Addresses.Where(a => a.Ip.Equals(ip));

    /// <summary>The default route (IPv4), or null.</summary>
    public Route? DefaultRoute => Routes.FirstOrDefault(r => r.Destination == "default" && !r.Line.Contains(':'));

    /// <summary>The connected route on <paramref name="iface"/> that covers <paramref name="ip"/> (the subnet's route), or null.</summary>
    public Route? SubnetRoute(string iface, IPAddress ip) =>
        Routes.FirstOrDefault(r => r.Device == iface && r.Destination.Contains('/') && Covers(r.Destination, ip));

    /// <summary>"10.0.0.0/24" covers 10.0.0.11.</summary>
    public static bool Covers(string prefix, IPAddress ip)
    {
        var parts = prefix.Split('/');
        if (parts.Length != 2 || !IPAddress.TryParse(parts[0], out var net) || !int.TryParse(parts[1], out var len)) return false;
        var a = net.GetAddressBytes();
        var b = ip.GetAddressBytes();
        if (a.Length != b.Length || len < 0 || len > a.Length * 8) return false;
        for (int bit = 0; bit < len; bit++)
        {
            int mask = 0x80 >> (bit % 8);
            if ((a[bit / 8] & mask) != (b[bit / 8] & mask)) return false;
        }
        return true;
    }

    /// <summary>The listeners on <paramref name="port"/> that accept connections to <paramref name="ip"/>.</summary>
    public static IEnumerable<Listener> Accepting(IEnumerable<Listener> sockets, IPAddress ip, int port) =>
        sockets.Where(l => l.Accepts(ip, port));
}
