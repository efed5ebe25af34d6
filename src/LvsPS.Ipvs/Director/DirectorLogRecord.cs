using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace LvsPS.Ipvs.Director;

/// <summary>A log record's syslog severity (RFC 5424 numbers: the PRI is facility * 8 + severity).</summary>
public enum LvsLogSeverity : long
{
    Error = 3,
    Warning = 4,
    Notice = 5,
    Info = 6,
    Debug = 7,
}

/// <summary>Which part of the director wrote a record (kernel and keepalived: a kernel director's own logs).</summary>
public enum LvsLogSource : long
{
    Host,
    Control,
    Vrrp,
    Health,
    Sync,
    DataPath,
    Kernel,
    Keepalived,
}

/// <summary>The syslog facilities of RFC 5424 (daemon is lvsd's default).</summary>
public enum LvsSyslogFacility : long
{
    Kern = 0, User = 1, Mail = 2, Daemon = 3, Auth = 4, Syslog = 5, Lpr = 6, News = 7, Uucp = 8, Cron = 9,
    AuthPriv = 10, Ftp = 11, Local0 = 16, Local1 = 17, Local2 = 18, Local3 = 19, Local4 = 20, Local5 = 21,
    Local6 = 22, Local7 = 23,
}

/// <summary>
/// One record of a director's log (Get-LvsDirectorLog). <see cref="Level"/> is the debug level it needs, in the spirit
/// of the kernel's net.ipv4.vs.debug_level: 0 is always written (start, stop, state and configuration changes,
/// errors); 1-3 control and health detail; 4-6 VRRP adverts, sync messages, scheduling decisions; 7-12 per packet.
/// </summary>
public sealed class LvsLogRecord
{
    public string Director { get; set; } = "";
    /// <summary>The record's number since the director started (0, 1, 2…); 0 for records read from a kernel.</summary>
    public long Sequence { get; set; }
    /// <summary>UTC.</summary>
    public DateTime Time { get; set; }
    /// <summary>The debug level that writes it (0..12).</summary>
    public int Level { get; set; }
    public LvsLogSeverity Severity { get; set; }
    public LvsLogSource Source { get; set; }
    public string Message { get; set; } = "";

    public override string ToString() => DirectorLogFormat.FormatLine(this);
}

/// <summary>Which records <see cref="IDirector.GetLog"/> returns (every filter that is set must match).</summary>
public sealed class LogQuery
{
    /// <summary>The most records one query returns.</summary>
    public const int MaxRecords = 100000;

    /// <summary>Only records of this debug level or lower (0..12).</summary>
    public int? MaxLevel { get; set; }
    /// <summary>Only records from these sources.</summary>
    public LvsLogSource[]? Source { get; set; }
    /// <summary>Only records written at or after this time (UTC).</summary>
    public DateTime? Since { get; set; }
    /// <summary>Only the last N records that match (1..<see cref="MaxRecords"/>).</summary>
    public int? Last { get; set; }
    /// <summary>A regular expression the message must match (case-insensitive).</summary>
    public string? Pattern { get; set; }

    /// <summary>Refuses a query that cannot run (InvalidLogQuery naming the value).</summary>
    public void Validate()
    {
        if (MaxLevel is { } l) DirectorLogFormat.ValidateLevel(l);
        if (Last is < 1 or > MaxRecords)
            throw new LvsException(LvsErrorIds.InvalidLogQuery, LvsErrorKind.InvalidArgument, $"-Last takes 1 to {MaxRecords} records, not {Last}.", Last);
        if (Pattern is not null) _ = Regex();
    }

    private Regex? _regex;

    private Regex Regex()
    {
        try { return _regex ??= new Regex(Pattern!, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)); }
        catch (ArgumentException e)
        {
            throw new LvsException(LvsErrorIds.InvalidLogQuery, LvsErrorKind.InvalidArgument, $"The pattern '{Pattern}' is not a regular expression: {e.Message}", Pattern);
        }
    }

    /// <summary>True when the record passes every filter but <see cref="Last"/>.</summary>
    public bool Matches(LvsLogRecord r) =>
        (MaxLevel is null || r.Level <= MaxLevel)
        && (Source is null || Source.Length == 0 || Array.IndexOf(Source, r.Source) >= 0)
        && (Since is null || r.Time >= Since.Value.ToUniversalTime())
        && (Pattern is null || Regex().IsMatch(r.Message));

    /// <summary>The records that match, oldest first, the last <see cref="Last"/> of them when set.</summary>
    public List<LvsLogRecord> Apply(IEnumerable<LvsLogRecord> records)
    {
        Validate();
        var list = records.Where(Matches).ToList();
        int keep = Last ?? MaxRecords;
        return list.Count > keep ? list.GetRange(list.Count - keep, keep) : list;
    }
}

/// <summary>A director's log settings and counters (what SetLogLevel answers).</summary>
public sealed class DirectorLogSettings
{
    public string Director { get; set; } = "";
    /// <summary>The debug level in effect (0..12).</summary>
    public int DebugLevel { get; set; }
    /// <summary>Where the director writes its log lines (lvsd's log file; a kernel director: null).</summary>
    public string? LogPath { get; set; }
    /// <summary>Where syslog datagrams go (a unix socket path, or udp://host:port); null when not sent.</summary>
    public string? SyslogTarget { get; set; }
    public LvsSyslogFacility SyslogFacility { get; set; } = LvsSyslogFacility.Daemon;
    /// <summary>Records kept in memory for Get-LvsDirectorLog (the newest, up to the ring's capacity).</summary>
    public int Records { get; set; }
    public int RingCapacity { get; set; }
    /// <summary>Records written so far.</summary>
    public long Written { get; set; }
    /// <summary>Records a sink could not take (the writer's queue full, the syslog socket full or absent).</summary>
    public long Dropped { get; set; }
    public long SyslogSent { get; set; }
    public long SyslogDropped { get; set; }
}

/// <summary>
/// The text forms of a log record: the log file's line (one line a record, parsed back by <see cref="TryParseLine"/>),
/// the RFC 5424 syslog message, and the kernel's and keepalived's own lines as records.
/// </summary>
public static class DirectorLogFormat
{
    /// <summary>The highest debug level (the kernel's IP_VS_DBG goes to 12).</summary>
    public const int MaxLevel = 12;
    /// <summary>APP-NAME of lvsd's syslog messages.</summary>
    public const string AppName = "lvsd";

    /// <summary>Refuses a level outside 0..12 (InvalidLogQuery).</summary>
    public static void ValidateLevel(int level)
    {
        if (level is < 0 or > MaxLevel)
            throw new LvsException(LvsErrorIds.InvalidLogQuery, LvsErrorKind.InvalidArgument, $"A debug level is 0 to {MaxLevel}, not {level}.", level);
    }

    /// <summary><c>2026-12-02T03:36:19.1234567Z L0 notice host: message</c>; a message's line ends and backslashes escaped.</summary>
    public static string FormatLine(LvsLogRecord r) =>
        $"{r.Time.ToUniversalTime():yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'} L{r.Level} {SeverityWord(r.Severity)} {SourceWord(r.Source)}: {Escape(r.Message)}";

    private static readonly Regex Line = new(@"^(?<t>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) L(?<l>\d{1,2}) (?<s>[a-z]+) (?<src>[a-z]+): (?<m>.*)$",
        RegexOptions.CultureInvariant);

    /// <summary>A line of <see cref="FormatLine"/> back to its record (false for any other line: a crash's stack trace…).</summary>
    public static bool TryParseLine(string line, out LvsLogRecord record)
    {
        record = new LvsLogRecord();
        var m = Line.Match(line.TrimEnd('\r'));
        if (!m.Success) return false;
        if (!DateTime.TryParse(m.Groups["t"].Value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t)) return false;
        if (!Enum.TryParse<LvsLogSeverity>(m.Groups["s"].Value, true, out var sev) || !Enum.IsDefined(sev)) return false;
        if (!Enum.TryParse<LvsLogSource>(m.Groups["src"].Value, true, out var src) || !Enum.IsDefined(src)) return false;
        int level = int.Parse(m.Groups["l"].Value, CultureInfo.InvariantCulture);
        if (level > MaxLevel) return false;
        record = new LvsLogRecord { Time = t, Level = level, Severity = sev, Source = src, Message = Unescape(m.Groups["m"].Value) };
        return true;
    }

    public static string SeverityWord(LvsLogSeverity s) => s.ToString().ToLowerInvariant();
    public static string SourceWord(LvsLogSource s) => s.ToString().ToLowerInvariant();

    /// <summary>RFC 5424's PRI: facility * 8 + severity.</summary>
    public static int Priority(LvsSyslogFacility facility, LvsLogSeverity severity) => (int)facility * 8 + (int)severity;

    /// <summary>
    /// The RFC 5424 message: <c>&lt;PRI&gt;1 TIMESTAMP HOSTNAME lvsd PROCID SOURCE [lvsd@32473 director=".." level=".."] MSG</c>
    /// (MSGID is the source; the structured data carries the director and the debug level).
    /// </summary>
    public static string FormatSyslog(LvsLogRecord r, LvsSyslogFacility facility, string hostName, int processId)
    {
        var sb = new StringBuilder(96 + r.Message.Length);
        sb.Append('<').Append(Priority(facility, r.Severity).ToString(CultureInfo.InvariantCulture)).Append(">1 ");
        sb.Append(r.Time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture)).Append(' ');
        sb.Append(Header(hostName, 255)).Append(' ').Append(AppName).Append(' ');
        sb.Append(processId.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(SourceWord(r.Source)).Append(' ');
        sb.Append("[lvsd@32473 director=\"").Append(ParamValue(r.Director)).Append("\" level=\"")
          .Append(r.Level.ToString(CultureInfo.InvariantCulture)).Append("\"] ");
        sb.Append(r.Message.ReplaceLineEndings(" "));
        return sb.ToString();
    }

    /// <summary>A header field: printable US-ASCII without spaces, at most <paramref name="max"/> characters, "-" when empty.</summary>
    private static string Header(string s, int max)
    {
        var sb = new StringBuilder();
        foreach (char c in s) if (c is > ' ' and < (char)127) sb.Append(c);
        if (sb.Length == 0) return "-";
        return sb.Length > max ? sb.ToString(0, max) : sb.ToString();
    }

    private static string ParamValue(string s) => s.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("]", "\\]");

    private static string Escape(string s)
    {
        if (s.AsSpan().IndexOfAny('\\', '\n', '\r') < 0) return s;
        return s.Replace("\\", "\\\\").Replace("\r", "\\r").Replace("\n", "\\n");
    }

    private static string Unescape(string s)
    {
        if (!s.Contains('\\')) return s;
        var sb = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] != '\\' || i + 1 == s.Length) { sb.Append(s[i]); continue; }
            char n = s[++i];
            sb.Append(n switch { 'n' => '\n', 'r' => '\r', _ => n });
        }
        return sb.ToString();
    }

    // dmesg -r: "<6>[   12.345678] IPVS: ..." (dmesg without -r: no "<6>")
    private static readonly Regex DmesgLine = new(@"^(?:<(?<p>\d+)>)?\[\s*(?<s>\d+(?:\.\d+)?)\]\s(?<m>.*)$", RegexOptions.CultureInvariant);
    // journalctl -o short-iso(-precise): "2026-12-02T03:36:19.123456+0000 host kernel: IPVS: ..."
    private static readonly Regex JournalLine = new(@"^(?<t>\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:?\d\d)) \S+ (?<id>[^:\s\[]+)(?:\[\d+\])?: (?<m>.*)$",
        RegexOptions.CultureInvariant);
    // keepalived's console format: "Tue Dec  1 16:32:10 2026: message"
    private static readonly Regex KeepalivedLine = new(@"^(?<t>\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}): (?<m>.*)$", RegexOptions.CultureInvariant);

    /// <summary>
    /// One line of the kernel's log (dmesg, with or without -r, whose times count from boot: <paramref name="bootTime"/>;
    /// or journalctl -k -o short-iso) as a record of source Kernel; null for a line that is neither. A syslog priority
    /// (dmesg -r) gives the severity; kernel debug lines (IP_VS_DBG, KERN_DEBUG) are level 1, the rest level 0.
    /// </summary>
    public static LvsLogRecord? ParseKernelLine(string line, DateTime bootTime, string director = "")
    {
        line = line.TrimEnd('\r');
        var d = DmesgLine.Match(line);
        if (d.Success)
        {
            var sev = d.Groups["p"].Success ? SeverityOf(int.Parse(d.Groups["p"].Value, CultureInfo.InvariantCulture) & 7) : LvsLogSeverity.Info;
            double secs = double.Parse(d.Groups["s"].Value, CultureInfo.InvariantCulture);
            return new LvsLogRecord
            {
                Director = director, Time = bootTime.ToUniversalTime().AddTicks((long)(secs * TimeSpan.TicksPerSecond)),
                Level = sev == LvsLogSeverity.Debug ? 1 : 0, Severity = sev, Source = LvsLogSource.Kernel, Message = d.Groups["m"].Value,
            };
        }
        return ParseJournalLine(line, LvsLogSource.Kernel, director);
    }

    /// <summary>A journalctl -o short-iso line as a record of <paramref name="source"/> (severity Info, level 0); null otherwise.</summary>
    public static LvsLogRecord? ParseJournalLine(string line, LvsLogSource source, string director = "")
    {
        var j = JournalLine.Match(line.TrimEnd('\r'));
        if (!j.Success) return null;
        string t = j.Groups["t"].Value;
        if (Regex.IsMatch(t, @"[+-]\d{4}$")) t = t[..^2] + ":" + t[^2..];
        if (!DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)) return null;
        return new LvsLogRecord
        {
            Director = director, Time = time.UtcDateTime, Level = 0, Severity = SeverityOfText(j.Groups["m"].Value),
            Source = source, Message = j.Groups["m"].Value,
        };
    }

    /// <summary>
    /// One line of keepalived's log: its console format (the director's local time, taken as UTC) or a journal line;
    /// null for anything else.
    /// </summary>
    public static LvsLogRecord? ParseKeepalivedLine(string line, string director = "")
    {
        line = line.TrimEnd('\r');
        var k = KeepalivedLine.Match(line);
        if (!k.Success) return ParseJournalLine(line, LvsLogSource.Keepalived, director);
        string t = Regex.Replace(k.Groups["t"].Value, " +", " ");
        if (!DateTime.TryParseExact(t, "ddd MMM d HH:mm:ss yyyy", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time)) return null;
        return new LvsLogRecord
        {
            Director = director, Time = time, Level = 0, Severity = SeverityOfText(k.Groups["m"].Value),
            Source = LvsLogSource.Keepalived, Message = k.Groups["m"].Value,
        };
    }

    /// <summary>A syslog priority's severity (0..3 are errors here: emerg, alert, crit, err).</summary>
    public static LvsLogSeverity SeverityOf(int syslogSeverity) => syslogSeverity switch
    {
        <= 3 => LvsLogSeverity.Error,
        4 => LvsLogSeverity.Warning,
        5 => LvsLogSeverity.Notice,
        6 => LvsLogSeverity.Info,
        _ => LvsLogSeverity.Debug,
    };

    private static LvsLogSeverity SeverityOfText(string m) =>
        m.Contains("error", StringComparison.OrdinalIgnoreCase) || m.Contains("fail", StringComparison.OrdinalIgnoreCase)
            ? LvsLogSeverity.Warning : LvsLogSeverity.Info;
}
