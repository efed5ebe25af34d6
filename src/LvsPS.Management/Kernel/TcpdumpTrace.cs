using System.Text.RegularExpressions;
using LvsPS.Ipvs.Director;
using LvsPS.Management.Remote;

namespace LvsPS.Management.Kernel;

/// <summary>What the trace of a kernel director knows about the director and its table when it starts.</summary>
public sealed class TcpdumpTraceContext
{
    public string Director { get; set; } = "";
    /// <summary>The director's MAC on the traced interface (lower case): frames from it are the ones it forwarded.</summary>
    public string DirectorMac { get; set; } = "";
    /// <summary>The director's neighbour table on the interface: MAC (lower case) to address.</summary>
    public Dictionary<string, IPAddress> Neighbours { get; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>The services the trace covers (those the spec selects).</summary>
    public List<LvsService> Services { get; set; } = new();
}

/// <summary>
/// The traffic trace of a kernel director as tcpdump gives it (pure: command lines and parsing, no SSH): the BPF
/// filter built from a <see cref="TrafficTraceSpec"/> and the director's services, the shell lines that start tcpdump
/// in the background bounded by count and time, read its output from a byte offset and kill it, and the parser that
/// turns <c>tcpdump -n -e -l -S -tt</c> lines into <see cref="LvsTrafficRecord"/>s. A record is the director's
/// forwarded frame (source MAC the director's), paired with the client's frame it came from (same client address and
/// port, TCP flags, sequence and ack numbers, and length): DR keeps the IP header and rewrites the destination MAC to
/// the real server's (its address from the director's neighbour table), NAT rewrites the destination to the real
/// server (the VIP from the paired client frame), TUN wraps the frame in an outer IP-in-IP header to the real server.
/// </summary>
public static class TcpdumpTrace
{
    /// <summary>Where tcpdump is looked for: the login PATH, then Debian's /usr/bin and /usr/sbin.</summary>
    public static readonly IReadOnlyList<string> ProgramCandidates = new[] { "tcpdump", "/usr/bin/tcpdump", "/usr/sbin/tcpdump" };

    /// <summary>The exit status of the start line when no tcpdump is found.</summary>
    public const int NotFoundStatus = 127;

    /// <summary>
    /// The BPF filter: the client's frames to the services' VIP:port, and the director's forwarded frames — to VIP:port
    /// (DR), to a masqueraded real server's address and port (NAT), IP-in-IP to a tunnelled real server (TUN) — each
    /// narrowed to the client (network) and protocol the spec asks for. Values are formatted addresses and numbers only.
    /// </summary>
    public static string BuildFilter(TrafficTraceSpec spec, IReadOnlyList<LvsService> services)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var inner = new List<string>();
        var outer = new List<string>();
        foreach (var s in services.Where(s => s.FirewallMark == 0))
        {
            string proto = ProtoName(s.Protocol);
            inner.Add($"({proto} and dst host {s.VirtualAddress} and dst port {s.Port})");
            foreach (var r in s.RealServers)
            {
                if (spec.RealAddress is { } ra && !ra.Equals(r.RealAddress)) continue;
                if (r.Forwarding == LvsForwarding.Masq) inner.Add($"({proto} and dst host {r.RealAddress} and dst port {r.RealPort})");
                else if (r.Forwarding == LvsForwarding.Tunnel) outer.Add($"(ip proto 4 and dst host {r.RealAddress})");
            }
        }
        if (inner.Count == 0) inner.Add(spec.Protocol is { } p ? ProtoName(p) : "(tcp or udp or sctp)");
        string clause = "(" + string.Join(" or ", inner.Distinct()) + ")";
        if (spec.ClientAddress is { } c) clause += $" and src net {c}/{spec.ClientPrefixLength}";
        if (spec.Protocol is { } pr) clause += $" and {ProtoName(pr)}";
        var all = new List<string> { "(" + clause + ")" };
        all.AddRange(outer.Distinct());
        return "ip and (" + string.Join(" or ", all) + ")";
    }

    private static string ProtoName(LvsProtocol p) => p switch { LvsProtocol.Udp => "udp", LvsProtocol.Sctp => "sctp", _ => "tcp" };

    /// <summary>
    /// The shell line that starts tcpdump in the background on <paramref name="interfaceName"/> (first of
    /// <see cref="ProgramCandidates"/> found, else exit 127), under <c>timeout</c> so it ends by itself after
    /// <paramref name="seconds"/>, at most <paramref name="maxFrames"/> frames (0: no count), its output in
    /// <paramref name="file"/> (stderr in file.err, tcpdump's pid in file.pid). It prints the timeout's pid.
    /// </summary>
    public static string StartCommand(string interfaceName, string filter, string file, int seconds, int maxFrames)
    {
        var q = ShellQuote.Quote;
        string count = maxFrames > 0 ? $" -c {maxFrames.ToString(CultureInfo.InvariantCulture)}" : "";
        string find = "td=; for p in " + string.Join(" ", ProgramCandidates.Select(q)) +
                      "; do if command -v \"$p\" >/dev/null 2>&1; then td=$(command -v \"$p\"); break; fi; done; " +
                      $"[ -n \"$td\" ] || exit {NotFoundStatus}; ";
        return find +
               $"f={q(file)}; : >\"$f\"; " +
               $"timeout {seconds.ToString(CultureInfo.InvariantCulture)} sh -c 'echo $$ >\"$1.pid\"; shift; exec \"$@\"' sh \"$f\" " +
               $"\"$td\" -i {q(interfaceName)} -n -e -l -S -tt -U{count} {q(filter)} >\"$f\" 2>\"$f.err\" </dev/null & " +
               "echo $!";
    }

    /// <summary>
    /// Reads the output from byte <paramref name="offset"/> (at most <paramref name="maxBytes"/>), after a line
    /// "RUNNING" or "ENDED" (is tcpdump still alive) and tcpdump's stderr between two marker lines.
    /// </summary>
    public static string ReadCommand(string file, long offset, int maxBytes)
    {
        var q = ShellQuote.Quote;
        return $"f={q(file)}; if kill -0 \"$(cat \"$f.pid\" 2>/dev/null)\" 2>/dev/null; then echo RUNNING; else echo ENDED; fi; " +
               "echo '--err--'; cat \"$f.err\" 2>/dev/null; echo '--out--'; " +
               $"tail -c +{(offset + 1).ToString(CultureInfo.InvariantCulture)} \"$f\" 2>/dev/null | head -c {maxBytes.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>Kills the timeout (<paramref name="pid"/>) and tcpdump, then removes the files; prints what is still alive.</summary>
    public static string StopCommand(string file, int pid)
    {
        var q = ShellQuote.Quote;
        string p = pid.ToString(CultureInfo.InvariantCulture);
        return $"f={q(file)}; t=$(cat \"$f.pid\" 2>/dev/null); kill {p} $t 2>/dev/null; " +
               $"i=0; while [ $i -lt 20 ] && {{ kill -0 {p} 2>/dev/null || {{ [ -n \"$t\" ] && kill -0 $t 2>/dev/null; }}; }}; do sleep 0.1; i=$((i+1)); done; " +
               $"kill -9 {p} $t 2>/dev/null; rm -f \"$f\" \"$f.err\" \"$f.pid\"; true";
    }

    /// <summary>The shell line that prints the interface holding <paramref name="vip"/>, its MAC, and the neighbour table.</summary>
    public static string DiscoverCommand(IPAddress? vip)
    {
        string find = vip is null
            ? "dev=$(ip -o -4 route show default | awk '{for(i=1;i<NF;i++) if($i==\"dev\"){print $(i+1); exit}}'); "
            : $"dev=$(ip -o -4 addr show | awk -v a={ShellQuote.Quote(vip.ToString())} '{{split($4,x,\"/\"); if (x[1]==a) {{print $2; exit}}}}'); " +
              "[ -n \"$dev\" ] || dev=$(ip -o -4 route show default | awk '{for(i=1;i<NF;i++) if($i==\"dev\"){print $(i+1); exit}}'); ";
        return find + "[ -n \"$dev\" ] || exit 3; echo \"dev $dev\"; echo \"mac $(cat /sys/class/net/$dev/address)\"; ip -4 neigh show dev \"$dev\"";
    }

    /// <summary>Parses <see cref="DiscoverCommand"/>'s output: the interface, and fills the context's MAC and neighbours.</summary>
    public static string ParseDiscover(string output, TcpdumpTraceContext context)
    {
        string dev = "";
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("dev ", StringComparison.Ordinal)) dev = line[4..].Trim();
            else if (line.StartsWith("mac ", StringComparison.Ordinal)) context.DirectorMac = line[4..].Trim().ToLowerInvariant();
            else
            {
                // 10.0.0.21 lladdr 52:54:00:aa:bb:cc REACHABLE
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                int i = Array.IndexOf(parts, "lladdr");
                if (parts.Length > 0 && i > 0 && i + 1 < parts.Length && IPAddress.TryParse(parts[0], out var a))
                    context.Neighbours[parts[i + 1].ToLowerInvariant()] = a;
            }
        }
        return dev;
    }

    // 1700000000.123456 52:54:00:12:34:56 > 52:54:00:ab:cd:ef, ethertype IPv4 (0x0800), length 74: REST
    private static readonly Regex Frame = new(
        @"^(?<t>\d+\.\d+) (?<smac>[0-9a-f:]{17}) > (?<dmac>[0-9a-f:]{17}), ethertype IPv4 \(0x0800\), length (?<len>\d+): (?<rest>.*)$",
        RegexOptions.CultureInvariant | RegexOptions.Compiled);

    // 10.0.0.10.45678 > 10.0.0.100.80: Flags [S], seq 1, ... | 10.0.0.10.5353 > 10.0.0.100.53: UDP, length 5
    private static readonly Regex Ports = new(
        @"^(?<src>\d+\.\d+\.\d+\.\d+)\.(?<sp>\d+) > (?<dst>\d+\.\d+\.\d+\.\d+)\.(?<dp>\d+): (?<rest>.*)$",
        RegexOptions.CultureInvariant | RegexOptions.Compiled);

    // the outer header of IP-in-IP: 10.0.0.2 > 10.0.0.21: INNER
    private static readonly Regex Outer = new(
        @"^(?<src>\d+\.\d+\.\d+\.\d+) > (?<dst>\d+\.\d+\.\d+\.\d+): (?<rest>\d+\.\d+\.\d+\.\d+\.\d+ > .*)$",
        RegexOptions.CultureInvariant | RegexOptions.Compiled);

    private static readonly Regex Flags = new(@"Flags \[(?<f>[^\]]*)\]", RegexOptions.CultureInvariant | RegexOptions.Compiled);
    private static readonly Regex Seq = new(@"(?:seq|ack) \d+(?::\d+)?", RegexOptions.CultureInvariant | RegexOptions.Compiled);

    /// <summary>One frame of tcpdump's output, as far as the trace needs it.</summary>
    public sealed class TcpdumpFrame
    {
        public DateTime Time { get; init; }
        public string SourceMac { get; init; } = "";
        public string DestinationMac { get; init; } = "";
        public int FrameLength { get; init; }
        public IPAddress Source { get; init; } = IPAddress.Any;
        public int SourcePort { get; init; }
        public IPAddress Destination { get; init; } = IPAddress.Any;
        public int DestinationPort { get; init; }
        public IPAddress? OuterSource { get; init; }
        public IPAddress? OuterDestination { get; init; }
        public LvsProtocol Protocol { get; init; }
        public string? TcpFlags { get; init; }
        /// <summary>What identifies the IP packet whatever the director rewrote: flags, seq/ack, the text's tail.</summary>
        public string Key { get; init; } = "";
    }

    /// <summary>One tcpdump line as a frame; null for a line that is not an IPv4 frame with ports.</summary>
    public static TcpdumpFrame? ParseLine(string line)
    {
        var m = Frame.Match(line.TrimEnd('\r'));
        if (!m.Success) return null;
        string rest = m.Groups["rest"].Value;
        IPAddress? os = null, od = null;
        var o = Outer.Match(rest);
        if (o.Success)
        {
            os = IPAddress.Parse(o.Groups["src"].Value);
            od = IPAddress.Parse(o.Groups["dst"].Value);
            rest = o.Groups["rest"].Value;
        }
        var p = Ports.Match(rest);
        if (!p.Success) return null;
        string tail = p.Groups["rest"].Value;
        if (os is not null) tail = tail.Replace(" (ipip-proto-4)", "", StringComparison.Ordinal);
        var f = Flags.Match(tail);
        var proto = f.Success ? LvsProtocol.Tcp : tail.StartsWith("sctp", StringComparison.OrdinalIgnoreCase) ? LvsProtocol.Sctp : LvsProtocol.Udp;
        double secs = double.Parse(m.Groups["t"].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
        return new TcpdumpFrame
        {
            Time = DateTime.UnixEpoch.AddTicks((long)(secs * TimeSpan.TicksPerSecond)),
            SourceMac = m.Groups["smac"].Value,
            DestinationMac = m.Groups["dmac"].Value,
            FrameLength = int.Parse(m.Groups["len"].Value, CultureInfo.InvariantCulture),
            Source = IPAddress.Parse(p.Groups["src"].Value),
            SourcePort = int.Parse(p.Groups["sp"].Value, CultureInfo.InvariantCulture),
            Destination = IPAddress.Parse(p.Groups["dst"].Value),
            DestinationPort = int.Parse(p.Groups["dp"].Value, CultureInfo.InvariantCulture),
            OuterSource = os,
            OuterDestination = od,
            Protocol = proto,
            TcpFlags = f.Success ? TcpFlagText(f.Groups["f"].Value) : null,
            Key = $"{p.Groups["src"].Value}.{p.Groups["sp"].Value} {(f.Success ? f.Groups["f"].Value : "")} {string.Join(" ", Seq.Matches(tail).Select(x => x.Value))} {TailLength(tail)}",
        };
    }

    /// <summary>tcpdump's "[S.]" as the engine prints flags ("S.", "P.", "."); "none" for none.</summary>
    private static string TcpFlagText(string f) => f.Length == 0 ? "none" : f.Replace("U", "", StringComparison.Ordinal).Replace("E", "", StringComparison.Ordinal).Replace("W", "", StringComparison.Ordinal);

    private static string TailLength(string tail)
    {
        int i = tail.LastIndexOf("length ", StringComparison.Ordinal);
        return i < 0 ? "" : new string(tail[(i + 7)..].TakeWhile(char.IsAsciiDigit).ToArray());
    }

    /// <summary>
    /// Pairs frames into records: a client's frame (not from the director's MAC) waits for the director's forwarded
    /// frame of the same packet; the forwarded frame becomes one record. Unpaired client frames are dropped after
    /// <see cref="MaxPending"/> newer ones.
    /// </summary>
    public sealed class Pairer
    {
        public const int MaxPending = 4096;
        private readonly TcpdumpTraceContext _c;
        private readonly TrafficTraceSpec _spec;
        private readonly Dictionary<string, TcpdumpFrame> _pending = new(StringComparer.Ordinal);
        private readonly Queue<string> _order = new();

        public Pairer(TcpdumpTraceContext context, TrafficTraceSpec spec)
        {
            _c = context;
            _spec = spec;
        }

        /// <summary>Records numbered so far.</summary>
        public long Sequence { get; private set; }

        /// <summary>The record the line completes, or null (a client frame waiting, or a frame that is no record).</summary>
        public LvsTrafficRecord? Add(string line)
        {
            var f = ParseLine(line);
            if (f is null) return null;
            bool fromDirector = f.SourceMac.Equals(_c.DirectorMac, StringComparison.OrdinalIgnoreCase);
            if (!fromDirector)
            {
                if (_pending.TryAdd(f.Key, f))
                {
                    _order.Enqueue(f.Key);
                    while (_order.Count > MaxPending) _pending.Remove(_order.Dequeue());
                }
                return null;
            }
            _pending.Remove(f.Key, out var client);
            var r = ToRecord(f, client);
            if (r is null || !Matches(r)) return null;
            r.Sequence = Sequence++;
            return r;
        }

        private LvsTrafficRecord? ToRecord(TcpdumpFrame f, TcpdumpFrame? client)
        {
            var r = new LvsTrafficRecord
            {
                Director = _c.Director, Time = f.Time.ToLocalTime(), Direction = LvsTrafficDirection.In, Protocol = f.Protocol,
                ClientAddress = f.Source, ClientPort = f.SourcePort, Action = LvsTrafficAction.Forwarded,
                TcpFlags = f.TcpFlags, Length = f.FrameLength - 14,
            };
            if (f.OuterDestination is { } od)
            {
                // TUN: the inner packet is the client's; the outer header goes to the real server.
                r.VirtualAddress = f.Destination; r.Port = f.DestinationPort;
                r.RealAddress = od; r.RealPort = f.DestinationPort; r.Forwarding = LvsForwarding.Tunnel;
                r.OuterSource = f.OuterSource; r.OuterDestination = od; r.DestinationMac = f.DestinationMac;
                r.Length = f.FrameLength - 14 - 20;
                return r;
            }
            var svc = _c.Services.FirstOrDefault(s => s.VirtualAddress.Equals(f.Destination) && s.Port == f.DestinationPort && s.Protocol == f.Protocol);
            if (svc is not null)
            {
                // DR: the same IP packet, the destination MAC now the real server's.
                r.VirtualAddress = f.Destination; r.Port = f.DestinationPort; r.Forwarding = LvsForwarding.Route;
                r.DestinationMac = f.DestinationMac; r.RealPort = f.DestinationPort;
                r.RealAddress = _c.Neighbours.TryGetValue(f.DestinationMac, out var a) ? a
                    : svc.RealServers.Count == 1 ? svc.RealServers[0].RealAddress : null;
                return r;
            }
            // NAT: the destination rewritten to a masqueraded real server; the VIP is the paired client frame's.
            var nat = _c.Services.FirstOrDefault(s => s.RealServers.Any(x => x.Forwarding == LvsForwarding.Masq && x.RealAddress.Equals(f.Destination) && x.RealPort == f.DestinationPort)
                                                      && (client is null || (s.VirtualAddress.Equals(client.Destination) && s.Port == client.DestinationPort)));
            if (nat is null) return null;
            r.VirtualAddress = client?.Destination ?? nat.VirtualAddress; r.Port = client?.DestinationPort ?? nat.Port;
            r.RealAddress = f.Destination; r.RealPort = f.DestinationPort; r.Forwarding = LvsForwarding.Masq;
            return r;
        }

        private bool Matches(LvsTrafficRecord r)
        {
            var s = _spec;
            if (s.Protocol is { } p && r.Protocol != p) return false;
            if (s.VirtualAddress is { } v && !v.Equals(r.VirtualAddress)) return false;
            if (s.Port is { } port && r.Port != port) return false;
            if (s.RealAddress is { } ra && !ra.Equals(r.RealAddress)) return false;
            if (s.Action is { } act && act != r.Action) return false;
            if (s.ClientAddress is { } c && s.ClientPrefixLength > 0)
            {
                uint mask = uint.MaxValue << (32 - s.ClientPrefixLength);
                if ((ToUInt(c) & mask) != (ToUInt(r.ClientAddress) & mask)) return false;
            }
            return true;
        }

        private static uint ToUInt(IPAddress a)
        {
            var b = a.GetAddressBytes();
            return (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
        }
    }
}
