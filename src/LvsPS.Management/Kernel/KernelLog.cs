using LvsPS.Ipvs.Director;
using LvsPS.Management.Remote;

namespace LvsPS.Management.Kernel;

/// <summary>
/// A kernel director's log as <see cref="LvsLogRecord"/>s: the kernel's IPVS messages (journalctl -k when the director
/// has journald, else dmesg -r) and keepalived's (journalctl -t Keepalived, and the log of the keepalived LvsPS runs),
/// read in one command; and the kernel's debug level, /proc/sys/net/ipv4/vs/debug_level (CONFIG_IP_VS_DEBUG only).
/// </summary>
public static class KernelLog
{
    public const string DebugLevelPath = "/proc/sys/net/ipv4/vs/debug_level";
    private const string Marker = "----LVSPS-LOG----";

    /// <summary>Sections: J or D (which tool), the kernel's IPVS lines, keepalived's lines, /proc/uptime, date -u +%s.</summary>
    public static string ReadCommand =>
        "if command -v journalctl >/dev/null 2>&1 && journalctl -k -q -n 1 >/dev/null 2>&1; then echo J; journalctl -k -q --no-pager -o short-iso-precise 2>/dev/null | grep IPVS | tail -n 5000; " +
        "else echo D; { dmesg -r 2>/dev/null || dmesg; } | grep IPVS | tail -n 5000; fi; " +
        $"echo {Marker}; if command -v journalctl >/dev/null 2>&1; then journalctl -q --no-pager -o short-iso-precise -t Keepalived -t Keepalived_healthcheckers -t Keepalived_vrrp 2>/dev/null | tail -n 5000; fi; " +
        $"tail -n 5000 {KernelKeepalived.LogFile} 2>/dev/null; echo {Marker}; cat /proc/uptime; date -u +%s; " +
        $"if [ -e {DebugLevelPath} ]; then cat {DebugLevelPath}; else echo none; fi";

    /// <summary><see cref="ReadCommand"/>'s output as records (oldest first, kernel and keepalived merged by time) and the debug level (null: no debug_level).</summary>
    public static (List<LvsLogRecord> Records, int? DebugLevel) Parse(string output, string director)
    {
        var parts = output.Replace("\r", "").Split(Marker + "\n");
        if (parts.Length < 3)
            throw new LvsException(LvsErrorIds.DirectorProtocolError, LvsErrorKind.ParserError, $"The log of '{director}' could not be read: '{output.Trim()}'.");
        var tail = parts[2].Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        double uptime = tail.Length > 0 && double.TryParse(tail[0].Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var u) ? u : 0;
        long now = tail.Length > 1 && long.TryParse(tail[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        int? level = tail.Length > 2 && int.TryParse(tail[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? l : null;
        var boot = DateTimeOffset.FromUnixTimeSeconds(now).UtcDateTime.AddSeconds(-uptime);
        var records = new List<LvsLogRecord>();
        foreach (var line in parts[0].Split('\n').Skip(1))
            if (line.Length > 0 && DirectorLogFormat.ParseKernelLine(line, boot, director) is { } r) records.Add(r);
        foreach (var line in parts[1].Split('\n'))
            if (line.Length > 0 && DirectorLogFormat.ParseKeepalivedLine(line, director) is { } r) records.Add(r);
        return (records.OrderBy(r => r.Time).ToList(), level);
    }

    /// <summary>Writes the level into debug_level, or exits 3 when the kernel has none.</summary>
    public static string SetCommand(int level)
    {
        DirectorLogFormat.ValidateLevel(level);
        return $"[ -e {DebugLevelPath} ] || exit 3; echo {level.ToString(CultureInfo.InvariantCulture)} > {DebugLevelPath}";
    }

    public const int NotSupportedExit = 3;

    public static LvsException NotSupported(string director) =>
        new(LvsErrorIds.LogLevelNotSupported, LvsErrorKind.NotImplemented,
            $"The kernel of '{director}' was built without CONFIG_IP_VS_DEBUG: it has no {DebugLevelPath}, so its IPVS debug level cannot be set. " +
            "Its IPVS messages (level 0) are still read by Get-LvsDirectorLog.", director);
}
