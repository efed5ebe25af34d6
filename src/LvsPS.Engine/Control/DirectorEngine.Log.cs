// DirectorEngine, control and packet path: the levelled log (IDirector.GetLog/SetLogLevel, Get-LvsDirectorLog).
// The packet path tests Logger.Level (one int compare) before it builds any text: level 5 names the real server a new
// connection was scheduled to, level 9 each IPv4 frame handled.

namespace LvsPS.Engine.DataPath;

internal sealed partial class DirectorEngine
{
    /// <summary>The debug level that logs each scheduling decision (which real server a new connection got).</summary>
    public const int SchedulingLogLevel = 5;
    /// <summary>The debug level that logs each IPv4 frame handled.</summary>
    public const int PacketLogLevel = 9;

    /// <summary>lvsd's log (Program gives it its sinks); a ring only in tests.</summary>
    public DirectorLog Logger { get; set; } = new("");

    public List<LvsLogRecord> GetLog(LogQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var records = Logger.Read(query);
        foreach (var r in records) r.Director = Name;
        return records;
    }

    public DirectorLogSettings SetLogLevel(int level)
    {
        int was = Logger.Level;
        Logger.SetLevel(level);
        Logger.Notice(LvsLogSource.Control, $"debug level {was} -> {level}");
        var s = Logger.Settings();
        s.Director = Name;
        return s;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void LogScheduled(ServiceRuntime svc, in ConnKey key, Connection conn) =>
        Logger.Write(SchedulingLogLevel, LvsLogSeverity.Debug, LvsLogSource.DataPath,
            $"scheduled {Frames.ToAddress(key.ClientAddress)}:{key.ClientPort} -> {svc.Name} ({svc.SchedulerKind.ToString().ToLowerInvariant()}) to {conn.Dest.Address}:{conn.RealPort} {conn.Forwarding}");

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void LogFrame(in Ipv4Packet p, int link) =>
        Logger.Write(PacketLogLevel, LvsLogSeverity.Debug, LvsLogSource.DataPath,
            $"frame on link {link}: proto {p.Protocol} {Frames.ToAddress(p.Source)}:{(p.HasPorts ? p.SourcePort : 0)} -> {Frames.ToAddress(p.Destination)}:{(p.HasPorts ? p.DestinationPort : 0)} len {p.TotalLength}");
}
