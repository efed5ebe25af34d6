using System.Text.RegularExpressions;

namespace LvsPS.Management.Kernel;

/// <summary>
/// The VRRP state of a kernel director as keepalived 2.2.7 reports it. LvsPS asks keepalived itself, in one round
/// trip: SIGUSR1 makes its VRRP process write its data dump (/tmp/keepalived.data: per instance the state, the master's
/// address and priority while backup, the last transition with microseconds) and SIGUSR2 its counters
/// (/tmp/keepalived.stats: adverts sent and received, became/released master, packet and authentication errors).
/// That is chosen over notify scripts or a notify FIFO because it is keepalived's own state at the moment of asking,
/// needs no extra process or script on the director, survives a reload, and cannot miss or reorder a transition
/// (keepalived runs notify scripts asynchronously, and a lost one would leave a recorded state wrong forever).
/// </summary>
public static class KernelVrrp
{
    public const string DataFile = "/tmp/keepalived.data";
    public const string StatsFile = "/tmp/keepalived.stats";
    public const string Marker = "----LVSPS-VRRP----";

    /// <summary>
    /// Both dumps (waiting up to 2 s for each to be complete), then the director's clock; without a running LvsPS
    /// keepalived only the markers and the clock.
    /// </summary>
    public static string StatusCommand =>
        $"p=$(cat {KernelKeepalived.PidFile} 2>/dev/null); if [ -n \"$p\" ] && kill -0 \"$p\" 2>/dev/null; then rm -f {DataFile} {StatsFile}; kill -USR1 \"$p\"; kill -USR2 \"$p\"; " +
        $"i=0; until grep -q '< Interfaces >' {DataFile} 2>/dev/null && [ -s {StatsFile} ]; do i=$((i+1)); [ $i -ge 40 ] && break; sleep 0.05; done; sleep 0.05; " +
        $"cat {DataFile} 2>/dev/null; echo {Marker}; cat {StatsFile} 2>/dev/null; else echo {Marker}; fi; echo {Marker}; date -u +%s";

    /// <summary>What keepalived's data dump says of one instance.</summary>
    public sealed class DumpedInstance
    {
        public string Name { get; set; } = "";
        public VrrpState State { get; set; } = VrrpState.Init;
        public IPAddress? MasterAddress { get; set; }
        public int MasterPriority { get; set; }
        public IPAddress? SourceAddress { get; set; }
        public int Priority { get; set; }
        public int EffectivePriority { get; set; }
        public DateTime LastTransition { get; set; }
    }

    /// <summary>What keepalived's stats dump says of one instance.</summary>
    public sealed class InstanceStats
    {
        public ulong Received { get; set; }
        public ulong Sent { get; set; }
        public ulong BecameMaster { get; set; }
        public ulong ReleasedMaster { get; set; }
        public ulong Errors { get; set; }
    }

    private static readonly Regex KeyValue = new(@"^\s*(?<k>[^=]+?)\s*=\s*(?<v>.*)$", RegexOptions.CultureInvariant);

    /// <summary>The instances of the dump's VRRP Topology section, by name.</summary>
    public static Dictionary<string, DumpedInstance> ParseDump(string text)
    {
        var result = new Dictionary<string, DumpedInstance>(StringComparer.Ordinal);
        bool topology = false;
        DumpedInstance? cur = null;
        foreach (var raw in (text ?? "").Replace("\r", "").Split('\n'))
        {
            if (raw.StartsWith("------<", StringComparison.Ordinal)) { topology = raw.Contains("VRRP Topology", StringComparison.Ordinal); cur = null; continue; }
            if (!topology) continue;
            var m = KeyValue.Match(raw);
            if (!m.Success) continue;
            string k = m.Groups["k"].Value, v = m.Groups["v"].Value.Trim();
            if (k == "VRRP Instance") { result[v] = cur = new DumpedInstance { Name = v }; continue; }
            if (cur is null) continue;
            switch (k)
            {
                case "State":
                    cur.State = v switch { "MASTER" => VrrpState.Master, "BACKUP" => VrrpState.Backup, "FAULT" => VrrpState.Fault, _ => VrrpState.Init };
                    break;
                // until a master is heard keepalived names a multicast group (ff02::12): no master
                case "Master router" when IPAddress.TryParse(v, out var a) && a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
                                          && !a.Equals(IPAddress.Any) && a.GetAddressBytes()[0] is < 224 or > 239:
                    cur.MasterAddress = a;
                    break;
                case "Master priority":
                    cur.MasterPriority = Int(v);
                    break;
                case "Using src_ip" when IPAddress.TryParse(v, out var s):
                    cur.SourceAddress = s;
                    break;
                case "Priority":
                    cur.Priority = Int(v);
                    break;
                case "Effective priority":
                    cur.EffectivePriority = Int(v);
                    break;
                case "Last transition":
                    // "1796152783.292221 (Tue Dec  1 19:19:43.292221 2026)"
                    string n = v.Split(' ')[0];
                    if (decimal.TryParse(n, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var secs) && secs > 0)
                        cur.LastTransition = DateTime.UnixEpoch.AddTicks((long)(secs * TimeSpan.TicksPerSecond));
                    break;
            }
        }
        return result;
    }

    /// <summary>The counters of keepalived's stats dump, by instance name.</summary>
    public static Dictionary<string, InstanceStats> ParseStats(string text)
    {
        var result = new Dictionary<string, InstanceStats>(StringComparer.Ordinal);
        InstanceStats? cur = null;
        string section = "";
        foreach (var raw in (text ?? "").Replace("\r", "").Split('\n'))
        {
            string l = raw.Trim();
            if (l.StartsWith("VRRP Instance:", StringComparison.Ordinal)) { result[l["VRRP Instance:".Length..].Trim()] = cur = new InstanceStats(); section = ""; continue; }
            if (cur is null || l.Length == 0) continue;
            int colon = l.IndexOf(':');
            if (colon < 0) continue;
            string k = l[..colon].Trim(), v = l[(colon + 1)..].Trim();
            if (v.Length == 0) { section = k; continue; }
            if (!ulong.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out ulong n)) continue;
            bool nested = raw.StartsWith("    ", StringComparison.Ordinal);
            if (!nested) section = "";
            switch (section, k)
            {
                case ("Advertisements", "Received"): cur.Received = n; break;
                case ("Advertisements", "Sent"): cur.Sent = n; break;
                case ("", "Became master"): cur.BecameMaster = n; break;
                case ("", "Released master"): cur.ReleasedMaster = n; break;
                case ("Packet Errors", _) or ("Authentication Errors", _): cur.Errors += n; break;
            }
        }
        return result;
    }

    private static int Int(string v) => int.TryParse(v.Split(' ')[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n) ? n : 0;
}
