using System.Net.Sockets;
using System.Text.RegularExpressions;
using LvsPS.Ipvs.Director;
using LvsPS.Management.Lvsd;
using LvsPS.Ipvs.Scheduling;


namespace LvsPS.Management.Kernel;

/// <summary>Which <c>ipvsadm -L -n</c> listing a block of text is (told apart by its title line).</summary>
public enum IpvsadmListingKind
{
    /// <summary>Plain <c>-L -n</c>: scheduler, flags, forwarding, weight, ActiveConn, InActConn.</summary>
    List,
    /// <summary><c>-L -n --stats</c> (with or without --exact).</summary>
    Stats,
    /// <summary><c>-L -n --rate</c> (with or without --exact): the kernel estimator's per-second rates.</summary>
    Rate,
    /// <summary><c>-L -n --thresholds</c>.</summary>
    Thresholds,
    /// <summary><c>-L -n --persistent-conn</c>.</summary>
    PersistentConn,
}

/// <summary>One parsed listing: the header's IPVS version and table size and the services as far as the listing tells.</summary>
public sealed class IpvsadmListing
{
    public IpvsadmListingKind Kind { get; init; }
    /// <summary>The kernel's IPVS version from "IP Virtual Server version 1.2.1 (size=4096)".</summary>
    public string IpvsVersion { get; init; } = "";
    /// <summary>The connection table size from the same header.</summary>
    public int TableSize { get; init; }
    public List<LvsService> Services { get; } = new();
    /// <summary>
    /// Service lines LvsPS does not model, skipped with their real servers. Kept for callers: since SCTP services are
    /// read (protocol <see cref="LvsProtocol.Sctp"/>), no listing ipvsadm prints leaves anything here.
    /// </summary>
    public List<string> Skipped { get; } = new();
}

/// <summary>What <c>ipvsadm --version</c> says.</summary>
public sealed class IpvsadmVersionInfo
{
    /// <summary>The whole line, e.g. "ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)".</summary>
    public string Text { get; init; } = "";
    /// <summary>ipvsadm's own version ("1.31").</summary>
    public string Version { get; init; } = "";
    /// <summary>The IPVS version ipvsadm was compiled for ("1.2.1").</summary>
    public string? IpvsVersion { get; init; }

    public override string ToString() => Text;
}

/// <summary>
/// Reads the text ipvsadm (1.26 .. 1.31) prints: <c>-L -n</c> with or without <c>--exact</c>, <c>--stats</c>,
/// <c>--rate</c>, <c>--thresholds</c>, <c>--persistent-conn</c>, <c>-L -n -c</c>, <c>-L --timeout</c> and <c>--version</c>. The
/// formats are those of ipvsadm.c (print_title, print_service_entry, print_conn, list_timeout, version); trailing
/// spaces and K/M/G/T abbreviations are accepted. Anything else is refused with DirectorProtocolError (ParserError)
/// naming the line, so a changed format is never read as wrong numbers.
/// A firewall-mark service line ("FWM  N", "FWM  N IPv6") gives a service with <see cref="LvsService.FirewallMark"/> N,
/// protocol TCP, port 0 and address 0.0.0.0 (:: for IPv6, which only tells the family); N is read as ipvsadm prints
/// it with "%d", so "-1" is mark 4294967295. Its real servers carry the mark too.
/// </summary>
public static class IpvsadmOutputParser
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private const string HeaderPrefix = "IP Virtual Server version ";
    private static readonly Regex HeaderPattern = new(@"^IP Virtual Server version (\d+\.\d+\.\d+) \(size=(\d+)\)$", RegexOptions.CultureInvariant);
    private static readonly Regex Ipv4Pattern = new(@"^\d{1,3}(\.\d{1,3}){3}$", RegexOptions.CultureInvariant);
    private static readonly Regex ExpirePattern = new(@"^(\d+):(\d{2})$", RegexOptions.CultureInvariant);
    private static readonly Regex TimeoutPattern = new(@"^Timeout \(tcp tcpfin udp\): (\d+) (\d+) (\d+)$", RegexOptions.CultureInvariant);
    private static readonly Regex VersionPattern = new(@"^ipvsadm v(\S+)(?: \S+)? \(compiled with \S+ and IPVS v(\S+)\)$", RegexOptions.CultureInvariant);
    private static readonly Regex LargeNumberPattern = new(@"^(\d+)([KMGT]?)$", RegexOptions.CultureInvariant);

    // ------------------------------------------------------------------ listings

    /// <summary>
    /// The services of one or more concatenated listings (each starts with its "IP Virtual Server version" header):
    /// the plain listing gives the services and real servers, --stats their counters, --rate their rates,
    /// --thresholds the thresholds, --persistent-conn the persistence-template counts. The plain listing must be
    /// among them.
    /// </summary>
    public static List<LvsService> ParseServices(string text, string director = "")
        => Merge(ParseListings(text), director);

    /// <summary>Splits concatenated listings at their headers and parses each.</summary>
    public static List<IpvsadmListing> ParseListings(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = SplitLines(text);
        var result = new List<IpvsadmListing>();
        int start = -1;
        for (int i = 0; i < lines.Count; i++)
        {
            if (lines[i].StartsWith(HeaderPrefix, StringComparison.Ordinal))
            {
                if (start >= 0) result.Add(ParseSection(lines, start, i));
                start = i;
            }
            else if (start < 0 && lines[i].Trim().Length > 0)
                throw Unexpected(i, lines[i], "expected the \"IP Virtual Server version\" header");
        }
        if (start >= 0) result.Add(ParseSection(lines, start, lines.Count));
        if (result.Count == 0)
            throw new LvsException(LvsErrorIds.DirectorProtocolError, LvsErrorKind.ParserError, "ipvsadm printed no listing.");
        return result;
    }

    /// <summary>Parses exactly one listing (its header first).</summary>
    public static IpvsadmListing ParseListing(string text)
    {
        var all = ParseListings(text);
        if (all.Count != 1)
            throw new LvsException(LvsErrorIds.DirectorProtocolError, LvsErrorKind.ParserError, $"Expected one ipvsadm listing, found {all.Count}.");
        return all[0];
    }

    /// <summary>
    /// Merges listings of the same table into services: the plain listing is the base; counters, thresholds and
    /// persistent-connection counts are matched by protocol, address and port. A service or real server that only one
    /// listing shows (the table changed between the commands) keeps zeros for what the other listing would have told.
    /// Firewall-mark services are matched by their mark and address family.
    /// </summary>
    public static List<LvsService> Merge(IEnumerable<IpvsadmListing> listings, string director = "")
    {
        var all = listings.ToList();
        var baseListing = all.FirstOrDefault(l => l.Kind == IpvsadmListingKind.List)
            ?? throw new LvsException(LvsErrorIds.DirectorProtocolError, LvsErrorKind.ParserError,
                "The ipvsadm output has no plain -L -n listing to read the services from.");
        var services = baseListing.Services;
        var index = new Dictionary<(uint, LvsProtocol, IPAddress, ushort), LvsService>();
        foreach (var s in services) index.TryAdd(Key(s), s);
        foreach (var listing in all.Where(l => !ReferenceEquals(l, baseListing)))
        {
            foreach (var other in listing.Services)
            {
                if (!index.TryGetValue(Key(other), out var svc)) continue;
                CopyNumbers(listing.Kind, other.Statistics, svc.Statistics);
                foreach (var ors in other.RealServers)
                {
                    var rs = svc.RealServers.FirstOrDefault(r => r.RealAddress.Equals(ors.RealAddress) && r.RealPort == ors.RealPort);
                    if (rs is null) continue;
                    switch (listing.Kind)
                    {
                        case IpvsadmListingKind.Stats or IpvsadmListingKind.Rate:
                            CopyNumbers(listing.Kind, ors.Statistics, rs.Statistics);
                            break;
                        case IpvsadmListingKind.Thresholds:
                            rs.UpperThreshold = ors.UpperThreshold;
                            rs.LowerThreshold = ors.LowerThreshold;
                            break;
                        case IpvsadmListingKind.PersistentConn:
                            rs.PersistentConnections = ors.PersistentConnections;
                            break;
                    }
                }
            }
        }
        foreach (var s in services)
        {
            s.Director = director;
            s.TableSize = baseListing.TableSize;
            foreach (var r in s.RealServers) r.Director = director;
        }
        return services;

        static (uint, LvsProtocol, IPAddress, ushort) Key(LvsService s) => (s.FirewallMark, s.Protocol, s.VirtualAddress, s.Port);
    }

    /// <summary>Copies the five numbers a --stats or a --rate listing tells (nothing for the other kinds).</summary>
    private static void CopyNumbers(IpvsadmListingKind kind, LvsStatistics from, LvsStatistics to)
    {
        if (kind == IpvsadmListingKind.Stats)
            (to.Connections, to.InPackets, to.OutPackets, to.InBytes, to.OutBytes)
                = (from.Connections, from.InPackets, from.OutPackets, from.InBytes, from.OutBytes);
        else if (kind == IpvsadmListingKind.Rate)
            (to.ConnectionsPerSecond, to.InPacketsPerSecond, to.OutPacketsPerSecond, to.InBytesPerSecond, to.OutBytesPerSecond)
                = (from.ConnectionsPerSecond, from.InPacketsPerSecond, from.OutPacketsPerSecond, from.InBytesPerSecond, from.OutBytesPerSecond);
    }

    private static IpvsadmListing ParseSection(List<string> lines, int start, int end)
    {
        var m = HeaderPattern.Match(lines[start].TrimEnd());
        if (!m.Success) throw Unexpected(start, lines[start], "expected \"IP Virtual Server version X.Y.Z (size=N)\"");
        if (end - start < 3) throw Unexpected(start, lines[start], "the listing ends before its two title lines");
        string title = lines[start + 1].TrimEnd();
        string title2 = lines[start + 2].TrimEnd();
        IpvsadmListingKind kind;
        if (title == "Prot LocalAddress:Port Scheduler Flags" && Words(title2).SequenceEqual(new[] { "->", "RemoteAddress:Port", "Forward", "Weight", "ActiveConn", "InActConn" }))
            kind = IpvsadmListingKind.List;
        else if (Words(title).SequenceEqual(new[] { "Prot", "LocalAddress:Port", "Conns", "InPkts", "OutPkts", "InBytes", "OutBytes" }))
            kind = IpvsadmListingKind.Stats;
        else if (Words(title).SequenceEqual(new[] { "Prot", "LocalAddress:Port", "CPS", "InPPS", "OutPPS", "InBPS", "OutBPS" }))
            kind = IpvsadmListingKind.Rate;
        else if (Words(title).SequenceEqual(new[] { "Prot", "LocalAddress:Port", "Uthreshold", "Lthreshold", "ActiveConn", "InActConn" }))
            kind = IpvsadmListingKind.Thresholds;
        else if (Words(title).SequenceEqual(new[] { "Prot", "LocalAddress:Port", "Weight", "PersistConn", "ActiveConn", "InActConn" }))
            kind = IpvsadmListingKind.PersistentConn;
        else
            throw Unexpected(start + 1, lines[start + 1], "not a listing LvsPS reads (-L -n, --stats, --rate, --thresholds, --persistent-conn)");
        if (kind != IpvsadmListingKind.List && title2 != "  -> RemoteAddress:Port")
            throw Unexpected(start + 2, lines[start + 2], "expected \"  -> RemoteAddress:Port\"");

        var listing = new IpvsadmListing
        {
            Kind = kind,
            IpvsVersion = m.Groups[1].Value,
            TableSize = ParseInt(m.Groups[2].Value, start, lines[start]),
        };
        LvsService? current = null;
        for (int i = start + 3; i < end; i++)
        {
            string line = lines[i];
            if (line.Trim().Length == 0) continue;
            if (line.StartsWith("  -> ", StringComparison.Ordinal))
            {
                if (current is null) throw Unexpected(i, line, "a real server line before any service line");
                current.RealServers.Add(ParseDestLine(kind, current, Words(line[5..]), i, line));
                continue;
            }
            var t = Words(line);
            if (line.StartsWith(' ') || t.Length < 2) throw Unexpected(i, line, "expected a service or a real server line");
            current = kind is IpvsadmListingKind.Stats or IpvsadmListingKind.Rate ? ParseCounterServiceLine(kind, t, i, line) : ParseServiceLine(t, i, line);
            listing.Services.Add(current);
        }
        return listing;
    }

    /// <summary>"TCP  10.0.0.1:80 sh (sh-fallback,sh-port) persistent 360 mask 255.255.255.0".</summary>
    private static LvsService ParseServiceLine(string[] t, int n, string line)
    {
        var (svc, next) = NewService(t, n, line);
        if (t.Length <= next) throw Unexpected(n, line, "no scheduler");
        if (!SchedulerFactory.TryParse(t[next], out var sched) || SchedulerFactory.Name(sched) != t[next])
            throw Unexpected(n, line, $"unknown scheduler '{t[next]}'");
        svc.Scheduler = sched;
        for (int k = next + 1; k < t.Length; k++)
        {
            string w = t[k];
            if (w.StartsWith('(') && w.EndsWith(')') && w.Length >= 2)
                svc.SchedulerFlags = ParseFlags(w[1..^1], sched, n, line);
            else if (w == "persistent" && k + 1 < t.Length && uint.TryParse(t[k + 1], NumberStyles.None, Inv, out var p))
            {
                svc.PersistentTimeout = p;
                k++;
            }
            else if (w == "mask" && k + 1 < t.Length)
            {
                svc.PersistenceNetmask = ParseMask(t[k + 1], svc.VirtualAddress, n, line);
                k++;
            }
            else if (w == "pe" && k + 1 < t.Length) k++; // persistence engine (sip): not modelled
            else if (w == "ops") { } // one-packet scheduling: not modelled
            else throw Unexpected(n, line, $"unknown service flag '{w}'");
        }
        return svc;
    }

    /// <summary>"TCP  10.0.0.1:80   12   3456   0   789012   0" (five counters or five rates).</summary>
    private static LvsService ParseCounterServiceLine(IpvsadmListingKind kind, string[] t, int n, string line)
    {
        var (svc, next) = NewService(t, n, line);
        if (t.Length != next + 5) throw Unexpected(n, line, "expected the service and five numbers");
        svc.Statistics = Numbers(kind, t, next, n, line);
        return svc;
    }

    /// <summary>The service name: "TCP|UDP|SCTP ADDR:PORT" or "FWM N [IPv6]"; returns the index of the word after it.</summary>
    private static (LvsService Service, int Next) NewService(string[] t, int n, string line)
    {
        if (t[0] == "FWM")
        {
            uint mark = ParseFirewallMark(t[1], n, line);
            bool v6 = t.Length > 2 && t[2] == "IPv6";
            return (new LvsService
            {
                Protocol = LvsProtocol.Tcp,
                VirtualAddress = v6 ? IPAddress.IPv6Any : IPAddress.Any,
                Port = 0,
                FirewallMark = mark,
            }, v6 ? 3 : 2);
        }
        var proto = t[0] switch
        {
            "TCP" => LvsProtocol.Tcp,
            "UDP" => LvsProtocol.Udp,
            "SCTP" => LvsProtocol.Sctp,
            _ => throw Unexpected(n, line, $"unknown protocol '{t[0]}'"),
        };
        var (addr, port) = ParseAddressPort(t[1], n, line);
        return (new LvsService { Protocol = proto, VirtualAddress = addr, Port = port }, 2);
    }

    /// <summary>
    /// A firewall mark as ipvsadm prints it ("%d" of a 32-bit unsigned value: -2147483648..-1 stand for
    /// 2147483648..4294967295); an unsigned spelling is accepted too. 0 is not a mark.
    /// </summary>
    public static uint ParseFirewallMark(string text, int lineNumber = 0, string line = "")
    {
        uint mark;
        if (uint.TryParse(text, NumberStyles.None, Inv, out var u)) mark = u;
        else if (text.StartsWith('-') && int.TryParse(text, NumberStyles.AllowLeadingSign, Inv, out var i) && i < 0) mark = unchecked((uint)i);
        else throw Unexpected(lineNumber, line == "" ? text : line, $"'{text}' is not a firewall mark");
        if (mark == 0) throw Unexpected(lineNumber, line == "" ? text : line, "firewall mark 0 is not a fwmark service");
        return mark;
    }

    private static LvsRealServer ParseDestLine(IpvsadmListingKind kind, LvsService svc, string[] t, int n, string line)
    {
        if (t.Length == 0) throw Unexpected(n, line, "empty real server line");
        var (addr, port) = ParseAddressPort(t[0], n, line);
        var rs = new LvsRealServer(svc)
        {
            RealAddress = addr,
            RealPort = port,
        };
        switch (kind)
        {
            case IpvsadmListingKind.List:
                if (t.Length != 5) throw Unexpected(n, line, "expected address:port, forward, weight, ActiveConn, InActConn");
                rs.Forwarding = t[1] switch
                {
                    "Route" => LvsForwarding.Route,
                    "Masq" => LvsForwarding.Masq,
                    "Tunnel" => LvsForwarding.Tunnel,
                    "Local" => LvsForwarding.Local,
                    _ => throw Unexpected(n, line, $"unknown forwarding method '{t[1]}'"),
                };
                rs.Weight = ParseInt(t[2], n, line);
                break;
            case IpvsadmListingKind.Stats or IpvsadmListingKind.Rate:
                if (t.Length != 6)
                    throw Unexpected(n, line, kind == IpvsadmListingKind.Rate ? "expected address:port and five rates" : "expected address:port and five counters");
                rs.Statistics = Numbers(kind, t, 1, n, line);
                return rs;
            case IpvsadmListingKind.Thresholds:
                if (t.Length != 5) throw Unexpected(n, line, "expected address:port, Uthreshold, Lthreshold, ActiveConn, InActConn");
                rs.UpperThreshold = ParseCount(t[1], n, line);
                rs.LowerThreshold = ParseCount(t[2], n, line);
                break;
            case IpvsadmListingKind.PersistentConn:
                if (t.Length != 5) throw Unexpected(n, line, "expected address:port, Weight, PersistConn, ActiveConn, InActConn");
                rs.Weight = ParseInt(t[1], n, line);
                rs.PersistentConnections = ParseCount(t[2], n, line);
                break;
        }
        // -L -n, --thresholds and --persistent-conn all end with ActiveConn and InActConn.
        rs.ActiveConnections = ParseCount(t[3], n, line);
        rs.InactiveConnections = ParseCount(t[4], n, line);
        return rs;
    }

    /// <summary>
    /// The five numbers from <c>t[from]</c> on: Conns, InPkts, OutPkts, InBytes, OutBytes of a --stats listing, or CPS,
    /// InPPS, OutPPS, InBPS, OutBPS of a --rate listing (the first three plain on real server lines, all largenum
    /// otherwise).
    /// </summary>
    private static LvsStatistics Numbers(IpvsadmListingKind kind, string[] t, int from, int n, string line)
    {
        ulong N(int k) => ParseLargeNumber(t[from + k], n, line);
        return kind == IpvsadmListingKind.Rate
            ? new() { ConnectionsPerSecond = N(0), InPacketsPerSecond = N(1), OutPacketsPerSecond = N(2), InBytesPerSecond = N(3), OutBytesPerSecond = N(4) }
            : new() { Connections = N(0), InPackets = N(1), OutPackets = N(2), InBytes = N(3), OutBytes = N(4) };
    }

    /// <summary>
    /// A print_largenum field: a plain number, or (without --exact) a truncated one with K (10^3), M (10^6), G (10^9)
    /// or T (10^12); those come back as the lower bound they stand for.
    /// </summary>
    public static ulong ParseLargeNumber(string text, int lineNumber = 0, string line = "")
    {
        var m = LargeNumberPattern.Match(text);
        if (!m.Success || !ulong.TryParse(m.Groups[1].Value, NumberStyles.None, Inv, out var v))
            throw Unexpected(lineNumber, line == "" ? text : line, $"'{text}' is not a counter");
        ulong unit = m.Groups[2].Value switch { "K" => 1_000UL, "M" => 1_000_000UL, "G" => 1_000_000_000UL, "T" => 1_000_000_000_000UL, _ => 1UL };
        try { return checked(v * unit); }
        catch (OverflowException) { return ulong.MaxValue; }
    }

    private static LvsSchedulerFlags ParseFlags(string text, LvsScheduler sched, int n, string line)
    {
        // "sh ()": ipvsadm names no flag-3 on sh and mh, so empty parentheses there stand for flag-3 alone.
        if (text.Length == 0 && sched is LvsScheduler.Sh or LvsScheduler.Mh) return LvsSchedulerFlags.Flag3;
        var flags = LvsSchedulerFlags.None;
        foreach (var f in text.Split(','))
        {
            flags |= f switch
            {
                "flag-1" or "sh-fallback" or "mh-fallback" => LvsSchedulerFlags.Fallback,
                "flag-2" or "sh-port" or "mh-port" => LvsSchedulerFlags.Port,
                "flag-3" => LvsSchedulerFlags.Flag3,
                _ => throw Unexpected(n, line, $"unknown scheduler flag '{f}'"),
            };
        }
        return flags;
    }

    private static IPAddress ParseMask(string text, IPAddress vip, int n, string line)
    {
        if (vip.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (!int.TryParse(text, NumberStyles.None, Inv, out int prefix) || prefix < 1 || prefix > 128)
                throw Unexpected(n, line, $"'{text}' is not an IPv6 prefix length");
            var bytes = new byte[16];
            for (int bit = 0; bit < prefix; bit++) bytes[bit / 8] |= (byte)(0x80 >> (bit % 8));
            return new IPAddress(bytes);
        }
        if (!Ipv4Pattern.IsMatch(text) || !IPAddress.TryParse(text, out var mask))
            throw Unexpected(n, line, $"'{text}' is not an IPv4 netmask");
        return mask;
    }

    // ------------------------------------------------------------------ connections, timeouts, version

    /// <summary>
    /// <c>ipvsadm -L -n -c</c> (also with --persistent-conn's two extra columns). TCP, UDP and SCTP entries, and the
    /// persistence templates of firewall-mark services (protocol IP, the mark as the virtual address): those come back
    /// with <see cref="LvsConnection.FirewallMark"/> set, protocol TCP, virtual address 0.0.0.0 (:: for IPv6) and port 0,
    /// as <see cref="Text.IpvsadmFormatter.FormatConnections"/> prints them again. Expire is
    /// minutes:seconds; Packets is not listed by ipvsadm and stays 0. An unknown state name reads as None.
    /// </summary>
    public static List<LvsConnection> ParseConnections(string text, string director = "")
    {
        var reader = new IpvsadmConnectionReader(text, director);
        var result = new List<LvsConnection>();
        while (reader.Read() is { } c) result.Add(c);
        return result;
    }

    /// <summary>One entry line of <c>ipvsadm -L -n -c</c> (<paramref name="index"/> counts from 0, for the message).</summary>
    internal static LvsConnection ParseConnectionLine(string line, int index, string director)
    {
        var t = Words(line);
        if (t.Length != 6 && t.Length != 8) throw Unexpected(index, line, "expected pro, expire, state, source, virtual, destination");
        LvsProtocol proto;
        bool fwmTemplate = false;
        if (t[0] == "TCP") proto = LvsProtocol.Tcp;
        else if (t[0] == "UDP") proto = LvsProtocol.Udp;
        else if (t[0] == "IP") { proto = LvsProtocol.Tcp; fwmTemplate = true; }
        else if (t[0] == "SCTP") proto = LvsProtocol.Sctp;
        else throw Unexpected(index, line, $"unknown protocol '{t[0]}'");
        var em = ExpirePattern.Match(t[1]);
        if (!em.Success) throw Unexpected(index, line, $"'{t[1]}' is not minutes:seconds");
        long expires = long.Parse(em.Groups[1].Value, Inv) * 60 + long.Parse(em.Groups[2].Value, Inv);
        var (ca, cp) = ParseAddressPort(t[3], index, line);
        var (va, vp) = ParseAddressPort(t[4], index, line);
        var (da, dp) = ParseAddressPort(t[5], index, line);
        uint mark = 0;
        if (fwmTemplate)
        {
            // the kernel keys a fwmark template <IPPROTO_IP, caddr, 0, htonl(fwmark), 0, daddr, dport>
            mark = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(va.GetAddressBytes());
            if (mark == 0) throw Unexpected(index, line, "an IP entry without a firewall mark");
            va = va.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
            vp = 0;
        }
        return new LvsConnection
        {
            Director = director,
            Protocol = proto,
            ExpiresInSeconds = (int)Math.Min(expires, int.MaxValue),
            State = ParseState(t[2]),
            ClientAddress = ca,
            ClientPort = cp,
            VirtualAddress = va,
            Port = vp,
            FirewallMark = mark,
            RealAddress = da,
            RealPort = dp,
        };
    }

    /// <summary>The two title lines of <c>ipvsadm -L -n -c</c>; returns where the entries start, or throws as the parser does.</summary>
    internal static (int Offset, int Line) ConnectionTitles(string text)
    {
        int offset = 0, i = 0;
        string line;
        while ((line = NextLine(text, ref offset)).Trim().Length == 0 && offset <= text.Length) i++;
        if (line.TrimEnd() != "IPVS connection entries")
            throw Unexpected(i, line, "expected \"IPVS connection entries\"");
        line = NextLine(text, ref offset);
        if (!line.StartsWith("pro expire state", StringComparison.Ordinal))
            throw Unexpected(i + 1, line, "expected the \"pro expire state ...\" title");
        return (Math.Min(offset, text.Length), i + 2);
    }

    /// <summary>The line at <paramref name="offset"/> (without its \r\n or \n), moving the offset past it; past the end: "" and an offset beyond the text.</summary>
    internal static string NextLine(string text, ref int offset)
    {
        if (offset >= text.Length) { offset = text.Length + 1; return ""; }
        int nl = text.IndexOf('\n', offset);
        int end = nl < 0 ? text.Length : nl;
        string line = text.Substring(offset, end > offset && text[end - 1] == '\r' ? end - offset - 1 : end - offset);
        offset = nl < 0 ? text.Length : nl + 1;
        return line;
    }

    /// <summary>
    /// The kernel's state name as LvsConnectionState: every name <see cref="Text.IpvsadmFormatter.StateName"/> prints,
    /// the TCP ones (ESTABLISHED, SYN_RECV, ...), UDP and the SCTP ones (INIT1, C-SENT, S-ACK-SENT, CLOSED, ...).
    /// The names do not overlap, so the protocol is not needed. Unknown names are None.
    /// </summary>
    public static LvsConnectionState ParseState(string name) => name switch
    {
        "NONE" => LvsConnectionState.None,
        "ASSURED" => LvsConnectionState.Assured,
        "ESTABLISHED" => LvsConnectionState.Established,
        "SYN_SENT" => LvsConnectionState.SynSent,
        "SYN_RECV" => LvsConnectionState.SynRecv,
        "FIN_WAIT" => LvsConnectionState.FinWait,
        "TIME_WAIT" => LvsConnectionState.TimeWait,
        "CLOSE" => LvsConnectionState.Close,
        "CLOSE_WAIT" => LvsConnectionState.CloseWait,
        "LAST_ACK" => LvsConnectionState.LastAck,
        "LISTEN" => LvsConnectionState.Listen,
        "SYNACK" => LvsConnectionState.SynAck,
        "UDP" => LvsConnectionState.Udp,
        // sctp_state_name_table (ip_vs_proto_sctp.c)
        "INIT1" => LvsConnectionState.SctpInit1,
        "INIT" => LvsConnectionState.SctpInit,
        "C-SENT" => LvsConnectionState.SctpCookieSent,
        "C-REPLIED" => LvsConnectionState.SctpCookieReplied,
        "C-WAIT" => LvsConnectionState.SctpCookieWait,
        "COOKIE" => LvsConnectionState.SctpCookie,
        "C-ECHOED" => LvsConnectionState.SctpCookieEchoed,
        "S-SENT" => LvsConnectionState.SctpShutdownSent,
        "S-RECEIVED" => LvsConnectionState.SctpShutdownReceived,
        "S-ACK-SENT" => LvsConnectionState.SctpShutdownAckSent,
        "REJECTED" => LvsConnectionState.SctpRejected,
        "CLOSED" => LvsConnectionState.SctpClosed,
        _ => LvsConnectionState.None,
    };

    /// <summary>"Timeout (tcp tcpfin udp): 900 120 300".</summary>
    public static TimeoutSpec ParseTimeout(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = SplitLines(text).Where(l => l.Trim().Length > 0).ToList();
        if (lines.Count != 1) throw Unexpected(0, text.Trim(), "expected one \"Timeout (tcp tcpfin udp): ...\" line");
        var m = TimeoutPattern.Match(lines[0].TrimEnd());
        if (!m.Success) throw Unexpected(0, lines[0], "expected \"Timeout (tcp tcpfin udp): TCP TCPFIN UDP\"");
        return new TimeoutSpec
        {
            Tcp = ParseInt(m.Groups[1].Value, 0, lines[0]),
            TcpFin = ParseInt(m.Groups[2].Value, 0, lines[0]),
            Udp = ParseInt(m.Groups[3].Value, 0, lines[0]),
        };
    }

    /// <summary>"ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)".</summary>
    public static IpvsadmVersionInfo ParseVersion(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var line = SplitLines(text).FirstOrDefault(l => l.Trim().Length > 0)?.Trim() ?? "";
        var m = VersionPattern.Match(line);
        if (!m.Success)
            throw new LvsException(LvsErrorIds.DirectorProtocolError, LvsErrorKind.ParserError,
                $"'{line}' is not what ipvsadm --version prints (\"ipvsadm vX.Y DATE (compiled with ... and IPVS vX.Y.Z)\").", line);
        return new IpvsadmVersionInfo { Text = line, Version = m.Groups[1].Value, IpvsVersion = m.Groups[2].Value };
    }

    // ------------------------------------------------------------------ helpers

    /// <summary>"10.0.0.1:80" or "[2001:db8::1]:80" (numeric only: the listings are read with -n).</summary>
    public static (IPAddress Address, ushort Port) ParseAddressPort(string text, int lineNumber = 0, string line = "")
    {
        IPAddress? addr = null;
        string? port = null;
        if (text.StartsWith('['))
        {
            int close = text.IndexOf("]:", StringComparison.Ordinal);
            if (close > 1 && IPAddress.TryParse(text[1..close], out var a6) && a6.AddressFamily == AddressFamily.InterNetworkV6)
            {
                addr = a6;
                port = text[(close + 2)..];
            }
        }
        else
        {
            int colon = text.LastIndexOf(':');
            if (colon > 0 && Ipv4Pattern.IsMatch(text[..colon]) && IPAddress.TryParse(text[..colon], out var a4))
            {
                addr = a4;
                port = text[(colon + 1)..];
            }
        }
        if (addr is null || port is null || !ushort.TryParse(port, NumberStyles.None, Inv, out var p))
            throw Unexpected(lineNumber, line == "" ? text : line, $"'{text}' is not a numeric address:port");
        return (addr, p);
    }

    private static int ParseInt(string s, int n, string line)
        => int.TryParse(s, NumberStyles.AllowLeadingSign, Inv, out var v) ? v : throw Unexpected(n, line, $"'{s}' is not a number");

    /// <summary>An unsigned (%u) count, capped at int.MaxValue.</summary>
    private static int ParseCount(string s, int n, string line)
        => uint.TryParse(s, NumberStyles.None, Inv, out var v) ? (int)Math.Min(v, int.MaxValue) : throw Unexpected(n, line, $"'{s}' is not a count");

    private static string[] Words(string s) => s.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static List<string> SplitLines(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').ToList();
        if (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        return lines;
    }

    private static LvsException Unexpected(int lineIndex, string line, string why)
        => new(LvsErrorIds.DirectorProtocolError, LvsErrorKind.ParserError,
            $"Unexpected ipvsadm output at line {lineIndex + 1} ('{line.TrimEnd()}'): {why}.", line);
}

/// <summary>
/// Reads <c>ipvsadm -L -n -c</c> one entry at a time from a position in its text (the kernel backend's paged
/// listing: only the current page's objects exist, not the whole table's).
/// </summary>
public sealed class IpvsadmConnectionReader
{
    private readonly string _text;
    private readonly string _director;

    /// <summary>Checks the two title lines and stands at the first entry.</summary>
    public IpvsadmConnectionReader(string text, string director = "")
    {
        ArgumentNullException.ThrowIfNull(text);
        _text = text;
        _director = director;
        (Offset, LineIndex) = IpvsadmOutputParser.ConnectionTitles(text);
    }

    /// <summary>Where the next entry line starts in the text.</summary>
    public int Offset { get; private set; }
    /// <summary>The next line's index (from 0), for messages.</summary>
    public int LineIndex { get; private set; }
    public int Length => _text.Length;

    /// <summary>Goes to a position an earlier reader of the same text reported.</summary>
    public void Seek(int offset, int lineIndex)
    {
        if (offset < 0 || offset > _text.Length || lineIndex < 0) throw new ArgumentOutOfRangeException(nameof(offset));
        (Offset, LineIndex) = (offset, lineIndex);
    }

    /// <summary>The next entry, or null at the end.</summary>
    public LvsConnection? Read()
    {
        while (Offset < _text.Length)
        {
            int offset = Offset;
            string line = IpvsadmOutputParser.NextLine(_text, ref offset);
            Offset = Math.Min(offset, _text.Length);
            int index = LineIndex++;
            if (line.Trim().Length == 0) continue;
            return IpvsadmOutputParser.ParseConnectionLine(line, index, _director);
        }
        return null;
    }
}
