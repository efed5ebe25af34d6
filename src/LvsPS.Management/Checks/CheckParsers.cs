using System.Text.RegularExpressions;

namespace LvsPS.Management.Checks;

/// <summary>One address line of <c>ip -o addr show</c>: the device and the address with its prefix.</summary>
public sealed record HostAddress(string Device, IPAddress Address, int PrefixLength);

/// <summary>One feature line of <c>ethtool -k</c>: on or off, and whether the driver lets it be changed.</summary>
public sealed record NicFeature(string Name, bool On, bool Fixed);

/// <summary>The hosts' command outputs the director checks read: ip, ethtool, arping. Pure text in, facts out.</summary>
internal static partial class CheckParsers
{
    /// <summary>
    /// <c>ip -o addr show</c>: "2: eth0    inet 10.0.0.101/32 scope global eth0:101\ ..." (index, device, family,
    /// address/prefix); the device as the kernel names it (a "eth0@if12" veth peer suffix removed).
    /// </summary>
    public static List<HostAddress> IpAddresses(string output)
    {
        var list = new List<HostAddress>();
        foreach (var line in output.Split('\n'))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 4 || (f[2] != "inet" && f[2] != "inet6")) continue;
            var slash = f[3].IndexOf('/');
            if (slash < 0 || !IPAddress.TryParse(f[3][..slash], out var address) || !int.TryParse(f[3][(slash + 1)..], out var prefix)) continue;
            var device = f[1];
            var at = device.IndexOf('@');
            if (at > 0) device = device[..at];
            list.Add(new HostAddress(device, address, prefix));
        }
        return list;
    }

    /// <summary><c>ip -o route get A</c>: "10.0.0.100 dev eth0 src 10.0.0.2 uid 0" → eth0 (null when none is named).</summary>
    public static string? RouteDevice(string output)
    {
        var f = output.Split(new[] { ' ', '\n', '\t' }, StringSplitOptions.RemoveEmptyEntries);
        var i = Array.IndexOf(f, "dev");
        return i >= 0 && i + 1 < f.Length ? f[i + 1] : null;
    }

    /// <summary>
    /// <c>ethtool -k IF</c>: "Features for eth0:" then "name: on|off [fixed]|[requested on]" lines, sub-features
    /// indented by tabs. Every feature by name, in output order.
    /// </summary>
    public static Dictionary<string, NicFeature> EthtoolFeatures(string output)
    {
        var d = new Dictionary<string, NicFeature>(StringComparer.Ordinal);
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.Trim();
            var colon = line.IndexOf(": ", StringComparison.Ordinal);
            if (colon <= 0 || line.StartsWith("Features for", StringComparison.Ordinal)) continue;
            var value = line[(colon + 2)..].Trim();
            bool on = value.StartsWith("on", StringComparison.Ordinal);
            if (!on && !value.StartsWith("off", StringComparison.Ordinal)) continue;
            var name = line[..colon];
            d[name] = new NicFeature(name, on, value.Contains("[fixed]", StringComparison.Ordinal));
        }
        return d;
    }

    /// <summary>Which arping answered (its own banner): iputils ("arping from iputils") or Thomas Habets' ("ARPing 2.x, by Thomas Habets").</summary>
    public enum ArpingFlavour { None, Iputils, Habets }

    /// <summary>
    /// The replies an arping printed for <paramref name="target"/>, by MAC (lower case) with how many came: iputils'
    /// "Unicast reply from 10.0.0.100 [02:4C:56:00:00:01]  0.529ms" and Habets' "42 bytes from 02:4c:56:00:00:01
    /// (10.0.0.100): index=0 time=9.9 usec". Replies for another address are not counted.
    /// </summary>
    public static Dictionary<string, int> ArpingReplies(string output, IPAddress target)
    {
        var d = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n'))
        {
            var m = IputilsReply().Match(line);
            string? ip = null, mac = null;
            if (m.Success) (ip, mac) = (m.Groups["ip"].Value, m.Groups["mac"].Value);
            else if ((m = HabetsReply().Match(line)).Success) (ip, mac) = (m.Groups["ip"].Value, m.Groups["mac"].Value);
            if (ip is null || !IPAddress.TryParse(ip, out var a) || !a.Equals(target)) continue;
            mac = mac!.ToLowerInvariant();
            d[mac] = d.GetValueOrDefault(mac) + 1;
        }
        return d;
    }

    [GeneratedRegex(@"^\s*(Unicast|Broadcast) reply from (?<ip>[0-9.]+) \[(?<mac>[0-9A-Fa-f:]{17})\]")]
    private static partial Regex IputilsReply();

    [GeneratedRegex(@"^\s*\d+ bytes from (?<mac>[0-9A-Fa-f:]{17}) \((?<ip>[0-9.]+)\)")]
    private static partial Regex HabetsReply();

    /// <summary>The flavour line the ARP probe script prints first ("flavour iputils" / "flavour habets").</summary>
    public static ArpingFlavour Flavour(string output) =>
        output.Contains("flavour iputils", StringComparison.Ordinal) ? ArpingFlavour.Iputils
        : output.Contains("flavour habets", StringComparison.Ordinal) ? ArpingFlavour.Habets
        : ArpingFlavour.None;

    /// <summary><c>ip -4 neigh show</c>: "10.0.0.11 dev eth0 lladdr 02:4c:56:00:00:0b REACHABLE" → (address, MAC lower case).</summary>
    public static IEnumerable<(string Ip, string Mac)> Neighbours(string output)
    {
        foreach (var line in output.Split('\n'))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var i = Array.IndexOf(f, "lladdr");
            if (f.Length > 0 && i > 0 && i + 1 < f.Length && IPAddress.TryParse(f[0], out _)) yield return (f[0], f[i + 1].ToLowerInvariant());
        }
    }
}
