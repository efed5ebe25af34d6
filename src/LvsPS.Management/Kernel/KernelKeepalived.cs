using System.Text.RegularExpressions;
using LvsPS.Management.Config;
using LvsPS.Management.Remote;

namespace LvsPS.Management.Kernel;

/// <summary>
/// The health checks of a kernel director are keepalived's: the services that have health checks or health settings
/// are kept as /etc/keepalived/keepalived.conf on the director (written by <see cref="ConfigurationWriter"/>), checked
/// with <c>keepalived -t</c>, installed, and keepalived (checkers only, <c>-C</c>) is started or sent SIGHUP. The file
/// is the one place those services' checks live, so any session reads them back from it. Each real server's state comes
/// from the IPVS table (keepalived removes a failed one, or sets weight 0 with inhibit_on_failure), the checker's data
/// dump (SIGUSR1 writes /tmp/keepalived_check.data) and keepalived's log (its state changes, with their time).
/// </summary>
public static class KernelKeepalived
{
    public const string ConfPath = "/etc/keepalived/keepalived.conf";
    public const string PidFile = "/run/lvsps-keepalived.pid";
    public const string CheckersPidFile = "/run/lvsps-keepalived-checkers.pid";
    public const string LogFile = "/var/log/lvsps-keepalived.log";
    public const string DataFile = "/tmp/keepalived_check.data";
    /// <summary>The VRRP process's pid (keepalived runs one when the file has vrrp_instance blocks).</summary>
    public const string VrrpPidFile = "/run/lvsps-keepalived-vrrp.pid";
    /// <summary>"checkers" (-C) or "vrrp": how the running LvsPS keepalived was started.</summary>
    public const string ModeFile = "/run/lvsps-keepalived.mode";
    /// <summary>The first line ConfigurationWriter writes: a keepalived.conf without it is not LvsPS's and is never overwritten.</summary>
    public const string Header = "! keepalived.conf: LVS virtual servers written by LvsPS";
    /// <summary>Exit status of the install script when keepalived -t refuses the new file.</summary>
    public const int ConfigTestFailed = 65;
    /// <summary>Exit status when the guest has no keepalived.</summary>
    public const int KeepalivedMissing = 66;
    /// <summary>Exit status when keepalived did not start (no pid file within 5 s).</summary>
    public const int StartFailed = 67;

    /// <summary>Reads the file: null when there is none (or it is empty).</summary>
    public static string ReadCommand => $"cat {ConfPath} 2>/dev/null || true";

    /// <summary>
    /// The services of an LvsPS keepalived.conf as specs (their real servers, checkers and health settings); empty for
    /// no file; KeepalivedConfigForeign for a file LvsPS did not write.
    /// </summary>
    public static List<ServiceSpec> Parse(string text, string director)
    {
        if (string.IsNullOrWhiteSpace(text)) return new List<ServiceSpec>();
        if (!text.StartsWith(Header, StringComparison.Ordinal)) throw Foreign(director);
        return ParseAll(text, director).ToServiceSpecs();
    }

    /// <summary>The services and the VRRP instances of an LvsPS keepalived.conf; empty for no file; KeepalivedConfigForeign for a foreign one.</summary>
    public static KeepalivedConfiguration ParseAll(string text, string director)
    {
        if (string.IsNullOrWhiteSpace(text)) return new KeepalivedConfiguration();
        if (!text.StartsWith(Header, StringComparison.Ordinal)) throw Foreign(director);
        return KeepalivedConfParser.Parse(text, ConfPath, _ => null);
    }

    public static LvsException Foreign(string director) =>
        new(LvsErrorIds.KeepalivedConfigForeign, LvsErrorKind.ResourceExists,
            $"{ConfPath} on '{director}' was not written by LvsPS; it is left alone. Move it away (or manage that director's keepalived yourself) before LvsPS configures health checks there.",
            ConfPath);

    /// <summary>
    /// The script that installs <paramref name="conf"/>: written to a new file through a quoted heredoc (no expansion),
    /// checked with keepalived -t, moved into place; keepalived (-C: checkers only, no VRRP) started when no LvsPS
    /// keepalived runs, else sent SIGHUP. Nothing of the file's text reaches the shell unquoted.
    /// </summary>
    public static string InstallScript(string conf) => InstallScript(conf, vrrp: false);

    /// <summary>
    /// The install script; with <paramref name="vrrp"/> keepalived runs its VRRP process too (no <c>-C</c>), for the
    /// vrrp_instance blocks of the file. A running LvsPS keepalived of the same mode (<see cref="ModeFile"/>) is sent
    /// SIGHUP; one of the other mode is stopped (SIGTERM, SIGKILL after 5 s) and started again in the new one.
    /// </summary>
    public static string InstallScript(string conf, bool vrrp)
    {
        string eof = "LVSPS_KEEPALIVED_EOF";
        while (conf.Contains(eof, StringComparison.Ordinal)) eof += "_";
        string tmp = ConfPath + ".lvsps-new";
        var sb = new StringBuilder();
        sb.Append("command -v keepalived >/dev/null 2>&1 || { echo 'keepalived not found' >&2; exit ").Append(KeepalivedMissing).Append("; }\n");
        sb.Append("mkdir -p /etc/keepalived && umask 077 && cat > ").Append(tmp).Append(" <<'").Append(eof).Append("'\n");
        sb.Append(conf.EndsWith('\n') ? conf : conf + "\n").Append(eof).Append('\n');
        sb.Append("out=$(keepalived -t -f ").Append(tmp).Append(" 2>&1) || { echo \"$out\" >&2; rm -f ").Append(tmp).Append("; exit ").Append(ConfigTestFailed).Append("; }\n");
        sb.Append("mv -f ").Append(tmp).Append(' ').Append(ConfPath).Append('\n');
        string mode = vrrp ? "vrrp" : "checkers";
        sb.Append("p=$(cat ").Append(PidFile).Append(" 2>/dev/null)\n");
        sb.Append("if [ -n \"$p\" ] && kill -0 \"$p\" 2>/dev/null; then\n");
        sb.Append("  if [ \"$(cat ").Append(ModeFile).Append(" 2>/dev/null || echo checkers)\" = ").Append(mode).Append(" ]; then kill -HUP \"$p\"; echo reloaded; exit 0; fi\n");
        sb.Append("  kill -TERM \"$p\"; i=0; while kill -0 \"$p\" 2>/dev/null; do i=$((i+1)); [ $i -ge 50 ] && { kill -KILL \"$p\"; break; }; sleep 0.1; done\n");
        sb.Append("fi\n");
        sb.Append("rm -f ").Append(PidFile).Append(' ').Append(CheckersPidFile).Append(' ').Append(VrrpPidFile).Append('\n');
        sb.Append("echo ").Append(mode).Append(" > ").Append(ModeFile).Append('\n');
        sb.Append("setsid keepalived -n -l -D ").Append(vrrp ? "" : "-C ").Append("-f ").Append(ConfPath).Append(" -p ").Append(PidFile).Append(" --checkers_pid ").Append(CheckersPidFile);
        if (vrrp) sb.Append(" --vrrp_pid ").Append(VrrpPidFile);
        sb.Append(" </dev/null >>").Append(LogFile).Append(" 2>&1 &\n");
        sb.Append("i=0; until [ -s ").Append(PidFile).Append(" ]; do i=$((i+1)); [ $i -ge 50 ] && { tail -n 20 ").Append(LogFile).Append(" >&2; exit ").Append(StartFailed).Append("; }; sleep 0.1; done\n");
        sb.Append("echo started\n");
        return sb.ToString();
    }

    /// <summary>The install script's outcome as an error (null when it worked).</summary>
    public static LvsException? InstallError(RemoteResult r, string director)
    {
        if (r.Succeeded) return null;
        string text = string.Join(" ", (r.Error ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return r.ExitStatus switch
        {
            ConfigTestFailed => new LvsException(LvsErrorIds.KeepalivedConfigRejected, LvsErrorKind.InvalidArgument,
                $"keepalived -t refused the configuration LvsPS wrote for '{director}' (nothing was changed): {text}", ConfPath),
            KeepalivedMissing => new LvsException(LvsErrorIds.KeepalivedNotFound, LvsErrorKind.ResourceUnavailable,
                $"keepalived is not installed on '{director}': install the keepalived package to run health checks on a kernel director.", director),
            StartFailed => new LvsException(LvsErrorIds.KeepalivedStartFailed, LvsErrorKind.ResourceUnavailable,
                $"keepalived did not start on '{director}' (no pid file {PidFile} within 5 s): {text}", director),
            _ => new LvsException(LvsErrorIds.RemoteCommandFailed, LvsErrorKind.InvalidOperation,
                $"Installing {ConfPath} on '{director}' failed (exit {r.ExitStatus}): {text}", director),
        };
    }

    /// <summary>
    /// The dump (SIGUSR1 to the LvsPS keepalived; its checker process writes the file) and the log's last lines, in one
    /// round trip, split by a marker line. Without a running keepalived both are empty.
    /// </summary>
    public static string StatusCommand =>
        $"p=$(cat {PidFile} 2>/dev/null); if [ -n \"$p\" ] && kill -0 \"$p\" 2>/dev/null; then rm -f {DataFile}; kill -USR1 \"$p\"; " +
        $"i=0; until [ -s {DataFile} ]; do i=$((i+1)); [ $i -ge 40 ] && break; sleep 0.05; done; sleep 0.05; cat {DataFile} 2>/dev/null; fi; " +
        $"echo {LogMarker}; tail -n 2000 {LogFile} 2>/dev/null; echo {LogMarker}; date -u +%s";

    public const string LogMarker = "----LVSPS-KEEPALIVED-LOG----";

    /// <summary>What the checker's dump says of one real server.</summary>
    public sealed class DumpedRealServer
    {
        public bool Alive { get; set; }
        public int FailedCheckers { get; set; }
        public bool HasRun { get; set; }
    }

    private static readonly Regex VsLine = new(@"^\s*VS VIP = (?<a>\S+), VPORT = (?<p>\d+)", RegexOptions.CultureInvariant);
    private static readonly Regex FwmLine = new(@"^\s*VS FWMARK = (?<m>\d+)", RegexOptions.CultureInvariant);
    private static readonly Regex RsLine = new(@"^\s*RIP = (?<a>\S+), RPORT = (?<p>\d+)", RegexOptions.CultureInvariant);
    private static readonly Regex CheckerHead = new(@"^\s*\[(?<v>[^\]]+)\]:(?<pr>\w+):(?<vp>\d+) -> \[(?<r>[^\]]+)\]:\w+:(?<rp>\d+)", RegexOptions.CultureInvariant);

    /// <summary>Key of a real server of a service: "VIP:PORT RIP:PORT" (fwmark services: "fwmN RIP:PORT").</summary>
    public static string Key(string service, IPAddress rip, int rport) => $"{service} {rip}:{rport.ToString(CultureInfo.InvariantCulture)}";

    public static string ServiceKey(uint mark, IPAddress vip, int port) =>
        mark != 0 ? "fwm" + mark.ToString(CultureInfo.InvariantCulture) : $"{vip}:{port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>keepalived's data dump (the LVS topology and health checker sections) by real server.</summary>
    public static Dictionary<string, DumpedRealServer> ParseDump(string text)
    {
        var result = new Dictionary<string, DumpedRealServer>(StringComparer.Ordinal);
        string? service = null;
        DumpedRealServer? current = null;
        bool checkers = false;
        foreach (var raw in text.Replace("\r", "").Split('\n'))
        {
            if (raw.Contains("< Health checkers >", StringComparison.Ordinal)) { checkers = true; current = null; continue; }
            if (!checkers)
            {
                Match m;
                if ((m = VsLine.Match(raw)).Success && IPAddress.TryParse(m.Groups["a"].Value, out var vip))
                    service = ServiceKey(0, vip, int.Parse(m.Groups["p"].Value, CultureInfo.InvariantCulture));
                else if ((m = FwmLine.Match(raw)).Success)
                    service = "fwm" + m.Groups["m"].Value;
                else if ((m = RsLine.Match(raw)).Success && service is not null && IPAddress.TryParse(m.Groups["a"].Value, out var rip))
                    result[Key(service, rip, int.Parse(m.Groups["p"].Value, CultureInfo.InvariantCulture))] = current = new DumpedRealServer();
                else if (current is not null && raw.Trim() is var t)
                {
                    if (t.StartsWith("alive = ", StringComparison.Ordinal)) current.Alive = t.EndsWith(" 1", StringComparison.Ordinal);
                    else if (t.StartsWith("num failed checkers = ", StringComparison.Ordinal)
                             && int.TryParse(t["num failed checkers = ".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out int n)) current.FailedCheckers = n;
                }
            }
            else
            {
                var m = CheckerHead.Match(raw);
                if (m.Success && IPAddress.TryParse(m.Groups["v"].Value, out var vip) && IPAddress.TryParse(m.Groups["r"].Value, out var rip))
                    result.TryGetValue(Key(ServiceKey(0, vip, int.Parse(m.Groups["vp"].Value, CultureInfo.InvariantCulture)), rip, int.Parse(m.Groups["rp"].Value, CultureInfo.InvariantCulture)), out current);
                else if (current is not null && raw.Trim() == "Has run = yes") current.HasRun = true;
            }
        }
        return result;
    }

    /// <summary>One state change keepalived logged.</summary>
    public sealed record LoggedChange(DateTime Time, string Key, LvsRealServerState State, string Reason);

    // "Tue Dec  1 16:32:10 2026: Removing service [10.0.0.3]:tcp:80 from VS [10.0.0.101]:tcp:80"
    private static readonly Regex LogLine = new(@"^(?<t>\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}): (?<m>.*)$", RegexOptions.CultureInvariant);
    private static readonly Regex ChangeLine = new(@"^(?<verb>Removing|Adding|Disabling|Enabling) service \[(?<r>[^\]]+)\]:\w+:(?<rp>\d+) (?:from|to) VS \[(?<v>[^\]]+)\]:\w+:(?<vp>\d+)", RegexOptions.CultureInvariant);
    private static readonly Regex FwmChangeLine = new(@"^(?<verb>Removing|Adding|Disabling|Enabling) service \[(?<r>[^\]]+)\]:\w+:(?<rp>\d+) (?:from|to) VS FWM (?<m>\d+)", RegexOptions.CultureInvariant);
    private static readonly Regex CheckLine = new(@"\[(?<r>[^\]]+)\]:\w+:(?<rp>\d+)", RegexOptions.CultureInvariant);

    /// <summary>
    /// keepalived's log lines (console format, the director's local time, taken as UTC: the guest has no time zone)
    /// as state changes, and the last check result per real server address:port.
    /// </summary>
    public static (List<LoggedChange> Changes, Dictionary<string, (DateTime Time, string Text)> LastResults) ParseLog(string text)
    {
        var changes = new List<LoggedChange>();
        var results = new Dictionary<string, (DateTime, string)>(StringComparer.Ordinal);
        foreach (var raw in text.Replace("\r", "").Split('\n'))
        {
            var l = LogLine.Match(raw);
            if (!l.Success) continue;
            string t = Regex.Replace(l.Groups["t"].Value, " +", " ");
            if (!DateTime.TryParseExact(t, "ddd MMM d HH:mm:ss yyyy", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time)) continue;
            string msg = l.Groups["m"].Value;
            var c = ChangeLine.Match(msg);
            var f = c.Success ? c : FwmChangeLine.Match(msg);
            if (f.Success && IPAddress.TryParse(f.Groups["r"].Value, out var rip))
            {
                string service = f.Groups["m"].Success ? "fwm" + f.Groups["m"].Value
                    : IPAddress.TryParse(f.Groups["v"].Value, out var vip) ? ServiceKey(0, vip, int.Parse(f.Groups["vp"].Value, CultureInfo.InvariantCulture)) : "";
                string verb = f.Groups["verb"].Value;
                var state = verb is "Removing" or "Disabling" ? LvsRealServerState.Down : LvsRealServerState.Up;
                string key = Key(service, rip, int.Parse(f.Groups["rp"].Value, CultureInfo.InvariantCulture));
                string why = results.TryGetValue($"{rip}:{f.Groups["rp"].Value}", out var last) && (time - last.Item1).TotalSeconds <= 60 ? $"{last.Item2}; " : "";
                changes.Add(new LoggedChange(time, key, state, $"keepalived: {why}{msg}"));
                continue;
            }
            var k = CheckLine.Match(msg);
            bool verdict = msg.Contains("failed", StringComparison.Ordinal) || msg.Contains("succeed", StringComparison.Ordinal)
                           || msg.Contains("timeout", StringComparison.OrdinalIgnoreCase);
            if (verdict && k.Success && IPAddress.TryParse(k.Groups["r"].Value, out var crip))
                results[$"{crip}:{k.Groups["rp"].Value}"] = (time, msg.TrimEnd('.'));
        }
        return (changes, results);
    }
}
