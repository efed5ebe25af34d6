using LvsPS.Ipvs.Connections;

namespace LvsPS.Management.Tests.Kernel;

/// <summary>
/// Round trips through IpvsadmFormatter (which writes ipvsadm's formats byte for byte) and real-world captures:
/// what LvsPS reads back from ipvsadm output is what was listed.
/// </summary>
public sealed class IpvsadmOutputParserTests
{
    private static IPAddress A(string s) => IPAddress.Parse(s);

    /// <summary>A table with every feature the listings show.</summary>
    private static List<LvsService> KnownTable()
    {
        var web = new LvsService
        {
            Protocol = LvsProtocol.Tcp, VirtualAddress = A("192.168.1.100"), Port = 80, Scheduler = LvsScheduler.Wlc,
            Statistics = new LvsStatistics
            {
                Connections = 39835, InPackets = 1_030_123_456, OutPackets = 0, InBytes = 150_123_456_789, OutBytes = 0,
                ConnectionsPerSecond = 12, InPacketsPerSecond = 3400, OutPacketsPerSecond = 0, InBytesPerSecond = 2_500_000_000, OutBytesPerSecond = 0,
            },
        };
        web.RealServers.Add(new LvsRealServer { RealAddress = A("192.168.1.12"), RealPort = 80, Forwarding = LvsForwarding.Route, Weight = 0, ActiveConnections = 3, InactiveConnections = 15, UpperThreshold = 0, LowerThreshold = 0 });
        web.RealServers.Add(new LvsRealServer
        {
            RealAddress = A("192.168.1.11"), RealPort = 80, Forwarding = LvsForwarding.Route, Weight = 1, ActiveConnections = 12, InactiveConnections = 340,
            UpperThreshold = 1000, LowerThreshold = 750,
            Statistics = new LvsStatistics { Connections = 774, InPackets = 461738, InBytes = 27704280, ConnectionsPerSecond = 5, InPacketsPerSecond = 77, InBytesPerSecond = 123456 },
        });
        var tls = new LvsService
        {
            Protocol = LvsProtocol.Tcp, VirtualAddress = A("192.168.1.100"), Port = 443, Scheduler = LvsScheduler.Rr,
            PersistentTimeout = 360, PersistenceNetmask = A("255.255.255.0"),
        };
        tls.RealServers.Add(new LvsRealServer { RealAddress = A("192.168.1.11"), RealPort = 443, Forwarding = LvsForwarding.Route, Weight = 1, PersistentConnections = 7 });
        var hash = new LvsService
        {
            Protocol = LvsProtocol.Tcp, VirtualAddress = A("10.20.30.40"), Port = 8443, Scheduler = LvsScheduler.Sh,
            SchedulerFlags = LvsSchedulerFlags.Fallback | LvsSchedulerFlags.Port, PersistentTimeout = 60,
        };
        hash.RealServers.Add(new LvsRealServer { RealAddress = A("10.20.30.1"), RealPort = 8443, Forwarding = LvsForwarding.Tunnel, Weight = 5 });
        hash.RealServers.Add(new LvsRealServer { RealAddress = A("10.20.30.40"), RealPort = 8443, Forwarding = LvsForwarding.Local, Weight = 1 });
        var dns = new LvsService { Protocol = LvsProtocol.Udp, VirtualAddress = A("10.0.0.53"), Port = 53, Scheduler = LvsScheduler.Mh, SchedulerFlags = LvsSchedulerFlags.Port };
        dns.RealServers.Add(new LvsRealServer { RealAddress = A("172.16.0.2"), RealPort = 5353, Forwarding = LvsForwarding.Masq, Weight = 65535, ActiveConnections = 0, InactiveConnections = int.MaxValue });
        var v6 = new LvsService
        {
            Protocol = LvsProtocol.Tcp, VirtualAddress = A("2001:db8::101"), Port = 80, Scheduler = LvsScheduler.Twos,
            PersistentTimeout = 300, PersistenceNetmask = A("ffff:ffff:ffff:ffff::"),
            Statistics = new LvsStatistics { Connections = 123_456_789_012, InPackets = 5, OutPackets = 6, InBytes = 7, OutBytes = 8 },
        };
        v6.RealServers.Add(new LvsRealServer { RealAddress = A("2001:db8::3"), RealPort = 80, Forwarding = LvsForwarding.Route, Weight = 2, ActiveConnections = 1, InactiveConnections = 2 });
        var rrFlag3 = new LvsService { Protocol = LvsProtocol.Udp, VirtualAddress = A("10.0.0.54"), Port = 123, Scheduler = LvsScheduler.Rr, SchedulerFlags = LvsSchedulerFlags.Flag3 };
        var all = new List<LvsService> { web, tls, hash, dns, v6, rrFlag3 };
        foreach (var s in all)
            foreach (var r in s.RealServers)
            {
                r.Protocol = s.Protocol;
                r.VirtualAddress = s.VirtualAddress;
                r.Port = s.Port;
            }
        return all;
    }

    private static void AssertSameTable(List<LvsService> expected, List<LvsService> actual, bool stats, bool thresholds, bool persistConns)
    {
        var want = IpvsadmFormatter.SortServices(expected);
        Assert.Equal(want.Count, actual.Count);
        for (int i = 0; i < want.Count; i++)
        {
            var e = want[i];
            var a = actual[i];
            bool defaultMask = e.PersistenceNetmask is null || e.PersistenceNetmask.Equals(IPAddress.Broadcast) || e.PersistentTimeout == 0;
            Assert.Equal(
                (e.Protocol, e.VirtualAddress, e.Port, e.Scheduler, e.SchedulerFlags, e.PersistentTimeout, defaultMask ? null : e.PersistenceNetmask),
                (a.Protocol, a.VirtualAddress, a.Port, a.Scheduler, a.SchedulerFlags, a.PersistentTimeout, a.PersistenceNetmask));
            if (stats) Assert.Equal(Counters(e.Statistics), Counters(a.Statistics));
            var wantRs = IpvsadmFormatter.SortDests(e.RealServers);
            Assert.Equal(wantRs.Count, a.RealServers.Count);
            for (int j = 0; j < wantRs.Count; j++)
            {
                var er = wantRs[j];
                var ar = a.RealServers[j];
                Assert.Equal(
                    (er.RealAddress, er.RealPort, er.Forwarding, er.Weight, er.ActiveConnections, er.InactiveConnections, e.Protocol, e.VirtualAddress, e.Port),
                    (ar.RealAddress, ar.RealPort, ar.Forwarding, ar.Weight, ar.ActiveConnections, ar.InactiveConnections, ar.Protocol, ar.VirtualAddress, ar.Port));
                if (stats) Assert.Equal(Counters(er.Statistics), Counters(ar.Statistics));
                if (thresholds) Assert.Equal((er.UpperThreshold, er.LowerThreshold), (ar.UpperThreshold, ar.LowerThreshold));
                if (persistConns) Assert.Equal(er.PersistentConnections, ar.PersistentConnections);
            }
        }
    }

    /// <summary>What --stats lists: Conns, InPkts, OutPkts, InBytes, OutBytes.</summary>
    private static (ulong, ulong, ulong, ulong, ulong) Counters(LvsStatistics s)
        => (s.Connections, s.InPackets, s.OutPackets, s.InBytes, s.OutBytes);

    /// <summary>What --rate lists: CPS, InPPS, OutPPS, InBPS, OutBPS.</summary>
    private static (ulong, ulong, ulong, ulong, ulong) Rates(LvsStatistics s)
        => (s.ConnectionsPerSecond, s.InPacketsPerSecond, s.OutPacketsPerSecond, s.InBytesPerSecond, s.OutBytesPerSecond);

    /// <summary>Parses a listing, asserting that no line of it was skipped and that it has that many services.</summary>
    private static List<LvsService> ParseEveryLine(string text, int serviceCount)
    {
        var listing = IpvsadmOutputParser.ParseListing(text);
        Assert.Equal(serviceCount, listing.Services.Count);
        Assert.Empty(listing.Skipped);
        return listing.Services;
    }

    [Fact]
    public void List_RoundTrip_ReadsEveryField_AndFormatsBackByteForByte()
    {
        var table = KnownTable();
        var text = IpvsadmFormatter.FormatList(table, tableSize: 65536, version: "1.2.1");
        var listing = IpvsadmOutputParser.ParseListing(text);
        Assert.Equal(IpvsadmListingKind.List, listing.Kind);
        Assert.Equal("1.2.1", listing.IpvsVersion);
        Assert.Equal(65536, listing.TableSize);
        Assert.Empty(listing.Skipped);
        AssertSameTable(table, listing.Services, stats: false, thresholds: false, persistConns: false);
        Assert.Equal(text, IpvsadmFormatter.FormatList(listing.Services, 65536, "1.2.1"));
    }

    [Theory]
    [InlineData(IpvsadmListingKind.Stats)]
    [InlineData(IpvsadmListingKind.Rate)]
    public void CounterListings_Exact_RoundTrip(IpvsadmListingKind kind)
    {
        bool rate = kind == IpvsadmListingKind.Rate;
        string Format(IEnumerable<LvsService> t) => rate ? IpvsadmFormatter.FormatRate(t, exact: true) : IpvsadmFormatter.FormatStats(t, exact: true);
        var table = KnownTable();
        var text = Format(table);
        var listing = IpvsadmOutputParser.ParseListing(text);
        Assert.Equal(kind, listing.Kind);
        var merged = IpvsadmOutputParser.Merge(new[] { IpvsadmOutputParser.ParseListing(IpvsadmFormatter.FormatList(table)), listing });
        AssertSameTable(table, merged, stats: !rate, thresholds: false, persistConns: false);
        if (rate)
        {
            var want = IpvsadmFormatter.SortServices(table);
            Assert.Equal(want.Select(s => Rates(s.Statistics)), merged.Select(s => Rates(s.Statistics)));
            Assert.Equal(
                want.SelectMany(s => IpvsadmFormatter.SortDests(s.RealServers)).Select(r => Rates(r.Statistics)),
                merged.SelectMany(s => s.RealServers).Select(r => Rates(r.Statistics)));
        }
        Assert.Equal(text, Format(merged));
    }

    [Fact]
    public void Stats_WithoutExact_ReadsTheAbbreviationsAsTheirLowerBound()
    {
        var table = KnownTable();
        var listing = IpvsadmOutputParser.ParseListing(IpvsadmFormatter.FormatStats(table, exact: false));
        var web = listing.Services.Single(s => s.Port == 80 && s.VirtualAddress.Equals(A("192.168.1.100")));
        Assert.Equal(39835UL, web.Statistics.Connections);
        Assert.Equal(1_030_000_000UL, web.Statistics.InPackets);  // "1030M"
        Assert.Equal(150_000_000_000UL, web.Statistics.InBytes);  // "150G"
        var v6 = listing.Services.Single(s => s.VirtualAddress.Equals(A("2001:db8::101")));
        Assert.Equal(123_000_000_000UL, v6.Statistics.Connections); // "123G"
    }

    [Fact]
    public void Thresholds_And_PersistentConn_RoundTrip()
    {
        var table = KnownTable();
        var th = IpvsadmOutputParser.ParseListing(IpvsadmFormatter.FormatThresholds(table));
        Assert.Equal(IpvsadmListingKind.Thresholds, th.Kind);
        var pc = IpvsadmOutputParser.ParseListing(IpvsadmFormatter.FormatPersistentConn(table));
        Assert.Equal(IpvsadmListingKind.PersistentConn, pc.Kind);
        var merged = IpvsadmOutputParser.Merge(new[] { IpvsadmOutputParser.ParseListing(IpvsadmFormatter.FormatList(table)), th, pc });
        AssertSameTable(table, merged, stats: false, thresholds: true, persistConns: true);
        Assert.Equal(IpvsadmFormatter.FormatThresholds(table), IpvsadmFormatter.FormatThresholds(merged));
        Assert.Equal(IpvsadmFormatter.FormatPersistentConn(table), IpvsadmFormatter.FormatPersistentConn(merged));
    }

    [Fact]
    public void TheFiveListingsOfListServices_InOneOutput_MergeIntoOneTable()
    {
        var table = KnownTable();
        string text = IpvsadmFormatter.FormatList(table, 4096) + IpvsadmFormatter.FormatStats(table, 4096, exact: true)
                      + IpvsadmFormatter.FormatRate(table, 4096, exact: true)
                      + IpvsadmFormatter.FormatThresholds(table, 4096) + IpvsadmFormatter.FormatPersistentConn(table, 4096);
        var services = IpvsadmOutputParser.ParseServices(text, "edge");
        AssertSameTable(table, services, stats: true, thresholds: true, persistConns: true);
        var web = services.Single(s => s.Port == 80 && s.Protocol == LvsProtocol.Tcp && s.VirtualAddress.Equals(A("192.168.1.100")));
        Assert.Equal((12UL, 2_500_000_000UL), (web.Statistics.ConnectionsPerSecond, web.Statistics.InBytesPerSecond));
        Assert.Equal(39835UL, web.Statistics.Connections);
        Assert.All(services, s => Assert.Equal("edge", s.Director));
        Assert.All(services, s => Assert.Equal(4096, s.TableSize));
        Assert.All(services.SelectMany(s => s.RealServers), r => Assert.Equal("edge", r.Director));
    }

    [Fact]
    public void EmptyTable()
    {
        var services = IpvsadmOutputParser.ParseServices(IpvsadmFormatter.FormatList(Array.Empty<LvsService>()));
        Assert.Empty(services);
    }

    [Fact]
    public void Connections_RoundTrip()
    {
        var conns = new List<LvsConnection>
        {
            new() { Protocol = LvsProtocol.Tcp, ClientAddress = A("10.1.2.3"), ClientPort = 51514, VirtualAddress = A("192.168.1.100"), Port = 80, RealAddress = A("192.168.1.11"), RealPort = 80, State = LvsConnectionState.Established, ExpiresInSeconds = 897 },
            new() { Protocol = LvsProtocol.Tcp, ClientAddress = A("10.1.2.4"), ClientPort = 40000, VirtualAddress = A("192.168.1.100"), Port = 80, RealAddress = A("192.168.1.12"), RealPort = 80, State = LvsConnectionState.SynRecv, ExpiresInSeconds = 37 },
            new() { Protocol = LvsProtocol.Tcp, ClientAddress = A("10.1.2.0"), ClientPort = 0, VirtualAddress = A("192.168.1.100"), Port = 443, RealAddress = A("192.168.1.11"), RealPort = 443, State = LvsConnectionState.None, ExpiresInSeconds = 355 },
            new() { Protocol = LvsProtocol.Udp, ClientAddress = A("10.1.2.5"), ClientPort = 53001, VirtualAddress = A("10.0.0.53"), Port = 53, RealAddress = A("172.16.0.2"), RealPort = 5353, State = LvsConnectionState.Udp, ExpiresInSeconds = 298 },
            new() { Protocol = LvsProtocol.Tcp, ClientAddress = A("2001:db8::77"), ClientPort = 1234, VirtualAddress = A("2001:db8::101"), Port = 80, RealAddress = A("2001:db8::3"), RealPort = 80, State = LvsConnectionState.TimeWait, ExpiresInSeconds = 7200 },
        };
        foreach (var s in Enum.GetValues<LvsConnectionState>().Where(s => s != LvsConnectionState.Udp))
            conns.Add(new LvsConnection { Protocol = LvsProtocol.Tcp, ClientAddress = A("10.9.9.9"), ClientPort = 1000, VirtualAddress = A("10.0.0.1"), Port = 22, RealAddress = A("10.0.0.2"), RealPort = 22, State = s, ExpiresInSeconds = 5 });
        var text = IpvsadmFormatter.FormatConnections(conns);
        var parsed = IpvsadmOutputParser.ParseConnections(text, "edge");
        static object Fields(LvsConnection c)
            => (c.Protocol, c.ClientAddress, c.ClientPort, c.VirtualAddress, c.Port, c.RealAddress, c.RealPort, c.State, c.ExpiresInSeconds);
        Assert.Equal(conns.Select(Fields), parsed.Select(Fields));
        Assert.All(parsed, a => Assert.Equal("edge", a.Director));
        Assert.Equal(text, IpvsadmFormatter.FormatConnections(parsed));
        Assert.Empty(IpvsadmOutputParser.ParseConnections(IpvsadmFormatter.FormatConnections(Array.Empty<LvsConnection>())));
    }

    [Fact]
    public void Timeout_RoundTrip()
    {
        var t = new LvsTimeouts();
        t.Set(7200, 30, 60);
        var parsed = IpvsadmOutputParser.ParseTimeout(IpvsadmFormatter.FormatTimeout(t));
        Assert.Equal((7200, 30, 60), (parsed.Tcp, parsed.TcpFin, parsed.Udp));
    }

    // ------------------------------------------------------------------ captures (docs: shared reference notes 1.x)

    [Fact]
    public void Capture_ListWithFwmarkService_FwmarkIsReadWithItsRealServers()
    {
        const string text =
            IpvsadmSamples.ListHeader +
            "TCP  192.168.1.100:80 wlc\n" +
            "  -> 192.168.1.11:80              Route   1      12         340\n" +
            "  -> 192.168.1.12:80              Route   0      3          15\n" +
            "TCP  192.168.1.100:443 rr persistent 360 mask 255.255.255.0\n" +
            "  -> 192.168.1.11:443             Route   1      0          0\n" +
            "FWM  1 sh (sh-fallback,sh-port)\n" +
            "  -> 192.168.1.13:0               Route   1      0          0\n";
        var services = ParseEveryLine(text, 3);
        var fwm = services[2];
        Assert.Equal((1u, LvsScheduler.Sh, LvsSchedulerFlags.Fallback | LvsSchedulerFlags.Port), (fwm.FirewallMark, fwm.Scheduler, fwm.SchedulerFlags));
        var fwmRs = Assert.Single(fwm.RealServers);
        Assert.Equal((A("192.168.1.13"), (ushort)0, 1u), (fwmRs.RealAddress, fwmRs.RealPort, fwmRs.FirewallMark));
        var web = services[0];
        Assert.Equal(LvsScheduler.Wlc, web.Scheduler);
        Assert.Equal(new[] { (12, 340), (3, 15) }, web.RealServers.Select(r => (r.ActiveConnections, r.InactiveConnections)));
        Assert.Equal(new[] { 1, 0 }, web.RealServers.Select(r => r.Weight));
        var tls = services[1];
        Assert.Equal(360u, tls.PersistentTimeout);
        Assert.Equal(A("255.255.255.0"), tls.PersistenceNetmask);
        Assert.Single(tls.RealServers);
    }

    [Fact]
    public void Capture_KeepalivedIssue_PersistentFive()
    {
        const string text =
            "IP Virtual Server version 1.2.1 (size=4096)\r\n" +
            "Prot LocalAddress:Port Scheduler Flags\r\n" +
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\r\n" +
            "TCP  172.16.10.30:3128 wrr persistent 5\r\n" +
            "  -> 172.128.10.31:3128           Route   1      0          0         \r\n";
        var svc = Assert.Single(IpvsadmOutputParser.ParseServices(text));
        Assert.Equal(LvsScheduler.Wrr, svc.Scheduler);
        Assert.Equal(5u, svc.PersistentTimeout);
        Assert.Null(svc.PersistenceNetmask);
        var rs = Assert.Single(svc.RealServers);
        Assert.Equal(A("172.128.10.31"), rs.RealAddress);
        Assert.Equal((ushort)3128, rs.RealPort);
    }

    [Fact]
    public void Capture_Stats_WithAbbreviations()
    {
        const string text =
            IpvsadmSamples.StatsHeader +
            "TCP  192.168.1.100:80                39835    1030M        0     150G        0\n" +
            "  -> 192.168.1.11:80                   774   461738        0 27704280        0\n";
        var listing = IpvsadmOutputParser.ParseListing(text);
        var svc = Assert.Single(listing.Services);
        Assert.Equal(39835UL, svc.Statistics.Connections);
        Assert.Equal(1_030_000_000UL, svc.Statistics.InPackets);
        Assert.Equal(150_000_000_000UL, svc.Statistics.InBytes);
        Assert.Equal(0UL, svc.Statistics.OutBytes);
        var rs = Assert.Single(svc.RealServers);
        Assert.Equal(27704280UL, rs.Statistics.InBytes);
    }

    [Fact]
    public void Capture_Thresholds()
    {
        const string text =
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn\n" +
            "  -> RemoteAddress:Port\n" +
            "TCP  192.168.1.100:80 wlc\n" +
            "  -> 192.168.1.11:80              1000       750        12         340\n";
        var rs = Assert.Single(Assert.Single(IpvsadmOutputParser.ParseListing(text).Services).RealServers);
        Assert.Equal((1000, 750, 12, 340), (rs.UpperThreshold, rs.LowerThreshold, rs.ActiveConnections, rs.InactiveConnections));
    }

    [Fact]
    public void Capture_Connections()
    {
        const string text =
            IpvsadmSamples.ConnectionEntries +
            "IP  05:55  NONE        10.1.2.0:0         0.0.0.1:0          192.168.1.13:0\n";
        var c = IpvsadmOutputParser.ParseConnections(text);
        Assert.Equal(5, c.Count);
        Assert.Equal(897, c[0].ExpiresInSeconds);
        Assert.Equal(LvsConnectionState.Established, c[0].State);
        Assert.Equal(LvsConnectionState.SynRecv, c[1].State);
        Assert.Equal(37, c[1].ExpiresInSeconds);
        Assert.Equal((ushort)0, c[2].ClientPort);
        Assert.Equal(LvsConnectionState.None, c[2].State);
        Assert.Equal(LvsProtocol.Udp, c[3].Protocol);
        Assert.Equal(LvsConnectionState.Udp, c[3].State);
        Assert.Equal(298, c[3].ExpiresInSeconds);
        // the fwmark template: mark 1 as the virtual address
        Assert.Equal((1u, LvsConnectionState.None, A("0.0.0.0"), (ushort)0), (c[4].FirewallMark, c[4].State, c[4].VirtualAddress, c[4].Port));
        Assert.Equal((A("10.1.2.0"), A("192.168.1.13")), (c[4].ClientAddress, c[4].RealAddress));
    }

    [Fact]
    public void Capture_ConnectionsWithPersistenceEngineColumns()
    {
        const string text =
            "IPVS connection entries\n" +
            "pro expire state       source             virtual            destination        pe name          pe_data\n" +
            "UDP 03:10  UDP         10.1.2.5:5060      192.168.1.100:5060 192.168.1.13:5060  sip              abc@example\n";
        var c = Assert.Single(IpvsadmOutputParser.ParseConnections(text));
        Assert.Equal(190, c.ExpiresInSeconds);
        Assert.Equal((ushort)5060, c.RealPort);
    }

    [Fact]
    public void Capture_TimeoutAndVersion()
    {
        var t = IpvsadmOutputParser.ParseTimeout("Timeout (tcp tcpfin udp): 900 120 300\n");
        Assert.Equal((900, 120, 300), (t.Tcp, t.TcpFin, t.Udp));
        var v = IpvsadmOutputParser.ParseVersion("ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)\n");
        Assert.Equal("1.31", v.Version);
        Assert.Equal("1.2.1", v.IpvsVersion);
        Assert.Equal("ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)", v.Text);
        Assert.Equal("1.26", IpvsadmOutputParser.ParseVersion("ipvsadm v1.26 2008/5/15 (compiled with getopt_long and IPVS v1.2.1)").Version);
    }

    [Fact]
    public void SctpServicesAndOtherServiceFlagsAreHandled()
    {
        const string text =
            IpvsadmSamples.ListHeader +
            "SCTP 10.0.0.1:9999 rr\n" +
            "  -> 10.0.0.2:9999                Route   1      0          0         \n" +
            "UDP  10.0.0.1:5060 rr persistent 60 pe sip ops\n" +
            "  -> 10.0.0.3:5060                Masq    1      0          0         \n";
        var services = ParseEveryLine(text, 2);
        var sctp = services[0];
        Assert.Equal((LvsProtocol.Sctp, (ushort)9999, LvsScheduler.Rr), (sctp.Protocol, sctp.Port, sctp.Scheduler));
        Assert.Equal(LvsProtocol.Sctp, Assert.Single(sctp.RealServers).Protocol);
        var svc = services[1];
        Assert.Equal(60u, svc.PersistentTimeout);
        Assert.Equal(LvsForwarding.Masq, Assert.Single(svc.RealServers).Forwarding);
    }

    [Theory]
    [InlineData("bash: line 1: ipvsadm: command not found\n")]
    [InlineData("IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n")]
    [InlineData(IpvsadmSamples.ListHeader + "TCP  10.0.0.1:80 fancy\n")]
    [InlineData(IpvsadmSamples.ListHeader + "TCP  10.0.0.1:80 rr (sh-teleport)\n")]
    [InlineData(IpvsadmSamples.ListHeader + "  -> 10.0.0.2:80                  Route   1      0          0\n")]
    [InlineData(IpvsadmSamples.ListHeader + "TCP  10.0.0.1:80 rr\n  -> 10.0.0.2:80                  Bridge  1      0          0\n")]
    [InlineData(IpvsadmSamples.ListHeader + "TCP  web.example.com:http rr\n")]
    [InlineData("IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n")]
    [InlineData("IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port               CPS    InPPS   OutPPS    InBPS   OutBPS\n  -> RemoteAddress:Port\n")]
    // firewall-mark service lines
    [InlineData(IpvsadmSamples.ListHeader + "FWM  0 rr\n", "firewall mark 0 is not a fwmark service")]
    [InlineData(IpvsadmSamples.ListHeader + "FWM  x rr\n", "'x' is not a firewall mark")]
    [InlineData(IpvsadmSamples.ListHeader + "FWM  4294967296 rr\n", "'4294967296' is not a firewall mark")]
    [InlineData(IpvsadmSamples.ListHeader + "FWM  1\n", "no scheduler")]
    [InlineData(IpvsadmSamples.ListHeader + "FWM  1 IPv6\n", "no scheduler")]
    [InlineData(IpvsadmSamples.ListHeader + "FWM  1 rr fancy\n", "unknown service flag 'fancy'")]
    public void UnexpectedTextIsRefused_NotMisread(string text, string fragment = "")
    {
        // ParseServices reads through ParseListings, as ParseListing does: a bad line is refused by both.
        var e = Assert.Throws<LvsException>(() => IpvsadmOutputParser.ParseServices(text));
        Assert.Equal(LvsErrorIds.DirectorProtocolError, e.ErrorId);
        Assert.Equal(LvsErrorKind.ParserError, e.Kind);
        Assert.Contains(fragment, e.Message);
        if (fragment == "") return;
        var one = Assert.Throws<LvsException>(() => IpvsadmOutputParser.ParseListing(text));
        Assert.Equal(LvsErrorIds.DirectorProtocolError, one.ErrorId);
        Assert.Contains(fragment, one.Message);
    }

    [Fact]
    public void OtherUnexpectedTextIsRefused()
    {
        Assert.Throws<LvsException>(() => IpvsadmOutputParser.ParseTimeout("Timeout: soon\n"));
        Assert.Throws<LvsException>(() => IpvsadmOutputParser.ParseVersion("GNU bash, version 5.2\n"));
        Assert.Throws<LvsException>(() => IpvsadmOutputParser.ParseConnections("pro expire state\n"));
        Assert.Throws<LvsException>(() => IpvsadmOutputParser.ParseConnections("IPVS connection entries\npro expire state       source             virtual            destination\nTCP 1:2:3  ESTABLISHED 10.1.2.3:1 10.0.0.1:80 10.0.0.2:80\n"));
    }
}
