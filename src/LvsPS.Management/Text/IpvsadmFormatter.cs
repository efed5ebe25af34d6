using System.Net.Sockets;
using LvsPS.Ipvs.Connections;
using LvsPS.Ipvs.Scheduling;

namespace LvsPS.Management.Text;

/// <summary>
/// Byte-exact renderings of ipvsadm (v1.31) listings: <c>-L -n</c>, <c>-L -n --stats</c>, <c>-L -n -c</c>,
/// <c>-S -n</c> and <c>-L --timeout</c>. Lines end with "\n" and keep the trailing spaces that ipvsadm's
/// left-justified last columns produce. Services and real servers are sorted as ipvsadm sorts by default
/// (libipvs ipvs_cmp_services / ipvs_cmp_dests, including their 32-bit wrap-around of the address difference).
/// A firewall-mark service (<see cref="LvsService.FirewallMark"/> not 0) is named "FWM  N" in the listings
/// ("FWM  N IPv6" when its <see cref="LvsService.VirtualAddress"/> is an IPv6 address, which stands for its address
/// family) and "-f N" in -S; its real servers print their own address:port (port 0 when none was given).
/// </summary>
public static class IpvsadmFormatter
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private const string ListTitle =
        "Prot LocalAddress:Port Scheduler Flags\n" +
        "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n";

    /// <summary>
    /// <c>ipvsadm -L -n</c> (or <c>ipvsadm -L</c> with <paramref name="numeric"/> false: host and port names come
    /// from <paramref name="hostName"/> and <paramref name="portName"/>; a null or empty answer, or no resolver,
    /// falls back to the number as ipvsadm does when a lookup fails).
    /// </summary>
    public static string FormatList(
        IEnumerable<LvsService> services,
        int tableSize = 4096,
        string version = "1.2.1",
        bool numeric = true,
        Func<IPAddress, string?>? hostName = null,
        Func<ushort, LvsProtocol, string?>? portName = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var sb = new StringBuilder(256);
        AppendVersion(sb, version, tableSize);
        sb.Append(ListTitle);
        foreach (var svc in SortServices(services))
        {
            AppendServiceLine(sb, svc, numeric, hostName, portName);
            foreach (var rs in SortDests(svc.RealServers))
            {
                string dname = DestName(svc, rs, numeric, hostName, portName);
                sb.Append("  -> ");
                AppendLeft(sb, dname, 28).Append(' ');
                AppendLeft(sb, ForwardName(rs.Forwarding), 7).Append(' ');
                AppendLeft(sb, rs.Weight.ToString(Inv), 6).Append(' ');
                AppendLeft(sb, ((uint)rs.ActiveConnections).ToString(Inv), 10).Append(' ');
                AppendLeft(sb, ((uint)rs.InactiveConnections).ToString(Inv), 10).Append('\n');
            }
        }
        return sb.ToString();
    }

    /// <summary>
    /// The service line of the -L listings: name, scheduler, " (flags)" when a scheduler flag is set,
    /// " persistent N" and " mask M" (print_service_entry).
    /// </summary>
    private static void AppendServiceLine(StringBuilder sb, LvsService svc, bool numeric,
        Func<IPAddress, string?>? hostName, Func<ushort, LvsProtocol, string?>? portName)
    {
        sb.Append(ServiceName(svc, numeric, hostName, portName))
          .Append(' ')
          .Append(SchedulerFactory.Name(svc.Scheduler));
        if (svc.SchedulerFlags != LvsSchedulerFlags.None)
            sb.Append(" (").Append(SchedulerFactory.FlagsText(svc.Scheduler, svc.SchedulerFlags)).Append(')');
        if (svc.PersistentTimeout > 0)
        {
            sb.Append(" persistent ").Append(svc.PersistentTimeout.ToString(Inv));
            if (PersistenceMaskText(svc) is { } mask)
                sb.Append(" mask ").Append(mask);
        }
        sb.Append('\n');
    }

    /// <summary><c>ipvsadm -L -n --rate</c>: CPS, InPPS, OutPPS as numbers, InBPS and OutBPS with K/M/G/T.</summary>
    public static string FormatRate(IEnumerable<LvsService> services, int tableSize = 4096, string version = "1.2.1", bool exact = false) =>
        FormatCounterListing(services, tableSize, version, new[] { "CPS", "InPPS", "OutPPS", "InBPS", "OutBPS" },
            (sb, st) => AppendRates(sb, st, exact));

    /// <summary>The --stats/--rate layout: title with five right-aligned columns, then a row per service and real server.</summary>
    private static string FormatCounterListing(IEnumerable<LvsService> services, int tableSize, string version,
        string[] headers, Action<StringBuilder, LvsStatistics?> appendRow)
    {
        ArgumentNullException.ThrowIfNull(services);
        var sb = new StringBuilder(256);
        AppendVersion(sb, version, tableSize);
        AppendLeft(sb, "Prot LocalAddress:Port", 33);
        foreach (var h in headers)
            AppendRight(sb.Append(' '), h, 8);
        sb.Append('\n').Append("  -> RemoteAddress:Port\n");
        foreach (var svc in SortServices(services))
        {
            AppendLeft(sb, ServiceName(svc, true, null, null), 33);
            appendRow(sb, svc.Statistics);
            sb.Append('\n');
            foreach (var rs in SortDests(svc.RealServers))
            {
                sb.Append("  -> ");
                AppendLeft(sb, DestName(svc, rs, true, null, null), 28);
                appendRow(sb, rs.Statistics);
                sb.Append('\n');
            }
        }
        return sb.ToString();
    }

    private static void AppendRates(StringBuilder sb, LvsStatistics? st, bool exact)
    {
        st ??= new LvsStatistics();
        foreach (var v in new[] { st.ConnectionsPerSecond, st.InPacketsPerSecond, st.OutPacketsPerSecond })
            AppendRight(sb.Append(' '), v.ToString(Inv), 8);
        sb.Append(LargeNumber(st.InBytesPerSecond, exact)).Append(LargeNumber(st.OutBytesPerSecond, exact));
    }

    /// <summary><c>ipvsadm -L -n --thresholds</c>.</summary>
    public static string FormatThresholds(IEnumerable<LvsService> services, int tableSize = 4096, string version = "1.2.1") =>
        FormatRealServerColumns(services, tableSize, version,
            new[] { ("Uthreshold", 10), ("Lthreshold", 10), ("ActiveConn", 10), ("InActConn", 10) },
            rs => new[] { Unsigned(rs.UpperThreshold), Unsigned(rs.LowerThreshold), Unsigned(rs.ActiveConnections), Unsigned(rs.InactiveConnections) });

    /// <summary><c>ipvsadm -L -n --persistent-conn</c>.</summary>
    public static string FormatPersistentConn(IEnumerable<LvsService> services, int tableSize = 4096, string version = "1.2.1") =>
        FormatRealServerColumns(services, tableSize, version,
            new[] { ("Weight", 9), ("PersistConn", 11), ("ActiveConn", 10), ("InActConn", 10) },
            rs => new[] { rs.Weight.ToString(Inv), Unsigned(rs.PersistentConnections), Unsigned(rs.ActiveConnections), Unsigned(rs.InactiveConnections) });

    /// <summary>A count as ipvsadm prints it with "%u".</summary>
    private static string Unsigned(int value) => ((uint)value).ToString(Inv);

    /// <summary>
    /// The --thresholds/--persistent-conn layout: title with left-aligned columns, then the -L service line per service
    /// and a row per real server with <paramref name="cells"/> in the same columns.
    /// </summary>
    private static string FormatRealServerColumns(IEnumerable<LvsService> services, int tableSize, string version,
        (string Header, int Width)[] columns, Func<LvsRealServer, string[]> cells)
    {
        ArgumentNullException.ThrowIfNull(services);
        var sb = new StringBuilder(256);
        AppendVersion(sb, version, tableSize);
        AppendLeft(sb, "Prot LocalAddress:Port", 33);
        foreach (var (header, width) in columns)
            AppendLeft(sb.Append(' '), header, width);
        sb.Append('\n').Append("  -> RemoteAddress:Port\n");
        foreach (var svc in SortServices(services))
        {
            AppendServiceLine(sb, svc, true, null, null);
            foreach (var rs in SortDests(svc.RealServers))
            {
                sb.Append("  -> ");
                AppendLeft(sb, DestName(svc, rs, true, null, null), 28);
                var row = cells(rs);
                for (int k = 0; k < row.Length; k++)
                    AppendLeft(sb.Append(' '), row[k], columns[k].Width);
                sb.Append('\n');
            }
        }
        return sb.ToString();
    }

    /// <summary><c>ipvsadm -L -n --stats</c> (with <paramref name="exact"/>: <c>--exact</c>).</summary>
    public static string FormatStats(
        IEnumerable<LvsService> services,
        int tableSize = 4096,
        string version = "1.2.1",
        bool exact = false) =>
        FormatCounterListing(services, tableSize, version, new[] { "Conns", "InPkts", "OutPkts", "InBytes", "OutBytes" },
            (sb, st) => AppendCounters(sb, st, exact));

    /// <summary>
    /// <c>ipvsadm -L -n -c</c>: the connection entries in the order given (ipvsadm prints /proc/net/ip_vs_conn
    /// order, i.e. hash-table order). Expire is minutes:seconds with minutes not wrapped at 60.
    /// A persistence template of a firewall-mark service (<see cref="IsFirewallMarkTemplate"/>) prints as the kernel
    /// keeps it: protocol "IP" and the mark as the virtual address, port 0 (<c>IP  05:55  NONE  10.1.2.0:0  0.0.0.1:0 ...</c>).
    /// </summary>
    public static string FormatConnections(IEnumerable<LvsConnection> connections)
    {
        ArgumentNullException.ThrowIfNull(connections);
        var sb = new StringBuilder(128);
        sb.Append("IPVS connection entries\n");
        sb.Append("pro expire ");
        AppendLeft(sb, "state", 11).Append(' ');
        AppendLeft(sb, "source", 18).Append(' ');
        AppendLeft(sb, "virtual", 18).Append(' ');
        sb.Append("destination\n");
        foreach (var c in connections)
        {
            uint expires = c.ExpiresInSeconds < 0 ? 0u : (uint)c.ExpiresInSeconds;
            string expire = string.Create(Inv, $"{expires / 60:00}:{expires % 60:00}");
            bool fwmTemplate = IsFirewallMarkTemplate(c);
            string state = c.Protocol == LvsProtocol.Udp && !fwmTemplate ? "UDP" : StateName(c.State);
            AppendLeft(sb, fwmTemplate ? "IP" : ProtocolName(c.Protocol), 3).Append(' ');
            AppendLeft(sb, expire, 6).Append(' ');
            AppendLeft(sb, state, 11).Append(' ');
            AppendLeft(sb, NumericAddrPort(c.ClientAddress, c.ClientPort), 18).Append(' ');
            AppendLeft(sb, fwmTemplate ? NumericAddrPort(FirewallMarkAddress(c.FirewallMark, c.ClientAddress.AddressFamily), 0)
                                       : NumericAddrPort(c.VirtualAddress, c.Port), 18).Append(' ');
            sb.Append(NumericAddrPort(c.RealAddress, c.RealPort)).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>
    /// A persistence template of a firewall-mark service: the kernel keys it <c>&lt;IPPROTO_IP, caddr, 0, fwmark, 0,
    /// daddr, dport&gt;</c>. An entry with a mark, client port 0 and state NONE or ASSURED is taken for one.
    /// </summary>
    public static bool IsFirewallMarkTemplate(LvsConnection c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return c.FirewallMark != 0 && c.ClientPort == 0 && c.State is LvsConnectionState.None or LvsConnectionState.Assured;
    }

    /// <summary>
    /// The mark as the "virtual address" of a fwmark template (the kernel stores htonl(mark) in the first 32 bits of
    /// the address): 0.0.0.1 for mark 1; for IPv6 the mark is the first 32 bits of an otherwise zero address.
    /// </summary>
    public static IPAddress FirewallMarkAddress(uint mark, AddressFamily family = AddressFamily.InterNetwork)
    {
        var bytes = new byte[family == AddressFamily.InterNetworkV6 ? 16 : 4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, mark);
        return new IPAddress(bytes);
    }

    /// <summary>
    /// <c>ipvsadm -S -n</c> (ipvsadm-save -n): one <c>-A</c> line per service followed by one <c>-a</c> line per
    /// real server, sorted like the listing, without a header. Local real servers are saved as <c>-g</c>;
    /// tunnel real servers carry <c>--tun-type ipip</c> as ipvsadm 1.31 writes it. A persistent service carries
    /// <c>-p N</c>, and <c>-M mask</c> when its granularity is not /32 (/128), as ipvsadm writes them.
    /// ipvsadm 1.31 -S leaves the connection thresholds out; with <paramref name="includeThresholds"/> (an LvsPS
    /// extension) a real server with a threshold ends with <c>-x N</c> and/or <c>-y N</c> (each only when not zero),
    /// which ipvsadm -R accepts on <c>-a</c> lines, so the text still restores with ipvsadm and keeps them.
    /// A firewall-mark service is saved as <c>-A -f N -s sched</c> (<c>-f N -6</c> for IPv6) and its real servers as
    /// <c>-a -f N -r RIP:PORT -g -w W</c>, with the port as the kernel holds it (0 when none was given). The mark is
    /// written as ipvsadm writes it, with "%d": a mark above 2^31-1 comes out negative (4294967295 as -1), which
    /// ipvsadm -R refuses but Import-LvsConfiguration reads back to the same mark.
    /// </summary>
    public static string FormatSave(IEnumerable<LvsService> services, bool includeThresholds = false)
    {
        ArgumentNullException.ThrowIfNull(services);
        var sb = new StringBuilder(256);
        foreach (var svc in SortServices(services))
        {
            string svcName = svc.FirewallMark != 0
                ? "-f " + SignedMark(svc.FirewallMark) + (IsIpv6(svc) ? " -6" : "")
                : ServiceSwitch(svc.Protocol) + " " + NumericAddrPort(svc.VirtualAddress, svc.Port);
            sb.Append("-A ").Append(svcName).Append(" -s ").Append(SchedulerFactory.Name(svc.Scheduler));
            if (svc.PersistentTimeout > 0)
            {
                sb.Append(" -p ").Append(svc.PersistentTimeout.ToString(Inv));
                if (PersistenceMaskText(svc) is { } mask)
                    sb.Append(" -M ").Append(mask);
            }
            if (svc.SchedulerFlags != LvsSchedulerFlags.None)
                sb.Append(" -b ").Append(SchedulerFactory.FlagsText(svc.Scheduler, svc.SchedulerFlags));
            sb.Append('\n');
            foreach (var rs in SortDests(svc.RealServers))
            {
                sb.Append("-a ").Append(svcName)
                  .Append(" -r ").Append(NumericAddrPort(rs.RealAddress, rs.RealPort))
                  .Append(' ').Append(ForwardSwitch(rs.Forwarding))
                  .Append(" -w ").Append(rs.Weight.ToString(Inv));
                if (rs.Forwarding == LvsForwarding.Tunnel)
                    sb.Append(" --tun-type ipip");
                if (includeThresholds && rs.UpperThreshold != 0)
                    sb.Append(" -x ").Append(rs.UpperThreshold.ToString(Inv));
                if (includeThresholds && rs.LowerThreshold != 0)
                    sb.Append(" -y ").Append(rs.LowerThreshold.ToString(Inv));
                sb.Append('\n');
            }
        }
        return sb.ToString();
    }

    /// <summary>A firewall mark as ipvsadm prints it in -L and -S: the 32-bit value with C's "%d" (4294967295 is "-1").</summary>
    public static string SignedMark(uint mark) => unchecked((int)mark).ToString(Inv);

    /// <summary>The ipvsadm service option for a protocol (as ipvsadm -S writes it): -t, -u, or --sctp-service (which has no short form).</summary>
    public static string ServiceSwitch(LvsProtocol protocol) => protocol switch
    {
        LvsProtocol.Udp => "-u",
        LvsProtocol.Sctp => "--sctp-service",
        _ => "-t",
    };

    /// <summary><c>ipvsadm -L --timeout</c>: "Timeout (tcp tcpfin udp): 900 120 300\n".</summary>
    public static string FormatTimeout(LvsTimeouts timeouts)
    {
        ArgumentNullException.ThrowIfNull(timeouts);
        return string.Create(Inv, $"Timeout (tcp tcpfin udp): {timeouts.Tcp} {timeouts.TcpFin} {timeouts.Udp}\n");
    }

    /// <summary>The state name as the kernel prints it in /proc/net/ip_vs_conn and ipvsadm -c shows it.</summary>
    public static string StateName(LvsConnectionState state) => state switch
    {
        LvsConnectionState.None => "NONE",
        LvsConnectionState.Assured => "ASSURED",
        LvsConnectionState.Established => "ESTABLISHED",
        LvsConnectionState.SynSent => "SYN_SENT",
        LvsConnectionState.SynRecv => "SYN_RECV",
        LvsConnectionState.FinWait => "FIN_WAIT",
        LvsConnectionState.TimeWait => "TIME_WAIT",
        LvsConnectionState.Close => "CLOSE",
        LvsConnectionState.CloseWait => "CLOSE_WAIT",
        LvsConnectionState.LastAck => "LAST_ACK",
        LvsConnectionState.Listen => "LISTEN",
        LvsConnectionState.SynAck => "SYNACK",
        LvsConnectionState.Udp => "UDP",
        // sctp_state_name_table (ip_vs_proto_sctp.c)
        LvsConnectionState.SctpInit1 => "INIT1",
        LvsConnectionState.SctpInit => "INIT",
        LvsConnectionState.SctpCookieSent => "C-SENT",
        LvsConnectionState.SctpCookieReplied => "C-REPLIED",
        LvsConnectionState.SctpCookieWait => "C-WAIT",
        LvsConnectionState.SctpCookie => "COOKIE",
        LvsConnectionState.SctpCookieEchoed => "C-ECHOED",
        LvsConnectionState.SctpShutdownSent => "S-SENT",
        LvsConnectionState.SctpShutdownReceived => "S-RECEIVED",
        LvsConnectionState.SctpShutdownAckSent => "S-ACK-SENT",
        LvsConnectionState.SctpRejected => "REJECTED",
        LvsConnectionState.SctpClosed => "CLOSED",
        _ => "ERR!",
    };

    /// <summary>The forwarding name of the -L listing: Route, Masq, Tunnel, Local.</summary>
    public static string ForwardName(LvsForwarding forwarding) => forwarding switch
    {
        LvsForwarding.Route => "Route",
        LvsForwarding.Masq => "Masq",
        LvsForwarding.Tunnel => "Tunnel",
        LvsForwarding.Local => "Local",
        _ => "",
    };

    /// <summary>The ipvsadm option for a forwarding method: -g (Route and Local), -m, -i.</summary>
    public static string ForwardSwitch(LvsForwarding forwarding) => forwarding switch
    {
        LvsForwarding.Masq => "-m",
        LvsForwarding.Tunnel => "-i",
        _ => "-g",
    };

    /// <summary>"TCP", "UDP" or "SCTP".</summary>
    public static string ProtocolName(LvsProtocol protocol) => protocol switch
    {
        LvsProtocol.Tcp => "TCP",
        LvsProtocol.Udp => "UDP",
        LvsProtocol.Sctp => "SCTP",
        _ => "IP",
    };

    /// <summary>
    /// ipvsadm's print_largenum: below 10^8 the number right-aligned in 9 columns; then value/1000 "K" (below 10^9),
    /// value/10^6 "M" (below 10^11), value/10^9 "G" (below 10^14), else value/10^12 "T", each in 8 columns plus the
    /// unit (decimal units, truncating). With <paramref name="exact"/> (--exact) the full number, width 9 or
    /// digits + 1.
    /// </summary>
    public static string LargeNumber(ulong value, bool exact = false)
    {
        if (exact)
        {
            string s = value.ToString(Inv);
            return s.PadLeft(s.Length <= 8 ? 9 : s.Length + 1);
        }
        if (value < 100_000_000UL)
            return value.ToString(Inv).PadLeft(9);
        if (value < 1_000_000_000UL)
            return (value / 1_000UL).ToString(Inv).PadLeft(8) + "K";
        if (value < 100_000_000_000UL)
            return (value / 1_000_000UL).ToString(Inv).PadLeft(8) + "M";
        if (value < 100_000_000_000_000UL)
            return (value / 1_000_000_000UL).ToString(Inv).PadLeft(8) + "G";
        return (value / 1_000_000_000_000UL).ToString(Inv).PadLeft(8) + "T";
    }

    /// <summary>Services in ipvsadm's default order: firewall mark, address family, protocol, address, port (stable).</summary>
    public static List<LvsService> SortServices(IEnumerable<LvsService> services)
    {
        var list = services.ToList();
        MergeSort(list, CompareServices);
        return list;
    }

    /// <summary>Real servers in ipvsadm's default order: address, port (stable).</summary>
    public static List<LvsRealServer> SortDests(IEnumerable<LvsRealServer> dests)
    {
        // A real server a failed health check took out is not in the kernel's table, so not in its listings.
        var list = dests.Where(d => d.InTable).ToList();
        MergeSort(list, CompareDests);
        return list;
    }

    // ---------------------------------------------------------------------------------------------------------

    /// <summary>
    /// The persistence granularity as ipvsadm prints it, or null when it is the default: IPv4 a dotted quad unless
    /// 255.255.255.255 (or unset); IPv6 the prefix length unless 128.
    /// </summary>
    private static string? PersistenceMaskText(LvsService svc)
    {
        var mask = svc.PersistenceNetmask;
        if (mask is null)
            return null;
        if (IsIpv6(svc))
        {
            int prefix = mask.AddressFamily == AddressFamily.InterNetworkV6
                ? mask.GetAddressBytes().Sum(b => System.Numerics.BitOperations.PopCount(b))
                : 128;
            return prefix == 128 ? null : prefix.ToString(Inv);
        }
        if (mask.AddressFamily != AddressFamily.InterNetwork || mask.Equals(IPAddress.Broadcast))
            return null;
        return mask.ToString();
    }

    private static void AppendVersion(StringBuilder sb, string version, int tableSize)
        => sb.Append("IP Virtual Server version ").Append(version)
             .Append(" (size=").Append(tableSize.ToString(Inv)).Append(")\n");

    private static void AppendCounters(StringBuilder sb, LvsStatistics? st, bool exact)
    {
        st ??= new LvsStatistics();
        sb.Append(LargeNumber(st.Connections, exact))
          .Append(LargeNumber(st.InPackets, exact))
          .Append(LargeNumber(st.OutPackets, exact))
          .Append(LargeNumber(st.InBytes, exact))
          .Append(LargeNumber(st.OutBytes, exact));
    }

    /// <summary>
    /// "%-4s %s" of protocol and address:port; IPv4 names cut at 33 characters. A firewall-mark service is "FWM  %d"
    /// ("FWM  %d IPv6"), not cut: the mark as C's %d prints a 32-bit unsigned value (above 2^31-1 it is negative).
    /// </summary>
    private static string ServiceName(LvsService svc, bool numeric, Func<IPAddress, string?>? hostName, Func<ushort, LvsProtocol, string?>? portName)
    {
        if (svc.FirewallMark != 0)
            return "FWM  " + SignedMark(svc.FirewallMark) + (IsIpv6(svc) ? " IPv6" : "");
        string name = ProtocolName(svc.Protocol).PadRight(4) + " " + AddrPort(svc.VirtualAddress, svc.Port, svc.Protocol, numeric, hostName, portName);
        if (svc.VirtualAddress.AddressFamily != AddressFamily.InterNetworkV6 && name.Length > 33)
            name = name[..33];
        return name;
    }

    /// <summary>The real server's address:port; IPv4 services cut it at 28 characters.</summary>
    private static string DestName(LvsService svc, LvsRealServer rs, bool numeric, Func<IPAddress, string?>? hostName, Func<ushort, LvsProtocol, string?>? portName)
    {
        string name = AddrPort(rs.RealAddress, rs.RealPort, svc.Protocol, numeric, hostName, portName);
        if (!IsIpv6(svc) && name.Length > 28)
            name = name[..28];
        return name;
    }

    private static string AddrPort(IPAddress addr, ushort port, LvsProtocol proto, bool numeric, Func<IPAddress, string?>? hostName, Func<ushort, LvsProtocol, string?>? portName)
    {
        if (numeric)
            return NumericAddrPort(addr, port);
        string host = hostName?.Invoke(addr) is { Length: > 0 } h ? h : AddressText(addr);
        string p = portName?.Invoke(port, proto) is { Length: > 0 } n ? n : port.ToString(Inv);
        return addr.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{host}]:{p}" : $"{host}:{p}";
    }

    private static string NumericAddrPort(IPAddress addr, ushort port)
        => addr.AddressFamily == AddressFamily.InterNetworkV6
            ? "[" + AddressText(addr) + "]:" + port.ToString(Inv)
            : AddressText(addr) + ":" + port.ToString(Inv);

    private static string AddressText(IPAddress addr)
    {
        if (addr.AddressFamily == AddressFamily.InterNetworkV6 && addr.ScopeId != 0)
            addr = new IPAddress(addr.GetAddressBytes()); // inet_ntop prints no scope
        return addr.ToString();
    }

    private static StringBuilder AppendLeft(StringBuilder sb, string s, int width)
    {
        sb.Append(s);
        if (s.Length < width)
            sb.Append(' ', width - s.Length);
        return sb;
    }

    private static StringBuilder AppendRight(StringBuilder sb, string s, int width)
    {
        if (s.Length < width)
            sb.Append(' ', width - s.Length);
        return sb.Append(s);
    }

    /// <summary>A service's address family: the family of its VirtualAddress (for a fwmark service, which has no address, that stands for -6).</summary>
    private static bool IsIpv6(LvsService svc) => svc.VirtualAddress.AddressFamily == AddressFamily.InterNetworkV6;

    // libipvs: fwmark, af, protocol, address, port; each difference taken as C does it (the u32 fwmark difference
    // wraps into an int, so a mark above 2^31 sorts before the services without one, as ipvsadm lists them).
    private static int CompareServices(LvsService a, LvsService b)
    {
        int r = unchecked((int)(a.FirewallMark - b.FirewallMark));
        if (r != 0) return r;
        r = Family(a.VirtualAddress) - Family(b.VirtualAddress);
        if (r != 0) return r;
        r = (int)a.Protocol - (int)b.Protocol;
        if (r != 0) return r;
        if (a.FirewallMark != 0)
            return 0; // the kernel keeps address 0 and port 0 for fwmark services: nothing more to tell them apart

        r = CompareAddress(a.VirtualAddress, b.VirtualAddress);
        if (r != 0) return r;
        return a.Port - b.Port;
    }

    private static int CompareDests(LvsRealServer a, LvsRealServer b)
    {
        int r = Family(a.RealAddress) - Family(b.RealAddress);
        if (r != 0) return r;
        r = CompareAddress(a.RealAddress, b.RealAddress);
        if (r != 0) return r;
        return a.RealPort - b.RealPort;
    }

    /// <summary>AF_INET = 2, AF_INET6 = 10, as the kernel numbers them.</summary>
    private static int Family(IPAddress a) => a.AddressFamily == AddressFamily.InterNetworkV6 ? 10 : 2;

    /// <summary>
    /// <c>r = ntohl(a) - ntohl(b)</c> stored in an int: the unsigned difference wraps, so two IPv4 addresses more
    /// than 2^31 apart compare "backwards" (192.168.0.1 sorts before 10.0.0.1), exactly as ipvsadm shows them.
    /// IPv6 compares the four 32-bit words the same way.
    /// </summary>
    private static int CompareAddress(IPAddress a, IPAddress b)
    {
        Span<byte> ba = stackalloc byte[16];
        Span<byte> bb = stackalloc byte[16];
        if (!a.TryWriteBytes(ba, out int la) || !b.TryWriteBytes(bb, out int lb) || la != lb)
            return 0;
        int r = 0;
        for (int i = 0; r == 0 && i < la; i += 4)
        {
            uint wa = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(ba[i..]);
            uint wb = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bb[i..]);
            r = unchecked((int)(wa - wb));
        }
        return r;
    }

    /// <summary>Top-down stable merge sort, the shape of glibc's qsort (msort) that ipvsadm's listing goes through.</summary>
    private static void MergeSort<T>(List<T> list, Comparison<T> cmp)
    {
        if (list.Count < 2)
            return;
        var a = list.ToArray();
        var tmp = new T[a.Length];
        Sort(a, tmp, 0, a.Length, cmp);
        for (int i = 0; i < a.Length; i++)
            list[i] = a[i];

        static void Sort(T[] a, T[] tmp, int lo, int n, Comparison<T> cmp)
        {
            if (n <= 1)
                return;
            int n1 = n / 2, n2 = n - n1;
            Sort(a, tmp, lo, n1, cmp);
            Sort(a, tmp, lo + n1, n2, cmp);
            int i = lo, j = lo + n1, k = 0, iEnd = lo + n1, jEnd = lo + n;
            while (i < iEnd && j < jEnd)
                tmp[k++] = cmp(a[i], a[j]) <= 0 ? a[i++] : a[j++];
            while (i < iEnd)
                tmp[k++] = a[i++];
            // the rest of the right half is already in place
            Array.Copy(tmp, 0, a, lo, k);
        }
    }
}
