using System.Globalization;
using System.Text;

namespace LvsPS.Management.Watch;

/// <summary>One frame of Watch-LvsService: the director's services (with rates) as read at <see cref="Time"/>.</summary>
public sealed class LvsServiceWatchSnapshot
{
    public DateTime Time { get; set; }
    public string Director { get; set; } = "";
    /// <summary>The frame's number, from 1.</summary>
    public int Frame { get; set; }
    public List<LvsService> Services { get; set; } = new();

    /// <summary>Sum of the services' connections per second.</summary>
    public ulong ConnectionsPerSecond => (ulong)Services.Sum(s => (decimal)s.Statistics.ConnectionsPerSecond);
    public ulong InBytesPerSecond => (ulong)Services.Sum(s => (decimal)s.Statistics.InBytesPerSecond);
}

/// <summary>The escape sequences of the markers; all empty when colours are off (<see cref="Plain"/>).</summary>
public sealed class ServiceWatchColors
{
    public string Header { get; init; } = "";
    public string Quiesced { get; init; } = "";
    public string Down { get; init; } = "";
    public string Draining { get; init; } = "";
    public string Bar { get; init; } = "";
    public string Reset { get; init; } = "";

    public static ServiceWatchColors Plain { get; } = new();

    public bool Enabled => Reset.Length > 0;
}

/// <summary>
/// Renders a <see cref="LvsServiceWatchSnapshot"/> as the lines of a text frame (pure: no console, no clock):
/// a header, then per service a line with its rates (CPS, InPPS, OutPPS, InBPS, OutBPS as ipvsadm --rate) and per
/// real server a line with its rates, a marker (W0 = weight 0, quiesced; DOWN = health check failing; DRAIN =
/// suspended, connections go on) and its share of the service's connections as a bar that scales with the width.
/// No line is longer than the width (visible columns; escape sequences do not count).
/// </summary>
public static class ServiceWatchRenderer
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    public const int DefaultWidth = 80;
    /// <summary>Narrowest width rendered; narrower is rendered at this width.</summary>
    public const int MinimumWidth = 60;
    private const int NumberWidth = 7;
    private const int Numbers = 5;
    private const int MarkerWidth = 6;

    public static IReadOnlyList<string> Render(LvsServiceWatchSnapshot snapshot, int width = DefaultWidth, ServiceWatchColors? colors = null)
    {
        colors ??= ServiceWatchColors.Plain;
        width = Math.Max(MinimumWidth, width);
        int nameWidth = Math.Clamp(width - MarkerWidth - Numbers * NumberWidth - 14, 18, 30);
        int barArea = width - nameWidth - MarkerWidth - Numbers * NumberWidth; // " " + bar + " 100%"
        int barWidth = Math.Max(0, barArea - 6);
        var lines = new List<string>();
        string head = Fit($"Director {snapshot.Director}  {snapshot.Time.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z  frame {snapshot.Frame}", width);
        lines.Add(Paint(colors.Header, head, colors));
        var columns = new StringBuilder();
        columns.Append(Fit("Service/real server", nameWidth).PadRight(nameWidth)).Append("".PadRight(MarkerWidth));
        foreach (var c in new[] { "CPS", "InPPS", "OutPPS", "InBPS", "OutBPS" }) columns.Append(c.PadLeft(NumberWidth));
        if (barWidth > 0) columns.Append(' ').Append(Fit("Share", barWidth + 5));
        lines.Add(Paint(colors.Header, columns.ToString().TrimEnd(), colors));
        if (snapshot.Services.Count == 0) lines.Add("(no virtual service)");
        foreach (var s in snapshot.Services)
        {
            string name = $"{ProtocolWord(s)} {(s.FirewallMark != 0 ? s.FirewallMark.ToString(Inv) : Endpoint(s.VirtualAddress, s.Port))} {s.Scheduler.ToString().ToLowerInvariant()}";
            lines.Add(Row(Fit(name, nameWidth).PadRight(nameWidth), "", s.Statistics, null, 0, colors, ""));
            long total = s.RealServers.Sum(r => (long)r.ActiveConnections + r.InactiveConnections);
            bool byCount = total == 0;
            if (byCount) total = (long)s.RealServers.Sum(r => (decimal)r.Statistics.Connections);
            foreach (var r in s.RealServers)
            {
                long mine = byCount ? (long)r.Statistics.Connections : (long)r.ActiveConnections + r.InactiveConnections;
                double share = total > 0 ? (double)mine / total : 0;
                var (marker, color) = MarkerOf(r, colors);
                string rname = Fit($"  {Endpoint(r.RealAddress, r.RealPort)} w{r.Weight.ToString(Inv)}", nameWidth).PadRight(nameWidth);
                lines.Add(Row(rname, marker, r.Statistics, share, barWidth, colors, color));
            }
        }
        return lines;
    }

    /// <summary>The marker of a real server: DOWN (checks failing), DRAIN (suspended, connections go on), W0 (weight 0: quiesced).</summary>
    public static (string Marker, string Color) MarkerOf(LvsRealServer r, ServiceWatchColors colors)
    {
        if (r.State == LvsRealServerState.Down) return ("DOWN", colors.Down);
        if (r.State == LvsRealServerState.Draining || r.Suspended) return ("DRAIN", colors.Draining);
        if (r.Weight == 0 || r.State == LvsRealServerState.Quiesced) return ("W0", colors.Quiesced);
        if (r.State == LvsRealServerState.Unresolved) return ("NOMAC", colors.Down);
        return ("", "");
    }

    private static string Row(string name, string marker, LvsStatistics st, double? share, int barWidth, ServiceWatchColors colors, string color)
    {
        var sb = new StringBuilder();
        sb.Append(name).Append(' ');
        sb.Append(marker.Length > 0 ? Paint(color, marker.PadRight(MarkerWidth - 1), colors) : "".PadRight(MarkerWidth - 1));
        foreach (var v in new[] { st.ConnectionsPerSecond, st.InPacketsPerSecond, st.OutPacketsPerSecond, st.InBytesPerSecond, st.OutBytesPerSecond })
            sb.Append(Short(v).PadLeft(NumberWidth));
        if (share is double f && barWidth > 0)
        {
            int filled = (int)Math.Round(f * barWidth, MidpointRounding.AwayFromZero);
            filled = Math.Clamp(filled, 0, barWidth);
            sb.Append(' ').Append(Paint(color.Length > 0 ? color : colors.Bar, new string('#', filled), colors, filled == 0))
              .Append(new string('.', barWidth - filled))
              .Append(((int)Math.Round(f * 100, MidpointRounding.AwayFromZero)).ToString(Inv).PadLeft(4)).Append('%');
        }
        return sb.ToString().TrimEnd();
    }

    private static string Paint(string color, string text, ServiceWatchColors colors, bool skip = false) =>
        !colors.Enabled || color.Length == 0 || skip || text.Length == 0 ? text : color + text + colors.Reset;

    /// <summary>A number in at most 6 characters: as is below 10^6, then K, M, G, T (one decimal below 10 of the unit).</summary>
    public static string Short(ulong v)
    {
        if (v < 1_000_000) return v.ToString(Inv);
        string[] units = { "K", "M", "G", "T", "P" };
        double d = v;
        int u = -1;
        while (d >= 1000 && u < units.Length - 1) { d /= 1000; u++; }
        return (d < 10 ? d.ToString("0.0", Inv) : Math.Floor(d).ToString("0", Inv)) + units[u];
    }

    /// <summary>The text cut to <paramref name="width"/> columns, a '~' marking the cut.</summary>
    public static string Fit(string s, int width) =>
        s.Length <= width ? s : width <= 1 ? s[..width] : s[..(width - 1)] + "~";

    /// <summary>Visible columns of a rendered line (ANSI escape sequences removed).</summary>
    public static int VisibleLength(string line) => StripEscapes(line).Length;

    public static string StripEscapes(string line) =>
        System.Text.RegularExpressions.Regex.Replace(line, "\u001b\\[[0-9;?]*[A-Za-z]", "");

    private static string ProtocolWord(LvsService s) => s.FirewallMark != 0 ? "FWM" : s.Protocol.ToString().ToUpperInvariant();

    private static string Endpoint(System.Net.IPAddress a, int port) =>
        a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{a}]:{port.ToString(Inv)}" : $"{a}:{port.ToString(Inv)}";
}
