using System.Net.Sockets;
using System.Text.RegularExpressions;
using LvsPS.Management.Remote;

namespace LvsPS.Management.Kernel;

/// <summary>
/// The kernel's connection sync daemons (ip_vs_sync.c) as ipvsadm 1.31 drives them: <c>--start-daemon</c>,
/// <c>--stop-daemon</c> and <c>-L --daemon</c>, whose lines are (seen on Linux 6.1 in the kernel lab)
/// <c>master sync daemon (mcast=eth0, syncid=7, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)</c>.
/// The kernel keeps no start time: LvsPS writes one to /run/lvsps-sync-ROLE.started when it starts a daemon.
/// </summary>
public static class IpvsadmSyncDaemon
{
    /// <summary>The line between ipvsadm's listing and the start times LvsPS recorded.</summary>
    public const string Marker = "----LVSPS-SYNC----";

    /// <summary>Where the time (Unix seconds) LvsPS started the daemon of a role is kept on the director.</summary>
    public static string StartedFile(SyncDaemonRole role) => $"/run/lvsps-sync-{RoleName(role)}.started";

    public static string RoleName(SyncDaemonRole role) => role == SyncDaemonRole.Master ? "master" : "backup";

    /// <summary>
    /// <c>--start-daemon ROLE --mcast-interface IF --syncid N</c>, then --mcast-group, --mcast-port, --mcast-ttl and
    /// --sync-maxlen where they differ from the kernel's defaults. Validated first (<see cref="SyncDaemonValidator"/>);
    /// ipvsadm 1.31 takes only a multicast group (it says "invalid IPv4 mcast-group" otherwise), so a unicast one is
    /// refused here with InvalidSyncDaemon.
    /// </summary>
    public static IpvsadmCommand Start(SyncDaemonSpec daemon, string program = IpvsadmCommandBuilder.DefaultProgram)
    {
        SyncDaemonValidator.Validate(daemon);
        bool multicast = daemon.Group.AddressFamily == AddressFamily.InterNetworkV6
            ? daemon.Group.IsIPv6Multicast
            : daemon.Group.GetAddressBytes()[0] is >= 224 and <= 239;
        if (!multicast)
            throw new LvsException(LvsErrorIds.InvalidSyncDaemon, LvsErrorKind.InvalidArgument,
                $"The sync daemon group '{daemon.Group}' is not a multicast address: ipvsadm (and so a kernel director) sends and receives sync messages on a multicast group only; use {SyncDaemonSpec.DefaultGroup} or another group in 224.0.0.0/4 (ff00::/8 for IPv6).",
                daemon.Group);
        var args = new List<string>
        {
            "--start-daemon", RoleName(daemon.Role),
            "--mcast-interface", daemon.Interface,
            "--syncid", daemon.SyncId.ToString(CultureInfo.InvariantCulture),
        };
        if (!daemon.Group.Equals(SyncDaemonSpec.DefaultGroup)) args.AddRange(new[] { "--mcast-group", daemon.Group.ToString() });
        if (daemon.Port != SyncDaemonSpec.DefaultPort) args.AddRange(new[] { "--mcast-port", daemon.Port.ToString(CultureInfo.InvariantCulture) });
        if (daemon.Ttl != 1) args.AddRange(new[] { "--mcast-ttl", daemon.Ttl.ToString(CultureInfo.InvariantCulture) });
        if (daemon.MaxLength != 0) args.AddRange(new[] { "--sync-maxlen", daemon.MaxLength.ToString(CultureInfo.InvariantCulture) });
        return new IpvsadmCommand(program, args, IpvsadmOutputKind.None);
    }

    /// <summary>The start command, then the start time recorded (only when ipvsadm succeeded).</summary>
    public static string StartCommandLine(SyncDaemonSpec daemon, string program = IpvsadmCommandBuilder.DefaultProgram) =>
        $"{Start(daemon, program).CommandLine} && {{ date -u +%s > {StartedFile(daemon.Role)}; true; }}";

    /// <summary><c>--stop-daemon ROLE</c>.</summary>
    public static IpvsadmCommand Stop(SyncDaemonRole role, string program = IpvsadmCommandBuilder.DefaultProgram)
    {
        SyncDaemonValidator.Role(role);
        return new IpvsadmCommand(program, new[] { "--stop-daemon", RoleName(role) }, IpvsadmOutputKind.None);
    }

    /// <summary>The stop command, then the start time forgotten.</summary>
    public static string StopCommandLine(SyncDaemonRole role, string program = IpvsadmCommandBuilder.DefaultProgram) =>
        $"{Stop(role, program).CommandLine} && rm -f {StartedFile(role)}";

    /// <summary><c>-L --daemon</c>, the marker, and the start times LvsPS recorded ("ROLE SECONDS" lines).</summary>
    public static string ListCommandLine(string program = IpvsadmCommandBuilder.DefaultProgram) =>
        new IpvsadmCommand(program, new[] { "-L", "--daemon" }, IpvsadmOutputKind.None).CommandLine +
        $" && echo {Marker} && for r in master backup; do t=$(cat /run/lvsps-sync-$r.started 2>/dev/null) && echo \"$r $t\"; done; true";

    private static readonly Regex Line = new(
        @"^(?<role>master|backup) sync daemon \(mcast=(?<if>[^,]*), syncid=(?<id>\d+)(?:, maxlen=(?<len>\d+))?(?:, group=(?<g>[^,]+))?(?:, port=(?<p>\d+))?(?:, ttl=(?<t>\d+))?\)$",
        RegexOptions.CultureInvariant);

    /// <summary>
    /// The daemons <c>ipvsadm -L --daemon</c> lists (with the start times after <see cref="Marker"/>, when given).
    /// Older ipvsadm versions print only mcast= and syncid=; the rest then keeps the kernel's defaults (maxlen 0 = not
    /// said). A line in another format is DirectorProtocolError naming it.
    /// </summary>
    public static List<SyncDaemonStatus> Parse(string text, string director)
    {
        var list = new List<SyncDaemonStatus>();
        var parts = (text ?? "").Replace("\r", "").Split(Marker);
        var started = new Dictionary<string, DateTime>(StringComparer.Ordinal);
        if (parts.Length > 1)
            foreach (var l in parts[1].Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var w = l.Split(' ');
                if (w.Length == 2 && long.TryParse(w[1], NumberStyles.None, CultureInfo.InvariantCulture, out long s))
                    started[w[0]] = DateTimeOffset.FromUnixTimeSeconds(s).UtcDateTime;
            }
        foreach (var raw in parts[0].Split('\n'))
        {
            string l = raw.Trim();
            if (l.Length == 0) continue;
            var m = Line.Match(l);
            IPAddress? group = null;
            if (!m.Success || (m.Groups["g"].Success && !IPAddress.TryParse(m.Groups["g"].Value, out group)))
                throw new LvsException(LvsErrorIds.DirectorProtocolError, LvsErrorKind.ParserError,
                    $"ipvsadm -L --daemon on '{director}' printed a line LvsPS does not read: '{l}'.", l);
            string role = m.Groups["role"].Value;
            list.Add(new SyncDaemonStatus
            {
                Director = director,
                Role = role == "master" ? SyncDaemonRole.Master : SyncDaemonRole.Backup,
                Interface = m.Groups["if"].Value,
                SyncId = int.Parse(m.Groups["id"].Value, CultureInfo.InvariantCulture),
                MaxLength = m.Groups["len"].Success ? int.Parse(m.Groups["len"].Value, CultureInfo.InvariantCulture) : 0,
                Group = group ?? SyncDaemonSpec.DefaultGroup,
                Port = m.Groups["p"].Success ? int.Parse(m.Groups["p"].Value, CultureInfo.InvariantCulture) : SyncDaemonSpec.DefaultPort,
                Ttl = m.Groups["t"].Success ? int.Parse(m.Groups["t"].Value, CultureInfo.InvariantCulture) : 1,
                Started = started.TryGetValue(role, out var t) ? t : default,
            });
        }
        return list;
    }
}
