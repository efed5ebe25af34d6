using System.Text;
using System.Net.Sockets;

namespace LvsPS.Management.Remote;

/// <summary>
/// Prepares a Linux real server for LVS-DR/TUN: it must hold the VIP (so its stack accepts packets sent to the
/// VIP and answers from it) without ever answering or announcing the VIP in ARP.
/// </summary>
/// <remarks>
/// What is done, in this order:
/// <list type="number">
/// <item>for a VIP interface other than lo: create it as a dummy link when missing (left down for now);</item>
/// <item>arp_ignore &gt;= 1 and arp_announce &gt;= 2 on all, on the VIP interface and on the network interface when
/// given (the kernel uses the max of all and the per-interface value, so a value already higher is kept);</item>
/// <item>on kernels with the old 'hidden' sysctl (2.2/2.4 with the hidden patch): all/hidden=1 and IFACE/hidden=1;</item>
/// <item>ip addr replace VIP/32 dev IFACE scope host. /32 so that no subnet route appears; scope host so the kernel
/// never picks the VIP as the source address of connections the real server opens itself (replies to clients still
/// leave from the VIP, because the accepted socket is bound to it);</item>
/// <item>bring the dummy link up.</item>
/// </list>
/// The sysctls come before the address so that there is no moment in which the VIP is held and still answered for.
/// </remarks>
public static class RealServerPreparer
{
    private const string ConfDir = "/proc/sys/net/ipv4/conf/";

    private enum Step { Plain, CreateLink }

    /// <summary>The shell commands <see cref="SetHidden"/> runs (what -WhatIf shows); every value is quoted.</summary>
    public static IReadOnlyList<string> BuildSetHiddenCommands(IPAddress vip, string vipInterface = "lo", string? netInterface = null)
        => BuildSteps(vip, vipInterface, netInterface).Select(s => s.Command).ToList();

    private static List<(string Command, Step Step)> BuildSteps(IPAddress vip, string vipInterface, string? netInterface)
    {
        var address = ValidateVip(vip);
        ValidateVipInterface(vipInterface);
        netInterface = NormalizeNetInterface(netInterface, vipInterface);

        var steps = new List<(string, Step)>();
        bool isLo = vipInterface == "lo";
        var q = ShellQuote.Quote(vipInterface);
        if (!isLo)
            steps.Add(($"if ! ip link show dev {q} >/dev/null 2>&1; then ip link add {q} type dummy; fi", Step.CreateLink));

        var ifaces = new List<string> { "all", vipInterface };
        if (netInterface != null) ifaces.Add(netInterface);
        foreach (var (key, value) in new[] { ("arp_ignore", 1), ("arp_announce", 2) })
            foreach (var i in ifaces)
                steps.Add((RaiseSysctl(i, key, value), Step.Plain));

        steps.Add(($"if [ -e {ShellQuote.Quote(ConfDir + "all/hidden")} ]; then " +
                   $"sysctl -w {ShellQuote.Quote(SysctlKey("all", "hidden") + "=1")} && " +
                   $"sysctl -w {ShellQuote.Quote(SysctlKey(vipInterface, "hidden") + "=1")}; fi", Step.Plain));

        steps.Add(($"ip addr replace {ShellQuote.Quote(address + "/32")} dev {q} scope host", Step.Plain));
        if (!isLo)
            steps.Add(($"ip link set dev {q} up", Step.Plain));
        return steps;
    }

    /// <summary>Sets key to value unless the current value is already at least that high.</summary>
    private static string RaiseSysctl(string iface, string key, int value)
        => $"[ \"$(cat {ShellQuote.Quote(ConfDir + iface + "/" + key)})\" -ge {value} ] 2>/dev/null || " +
           $"sysctl -w {ShellQuote.Quote(SysctlKey(iface, key) + "=" + value.ToString(CultureInfo.InvariantCulture))}";

    /// <summary>net.ipv4.conf.IFACE.KEY; a '.' in an interface name (VLANs: eth0.100) is written '/', as sysctl(8) expects.</summary>
    private static string SysctlKey(string iface, string key) => $"net.ipv4.conf.{iface.Replace('.', '/')}.{key}";

    /// <summary>
    /// Puts the VIP on <paramref name="vipInterface"/> and hides it from ARP (see the type remarks), then reads the
    /// state back. Changed is true when anything differs from before. A failing command throws RemoteCommandFailed
    /// with the command and its stderr; a kernel without the dummy link type throws InterfaceNotAvailable.
    /// </summary>
    public static LvsRealServerHiddenState SetHidden(SshSession s, IPAddress vip, string vipInterface = "lo", string? netInterface = null)
    {
        ArgumentNullException.ThrowIfNull(s);
        var steps = BuildSteps(vip, vipInterface, netInterface);
        var address = ValidateVip(vip);
        netInterface = NormalizeNetInterface(netInterface, vipInterface);

        var before = Read(s, address, vipInterface, netInterface);
        // The VIP with another prefix (say /24) would make a whole subnet local: remove it first.
        var cleanup = before.Prefixes.Where(p => p != 32).Distinct()
            .Select(p => ($"ip addr del {ShellQuote.Quote($"{address}/{p}")} dev {ShellQuote.Quote(vipInterface)}", Step.Plain));
        steps.InsertRange(steps.FindIndex(x => x.Command.StartsWith("ip addr replace", StringComparison.Ordinal)), cleanup);

        // The steps and the read-back as one remote command (each command costs a shell start on the host, with
        // whatever root's ~/.bashrc does): a failing step stops the script and names itself on stderr.
        var r = s.Run(BuildApplyScript(steps.Select(x => x.Command).ToList(), ReadCommand(address, vipInterface, netInterface)));
        var (failed, stepStatus, stepError, readBack) = ParseApplyOutput(r);
        if (failed is int index)
        {
            var (command, step) = steps[index];
            if (step == Step.CreateLink)
                throw new LvsException(LvsErrorIds.InterfaceNotAvailable, LvsErrorKind.ResourceUnavailable,
                    $"Cannot create the interface '{vipInterface}' on {s.ComputerName} as a dummy link: {stepError.Trim()}. " +
                    "The kernel probably lacks the 'dummy' link type (CONFIG_DUMMY / module dummy). Use -Interface lo, " +
                    "or load the module (modprobe dummy) and try again.", vipInterface);
            throw new LvsException(LvsErrorIds.RemoteCommandFailed, LvsErrorKind.InvalidOperation,
                $"Command failed on {s.ComputerName} (exit {stepStatus}): {command}" +
                (string.IsNullOrWhiteSpace(stepError) ? "" : $"\n{stepError.TrimEnd()}"), command);
        }
        if (readBack is null)
            throw new LvsException(LvsErrorIds.RemoteCommandFailed, LvsErrorKind.InvalidOperation,
                $"Preparing {s.ComputerName} stopped before its state was read back (exit {r.ExitStatus})" +
                (string.IsNullOrWhiteSpace(r.Error) ? "." : $":\n{r.Error.TrimEnd()}"), s.ComputerName);

        var after = Snapshot.Parse(readBack, netInterface != null);
        var state = after.ToState(s.ComputerName, address, vipInterface);
        state.Commands = steps.Select(x => x.Command).ToArray();
        state.Changed = !after.SameAs(before);
        return state;
    }

    /// <summary>
    /// Reads the VIP and ARP state of a real server with one remote command. IsHidden needs the VIP present and
    /// effective arp_ignore &gt;= 1 and arp_announce &gt;= 2 (or, on old kernels, hidden set on all and the interface).
    /// The effective value is the max of 'all' and the interface ARP requests arrive on: <paramref name="netInterface"/>
    /// when given, otherwise only 'all' counts (a value on lo alone does not stop eth0 from answering).
    /// </summary>
    public static LvsRealServerHiddenState GetHidden(SshSession s, IPAddress vip, string vipInterface = "lo", string? netInterface = null)
    {
        ArgumentNullException.ThrowIfNull(s);
        var address = ValidateVip(vip);
        ValidateVipInterface(vipInterface);
        netInterface = NormalizeNetInterface(netInterface, vipInterface);
        return Read(s, address, vipInterface, netInterface).ToState(s.ComputerName, address, vipInterface);
    }

    /// <summary>The single read-back command GetHidden runs; it prints key=value lines.</summary>
    public static string BuildGetHiddenCommand(IPAddress vip, string vipInterface = "lo", string? netInterface = null)
    {
        var address = ValidateVip(vip);
        ValidateVipInterface(vipInterface);
        netInterface = NormalizeNetInterface(netInterface, vipInterface);
        return ReadCommand(address, vipInterface, netInterface);
    }

    private static string ReadCommand(IPAddress vip, string iface, string? net)
    {
        // Values are assigned once from quoted literals and only ever expanded inside double quotes.
        return string.Join("\n",
            $"i={ShellQuote.Quote(iface)}; n={ShellQuote.Quote(net ?? "")}; v={ShellQuote.Quote(vip.ToString())}",
            "if ip link show dev \"$i\" >/dev/null 2>&1; then echo link=1; else echo link=0; fi",
            "ip -o -4 addr show dev \"$i\" 2>/dev/null | while read -r _n _d _f a _r; do case \"$a\" in \"$v\"/*) echo \"vip_prefix=${a#*/}\";; esac; done",
            "for k in arp_ignore arp_announce hidden; do",
            "  f=/proc/sys/net/ipv4/conf/all/$k; if [ -r \"$f\" ]; then echo \"$k.all=$(cat \"$f\")\"; fi",
            "  f=/proc/sys/net/ipv4/conf/$i/$k; if [ -r \"$f\" ]; then echo \"$k.if=$(cat \"$f\")\"; fi",
            "  if [ -n \"$n\" ]; then f=/proc/sys/net/ipv4/conf/$n/$k; if [ -r \"$f\" ]; then echo \"$k.net=$(cat \"$f\")\"; fi; fi",
            "done",
            "if [ -e /proc/sys/net/ipv4/conf/all/hidden ]; then echo hidden_supported=1; else echo hidden_supported=0; fi");
    }

    private const string StepFailedMarker = "@@lvsps-step-failed";
    private const string ReadBackMarker = "@@lvsps-read-back";

    /// <summary>
    /// One shell script of <paramref name="steps"/> (each in a group of its own, so any command form fits) and then
    /// <paramref name="readBack"/>: a step that fails prints "@@lvsps-step-failed INDEX STATUS" on stderr and ends the
    /// script with status 100; otherwise "@@lvsps-read-back" on stdout starts the read-back's output.
    /// </summary>
    internal static string BuildApplyScript(IReadOnlyList<string> steps, string readBack)
    {
        var b = new StringBuilder();
        for (int i = 0; i < steps.Count; i++)
            b.Append("{ ").Append(steps[i]).Append('\n').Append("} || { s=$?; echo \"").Append(StepFailedMarker).Append(' ')
             .Append(i.ToString(CultureInfo.InvariantCulture)).Append(" $s\" >&2; exit 100; }\n");
        b.Append("echo ").Append(ReadBackMarker).Append('\n').Append(readBack);
        return b.ToString();
    }

    /// <summary>
    /// What <see cref="BuildApplyScript"/>'s run gave: the index, exit status and stderr of the step that failed (or
    /// null), and the read-back's output (null unless the script got that far and the read-back succeeded).
    /// </summary>
    internal static (int? FailedStep, int StepStatus, string StepError, string? ReadBack) ParseApplyOutput(RemoteResult r)
    {
        var errorLines = r.Error.Replace("\r", "").Split('\n');
        for (int i = errorLines.Length - 1; i >= 0; i--)
        {
            var f = errorLines[i].Split(' ');
            if (f.Length == 3 && f[0] == StepFailedMarker &&
                int.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out var index) &&
                int.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var status))
                return (index, status, string.Join("\n", errorLines.Take(i)), null);
        }
        // The marker's own line, at the start of stdout or after the steps' output; the read-back follows it.
        var output = "\n" + r.Output.Replace("\r", "");
        var at = output.IndexOf("\n" + ReadBackMarker + "\n", StringComparison.Ordinal);
        if (at < 0 || !r.Succeeded) return (null, 0, "", null);
        return (null, 0, "", output[(at + ReadBackMarker.Length + 2)..]);
    }

    private static Snapshot Read(SshSession s, IPAddress vip, string iface, string? net)
    {
        var command = ReadCommand(vip, iface, net);
        var r = s.Run(command);
        if (!r.Succeeded)
            throw new LvsException(LvsErrorIds.RemoteCommandFailed, LvsErrorKind.InvalidOperation,
                $"Reading the ARP state on {s.ComputerName} failed (exit {r.ExitStatus}): {command}" +
                (string.IsNullOrWhiteSpace(r.Error) ? "" : $"\n{r.Error.TrimEnd()}"), command);
        return Snapshot.Parse(r.Output, net != null);
    }

    /// <summary>Everything read back, including what the result type has no field for.</summary>
    private sealed class Snapshot
    {
        public bool LinkPresent;
        public List<int> Prefixes = new();
        public int IgnoreAll, IgnoreIf, IgnoreNet, AnnounceAll, AnnounceIf, AnnounceNet;
        public bool HiddenSupported, HiddenAll, HiddenIf;
        public bool HasNet;

        public static Snapshot Parse(string output, bool hasNet)
        {
            var s = new Snapshot { HasNet = hasNet };
            foreach (var raw in output.Split('\n'))
            {
                var line = raw.Trim();
                int eq = line.IndexOf('=');
                if (eq <= 0) continue;
                var key = line[..eq];
                int.TryParse(line[(eq + 1)..].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v);
                switch (key)
                {
                    case "link": s.LinkPresent = v == 1; break;
                    case "vip_prefix": s.Prefixes.Add(v); break;
                    case "arp_ignore.all": s.IgnoreAll = v; break;
                    case "arp_ignore.if": s.IgnoreIf = v; break;
                    case "arp_ignore.net": s.IgnoreNet = v; break;
                    case "arp_announce.all": s.AnnounceAll = v; break;
                    case "arp_announce.if": s.AnnounceIf = v; break;
                    case "arp_announce.net": s.AnnounceNet = v; break;
                    case "hidden.all": s.HiddenAll = v != 0; break;
                    case "hidden.if": s.HiddenIf = v != 0; break;
                    case "hidden_supported": s.HiddenSupported = v == 1; break;
                }
            }
            return s;
        }

        public bool VipPresent => Prefixes.Count > 0;

        public bool IsHidden
        {
            get
            {
                if (!VipPresent) return false;
                int ignore = HasNet ? Math.Max(IgnoreAll, IgnoreNet) : IgnoreAll;
                int announce = HasNet ? Math.Max(AnnounceAll, AnnounceNet) : AnnounceAll;
                bool modern = ignore >= 1 && announce >= 2;
                bool old = HiddenSupported && HiddenAll && HiddenIf;
                return modern || old;
            }
        }

        public LvsRealServerHiddenState ToState(string computerName, IPAddress vip, string iface) => new()
        {
            ComputerName = computerName,
            VirtualAddress = vip,
            Interface = iface,
            VipPresent = VipPresent,
            VipPrefixLength = Prefixes.Count == 0 ? 0 : Prefixes.Contains(32) ? 32 : Prefixes[0],
            ArpIgnoreAll = IgnoreAll,
            ArpIgnoreInterface = IgnoreIf,
            ArpAnnounceAll = AnnounceAll,
            ArpAnnounceInterface = AnnounceIf,
            HiddenSupported = HiddenSupported,
            HiddenAll = HiddenAll,
            HiddenInterface = HiddenIf,
            IsHidden = IsHidden,
        };

        public bool SameAs(Snapshot o) =>
            LinkPresent == o.LinkPresent &&
            Prefixes.OrderBy(x => x).SequenceEqual(o.Prefixes.OrderBy(x => x)) &&
            IgnoreAll == o.IgnoreAll && IgnoreIf == o.IgnoreIf && IgnoreNet == o.IgnoreNet &&
            AnnounceAll == o.AnnounceAll && AnnounceIf == o.AnnounceIf && AnnounceNet == o.AnnounceNet &&
            HiddenSupported == o.HiddenSupported && HiddenAll == o.HiddenAll && HiddenIf == o.HiddenIf;
    }

    private static IPAddress ValidateVip(IPAddress vip)
    {
        if (vip == null)
            throw new LvsException(LvsErrorIds.InvalidAddress, LvsErrorKind.InvalidArgument, "A virtual address is required.");
        var a = vip.IsIPv4MappedToIPv6 ? vip.MapToIPv4() : vip;
        if (a.AddressFamily != AddressFamily.InterNetwork)
            throw new LvsException(LvsErrorIds.InvalidAddress, LvsErrorKind.InvalidArgument,
                $"Virtual address '{vip}' is not IPv4; hiding a VIP from ARP applies to IPv4 only.", vip);
        var b = a.GetAddressBytes();
        if (a.Equals(IPAddress.Any) || a.Equals(IPAddress.Broadcast) || b[0] == 127 || b[0] >= 224)
            throw new LvsException(LvsErrorIds.InvalidAddress, LvsErrorKind.InvalidArgument,
                $"Virtual address '{vip}' cannot be a VIP (unspecified, loopback, multicast or reserved).", vip);
        return a;
    }

    private static void ValidateVipInterface(string vipInterface)
    {
        ShellQuote.ValidateInterfaceName(vipInterface);
        if (vipInterface is "all" or "default")
            throw new LvsException(LvsErrorIds.InvalidInterfaceName, LvsErrorKind.InvalidArgument,
                $"Invalid interface name '{vipInterface}': it names a sysctl pseudo-directory, not an interface.", vipInterface);
    }

    private static string? NormalizeNetInterface(string? netInterface, string vipInterface)
    {
        if (string.IsNullOrEmpty(netInterface)) return null;
        ShellQuote.ValidateInterfaceName(netInterface);
        if (netInterface is "all" or "default" || netInterface == vipInterface) return null;
        return netInterface;
    }
}
