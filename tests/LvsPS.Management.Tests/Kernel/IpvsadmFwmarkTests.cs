using static LvsPS.Management.Tests.Kernel.IpvsadmTestKit;

namespace LvsPS.Management.Tests.Kernel;

/// <summary>
/// Firewall-mark services on a kernel director: the ipvsadm command lines (-f N) and the listings read back
/// ("FWM  N" service lines and their real servers in -L -n, --stats, --rate, --thresholds, --persistent-conn, and the
/// fwmark persistence templates of -c).
/// </summary>
public sealed class IpvsadmFwmarkTests
{
    private static IPAddress A(string s) => IPAddress.Parse(s);

    private static ServiceSpec Fwm(uint mark = 1, LvsScheduler sched = LvsScheduler.Rr) =>
        new() { FirewallMark = mark, Scheduler = sched };

    private static RealServerSpec Rs(string addr = "10.0.0.3", ushort port = 0, LvsForwarding fwd = LvsForwarding.Route, int weight = 1) =>
        new() { Address = A(addr), Port = port, Forwarding = fwd, Weight = weight };

    // ------------------------------------------------------------------ commands

    [Fact]
    public void AddService_Fwmark()
    {
        var c = IpvsadmCommandBuilder.AddService(Fwm(1, LvsScheduler.Sh));
        Assert.Equal(new[] { "-A", "-f", "1", "-s", "sh" }, c.Arguments);
        Assert.Equal("ipvsadm '-A' '-f' '1' '-s' 'sh'", c.CommandLine);

        var s = Fwm(4294967295, LvsScheduler.Sh);
        s.PersistentTimeout = 600;
        s.PersistenceNetmask = A("255.255.255.0");
        s.SchedulerFlags = LvsSchedulerFlags.Fallback | LvsSchedulerFlags.Port;
        Assert.Equal("ipvsadm '-A' '-f' '4294967295' '-s' 'sh' '-p' '600' '-M' '255.255.255.0' '-b' 'sh-fallback,sh-port'",
            IpvsadmCommandBuilder.AddService(s).CommandLine);
    }

    [Fact]
    public void AddService_FwmarkIgnoresProtocolAddressAndPort()
    {
        // Protocol, Address and Port are not used for a fwmark service, whatever they hold
        var s = new ServiceSpec { FirewallMark = 7, Protocol = (LvsProtocol)99, Address = IPAddress.None, Port = 0, Scheduler = LvsScheduler.Wlc };
        Assert.Equal("ipvsadm '-A' '-f' '7' '-s' 'wlc'", IpvsadmCommandBuilder.AddService(s).CommandLine);
        s.Address = A("192.168.1.100");
        s.Port = 80;
        Assert.Equal("ipvsadm '-A' '-f' '7' '-s' 'wlc'", IpvsadmCommandBuilder.AddService(s).CommandLine);
    }

    [Fact]
    public void AddService_Ipv6FwmarkCarriesMinus6()
    {
        var s = Fwm(3);
        s.Address = IPAddress.IPv6Any;
        s.PersistentTimeout = 60;
        s.PersistenceNetmask = A("ffff:ffff:ffff:ffff::");
        Assert.Equal("ipvsadm '-A' '-f' '3' '-6' '-s' 'rr' '-p' '60' '-M' '64'", IpvsadmCommandBuilder.AddService(s).CommandLine);
        Assert.Equal("ipvsadm '-a' '-f' '3' '-6' '-r' '[2001:db8::3]:0' '-g' '-w' '1'",
            IpvsadmCommandBuilder.AddRealServer(s, Rs("2001:db8::3")).CommandLine);
        AssertRefused(LvsErrorIds.InvalidAddress, () => IpvsadmCommandBuilder.AddRealServer(s, Rs("10.0.0.3")));
        AssertRefused(LvsErrorIds.InvalidAddress, () => IpvsadmCommandBuilder.AddRealServer(Fwm(3), Rs("2001:db8::3")));
    }

    [Fact]
    public void RealServers_KeepTheirPortWhateverTheForwarding()
    {
        Assert.Equal("ipvsadm '-a' '-f' '1' '-r' '10.0.0.3:0' '-g' '-w' '1'", IpvsadmCommandBuilder.AddRealServer(Fwm(), Rs()).CommandLine);
        Assert.Equal("ipvsadm '-a' '-f' '1' '-r' '10.0.0.3:80' '-g' '-w' '2'", IpvsadmCommandBuilder.AddRealServer(Fwm(), Rs(port: 80, weight: 2)).CommandLine);
        Assert.Equal("ipvsadm '-a' '-f' '1' '-r' '10.0.0.3:443' '-i' '-w' '1'", IpvsadmCommandBuilder.AddRealServer(Fwm(), Rs(port: 443, fwd: LvsForwarding.Tunnel)).CommandLine);
        var rs = Rs("172.16.0.2", 8080, LvsForwarding.Masq, 0);
        rs.UpperThreshold = 100;
        rs.LowerThreshold = 50;
        Assert.Equal("ipvsadm '-e' '-f' '1' '-r' '172.16.0.2:8080' '-m' '-w' '0' '-x' '100' '-y' '50'",
            IpvsadmCommandBuilder.EditRealServer(Fwm(), rs).CommandLine);
    }

    [Fact]
    public void EveryOperationNamesTheServiceByMark()
    {
        var svc = Fwm(5);
        svc.RealServers.Add(Rs("10.0.0.4"));   // newest first
        svc.RealServers.Add(Rs("10.0.0.3", 80));
        Assert.Equal(new[]
        {
            "ipvsadm '-A' '-f' '5' '-s' 'rr'",
            "ipvsadm '-a' '-f' '5' '-r' '10.0.0.3:80' '-g' '-w' '1'",
            "ipvsadm '-a' '-f' '5' '-r' '10.0.0.4:0' '-g' '-w' '1'",
        }, Lines(IpvsadmCommandBuilder.AddServiceWithRealServers(svc)));
        Assert.Equal(new[] { "ipvsadm '-E' '-f' '5' '-s' 'rr'" }, Lines(new[] { IpvsadmCommandBuilder.EditService(Fwm(5)) }));
        Assert.Equal(new[] { "ipvsadm '-D' '-f' '5'" }, Lines(new[] { IpvsadmCommandBuilder.DeleteService(Fwm(5)) }));
        Assert.Equal(new[] { "ipvsadm '-Z' '-f' '5'" }, Lines(new[] { IpvsadmCommandBuilder.Zero(Fwm(5)) }));
        Assert.Equal(new[] { "ipvsadm '-a' '-f' '5' '-r' '10.0.0.9:0' '-g' '-w' '1'" },
            Lines(new[] { IpvsadmCommandBuilder.AddRealServer(Fwm(5), Rs("10.0.0.9")) }));
        // port 0 is port 0 for a fwmark service (it has no port to stand for)
        Assert.Equal(new[] { "ipvsadm '-d' '-f' '5' '-r' '10.0.0.3:0'" },
            Lines(new[] { IpvsadmCommandBuilder.DeleteRealServer(Fwm(5), Rs()) }));
        Assert.Equal(new[] { "ipvsadm '-d' '-f' '5' '-r' '10.0.0.3:80'" },
            Lines(new[] { IpvsadmCommandBuilder.DeleteRealServer(Fwm(5), Rs(port: 80)) }));
    }

    [Fact]
    public void FwmarkServicesAreValidatedLikeOthers()
    {
        var dup = Fwm();
        dup.RealServers.Add(Rs(port: 80));
        dup.RealServers.Add(Rs(port: 80, fwd: LvsForwarding.Masq));
        AssertRefused(LvsErrorIds.RealServerExists, () => IpvsadmCommandBuilder.AddServiceWithRealServers(dup));
        AssertRefused(LvsErrorIds.InvalidWeight, () => IpvsadmCommandBuilder.AddRealServer(Fwm(), Rs(weight: 70000)));
        AssertRefused(LvsErrorIds.InvalidAddress, () => IpvsadmCommandBuilder.AddRealServer(Fwm(), Rs("127.0.0.1")));
        // flag-2 goes with rr (the kernel keeps it: "rr (flag-2)"); only unknown flag bits are refused.
        var flags = Fwm(1, LvsScheduler.Rr);
        flags.SchedulerFlags = LvsSchedulerFlags.Port;
        Assert.Equal("ipvsadm '-A' '-f' '1' '-s' 'rr' '-b' 'flag-2'", IpvsadmCommandBuilder.AddService(flags).CommandLine);
        flags.SchedulerFlags = (LvsSchedulerFlags)0x40;
        AssertRefused(LvsErrorIds.InvalidSchedulerFlags, () => IpvsadmCommandBuilder.AddService(flags));
    }

    [Fact]
    public void MarkRulesAreNotKernelIpvsadmCommands()
    {
        Assert.Empty(new KernelDirector("k", "kd", _ => throw new InvalidOperationException("nothing may run")).ListMarkRules());
        var rule = new MarkRuleSpec { Mark = 1, Address = A("10.0.0.101"), PortFrom = 80, PortTo = 80 };
        AssertRefused(LvsErrorIds.DirectorProtocolError, () => new KernelDirector("k", "kd", _ => throw new InvalidOperationException("nothing may run")).AddMarkRule(rule));
        AssertRefused(LvsErrorIds.DirectorProtocolError, () => new KernelDirector("k", "kd", _ => throw new InvalidOperationException("nothing may run")).DeleteMarkRule(rule));
    }

    // ------------------------------------------------------------------ listings

    private static LvsService FwmService(uint mark, LvsScheduler sched, bool v6 = false) => new()
    {
        FirewallMark = mark, Protocol = LvsProtocol.Tcp, VirtualAddress = v6 ? IPAddress.IPv6Any : IPAddress.Any, Port = 0, Scheduler = sched,
    };

    /// <summary>A TCP service and fwmark services (IPv4 and IPv6 with the same mark, a mark above 2^31) with everything the listings show.</summary>
    private static List<LvsService> Table()
    {
        var web = new LvsService { Protocol = LvsProtocol.Tcp, VirtualAddress = A("192.168.1.100"), Port = 80, Scheduler = LvsScheduler.Wlc };
        web.RealServers.Add(new LvsRealServer { RealAddress = A("192.168.1.11"), RealPort = 80, Weight = 1, ActiveConnections = 12, InactiveConnections = 340 });

        var fwm1 = FwmService(1, LvsScheduler.Sh);
        fwm1.SchedulerFlags = LvsSchedulerFlags.Fallback | LvsSchedulerFlags.Port;
        fwm1.PersistentTimeout = 600;
        fwm1.PersistenceNetmask = A("255.255.255.0");
        fwm1.Statistics = new LvsStatistics { Connections = 39835, InPackets = 1_030_123_456, InBytes = 150_123_456_789, ConnectionsPerSecond = 12, InPacketsPerSecond = 3400, InBytesPerSecond = 2_500_000 };
        fwm1.RealServers.Add(new LvsRealServer
        {
            RealAddress = A("192.168.1.13"), RealPort = 0, Weight = 1, ActiveConnections = 3, InactiveConnections = 15,
            UpperThreshold = 1000, LowerThreshold = 750, PersistentConnections = 7,
            Statistics = new LvsStatistics { Connections = 774, InPackets = 461738, InBytes = 27704280, ConnectionsPerSecond = 5, InPacketsPerSecond = 77, InBytesPerSecond = 123456 },
        });
        fwm1.RealServers.Add(new LvsRealServer { RealAddress = A("172.16.0.2"), RealPort = 8080, Forwarding = LvsForwarding.Masq, Weight = 2 });

        var fwm1v6 = FwmService(1, LvsScheduler.Rr, v6: true);
        fwm1v6.RealServers.Add(new LvsRealServer { RealAddress = A("2001:db8::3"), RealPort = 0, Weight = 4, ActiveConnections = 1,
            Statistics = new LvsStatistics { Connections = 9 } });
        fwm1v6.Statistics = new LvsStatistics { Connections = 9 };

        var big = FwmService(4294967295, LvsScheduler.Wrr);
        big.RealServers.Add(new LvsRealServer { RealAddress = A("10.0.0.3"), RealPort = 443, Forwarding = LvsForwarding.Tunnel, Weight = 3 });

        var all = new List<LvsService> { web, fwm1, fwm1v6, big };
        foreach (var s in all)
            foreach (var r in s.RealServers)
                (r.Protocol, r.VirtualAddress, r.Port, r.FirewallMark) = (s.Protocol, s.VirtualAddress, s.Port, s.FirewallMark);
        return all;
    }

    private static string AllListings(List<LvsService> t, bool exact = true) =>
        IpvsadmFormatter.FormatList(t) + IpvsadmFormatter.FormatStats(t, exact: exact) + IpvsadmFormatter.FormatRate(t, exact: exact) +
        IpvsadmFormatter.FormatThresholds(t) + IpvsadmFormatter.FormatPersistentConn(t);

    [Fact]
    public void ListingsRoundTrip()
    {
        var table = Table();
        var parsed = IpvsadmOutputParser.ParseServices(AllListings(table), "kd");
        Assert.Equal(AllListings(table), AllListings(parsed));
        Assert.Equal(IpvsadmFormatter.FormatSave(table), IpvsadmFormatter.FormatSave(parsed));

        // sorted as ipvsadm sorts: mark 4294967295 (-1 as an int difference) first, then mark 0, then mark 1 (IPv4, IPv6)
        Assert.Equal(new[] { 4294967295u, 0u, 1u, 1u }, parsed.Select(s => s.FirewallMark));
        var fwm1 = parsed[2];
        Assert.Equal((LvsProtocol.Tcp, IPAddress.Any, (ushort)0, LvsScheduler.Sh, 600u), (fwm1.Protocol, fwm1.VirtualAddress, fwm1.Port, fwm1.Scheduler, fwm1.PersistentTimeout));
        Assert.Equal(39835ul, fwm1.Statistics.Connections);
        Assert.Equal(2_500_000ul, fwm1.Statistics.InBytesPerSecond);
        var rs = fwm1.RealServers.Single(r => r.RealAddress.Equals(A("192.168.1.13")));
        Assert.Equal(((ushort)0, 1u, 1000, 750, 7, 774ul, 5ul, "kd"),
            (rs.RealPort, rs.FirewallMark, rs.UpperThreshold, rs.LowerThreshold, rs.PersistentConnections, rs.Statistics.Connections, rs.Statistics.ConnectionsPerSecond, rs.Director));
        Assert.Equal(((ushort)8080, LvsForwarding.Masq), fwm1.RealServers.Single(r => r.RealPort == 8080) is var m ? (m.RealPort, m.Forwarding) : default);

        // the IPv6 service of the same mark is kept apart in every listing
        var v6 = parsed[3];
        Assert.Equal((1u, IPAddress.IPv6Any, 9ul), (v6.FirewallMark, v6.VirtualAddress, v6.Statistics.Connections));
        Assert.Equal((4, 1, 9ul), (v6.RealServers[0].Weight, v6.RealServers[0].ActiveConnections, v6.RealServers[0].Statistics.Connections));
    }

    [Fact]
    public void ListingsWithAbbreviatedCountersReadToo()
    {
        var parsed = IpvsadmOutputParser.ParseServices(AllListings(Table(), exact: false));
        var fwm1 = parsed.Single(s => s.FirewallMark == 1 && s.VirtualAddress.Equals(IPAddress.Any));
        Assert.Equal((1_030_000_000ul, 150_000_000_000ul), (fwm1.Statistics.InPackets, fwm1.Statistics.InBytes));
    }

    [Fact]
    public void Capture_FwmarkLines()
    {
        const string text =
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port Scheduler Flags\n" +
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n" +
            "FWM  -1 rr\n" +
            "FWM  10 wlc persistent 360\n" +
            "  -> 192.168.1.13:0               Route   1      0          0\n" +
            "  -> 192.168.1.14:0               Route   0      3          15\n" +
            "FWM  10 IPv6 sh (sh-port) persistent 60 mask 64\n" +
            "  -> [2001:db8::3]:80             Masq    1      0          0\n" +
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n" +
            "  -> RemoteAddress:Port\n" +
            "FWM  10                              39835    1030M        0     150G        0\n" +
            "  -> 192.168.1.14:0                    774   461738        0 27704280        0\n" +
            "FWM  10 IPv6                             1        2        0        3        0\n";
        var listings = IpvsadmOutputParser.ParseListings(text);
        Assert.Equal(3, listings[0].Services.Count);
        Assert.Empty(listings[0].Skipped);
        var services = IpvsadmOutputParser.Merge(listings);
        Assert.Equal(4294967295u, services[0].FirewallMark);
        Assert.Empty(services[0].RealServers);
        var ten = services[1];
        Assert.Equal((10u, LvsScheduler.Wlc, 360u, 39835ul, 1_030_000_000ul), (ten.FirewallMark, ten.Scheduler, ten.PersistentTimeout, ten.Statistics.Connections, ten.Statistics.InPackets));
        Assert.Equal(new[] { (0ul, 0), (774ul, 3) }, ten.RealServers.Select(r => (r.Statistics.Connections, r.ActiveConnections)));
        var ten6 = services[2];
        Assert.Equal((10u, IPAddress.IPv6Any, LvsSchedulerFlags.Port, 1ul), (ten6.FirewallMark, ten6.VirtualAddress, ten6.SchedulerFlags, ten6.Statistics.Connections));
        Assert.Equal(A("ffff:ffff:ffff:ffff::"), ten6.PersistenceNetmask);
        Assert.Equal((A("2001:db8::3"), (ushort)80, LvsForwarding.Masq, 10u), (ten6.RealServers[0].RealAddress, ten6.RealServers[0].RealPort, ten6.RealServers[0].Forwarding, ten6.RealServers[0].FirewallMark));
    }

    [Theory]
    [InlineData("1", 1u)]
    [InlineData("2147483647", 2147483647u)]
    [InlineData("-2147483648", 2147483648u)]
    [InlineData("-1", 4294967295u)]
    [InlineData("4294967295", 4294967295u)]
    public void MarksReadAsIpvsadmPrintsThem(string text, uint mark)
        => Assert.Equal(mark, IpvsadmOutputParser.ParseFirewallMark(text));

    [Fact]
    public void ConnectionTemplatesOfFwmarkServicesRoundTrip()
    {
        const string text =
            "IPVS connection entries\n" +
            "pro expire state       source             virtual            destination\n" +
            "IP  05:55  NONE        10.1.2.0:0         0.0.0.1:0          192.168.1.13:0\n" +
            "TCP 14:57  ESTABLISHED 10.1.2.3:51514     192.168.1.100:80   192.168.1.13:80\n" +
            "IP  00:10  NONE        10.1.2.0:0         255.255.255.255:0  192.168.1.13:0\n";
        var c = IpvsadmOutputParser.ParseConnections(text, "kd");
        Assert.Equal(3, c.Count);
        Assert.Equal((1u, LvsProtocol.Tcp, IPAddress.Any, (ushort)0, 355), (c[0].FirewallMark, c[0].Protocol, c[0].VirtualAddress, c[0].Port, c[0].ExpiresInSeconds));
        Assert.Equal(0u, c[1].FirewallMark);
        Assert.Equal(4294967295u, c[2].FirewallMark);
        Assert.Equal(text, IpvsadmFormatter.FormatConnections(c));
    }
}
