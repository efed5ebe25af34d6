namespace LvsPS.Management.Tests;

/// <summary>
/// Firewall-mark services in every ipvsadm listing, byte for byte: "FWM  N" ("%-4s %s"-like, as print_service_entry
/// writes it), real servers as RIP:port (0 without a port), services sorted by (fwmark, af, protocol, addr, port),
/// -S as "-A -f N" / "-a -f N -r RIP:PORT", and fwmark persistence templates in -c as protocol "IP" with the mark as
/// the virtual address.
/// </summary>
public sealed class IpvsadmFormatterFwmarkTests
{
    private static IPAddress A(string s) => IPAddress.Parse(s);

    private static LvsRealServer Rs(LvsService svc, string addr, ushort port, LvsForwarding fwd = LvsForwarding.Route, int weight = 1,
        int active = 0, int inactive = 0)
        => new()
        {
            Protocol = svc.Protocol, VirtualAddress = svc.VirtualAddress, Port = svc.Port, FirewallMark = svc.FirewallMark,
            RealAddress = A(addr), RealPort = port, Forwarding = fwd, Weight = weight,
            ActiveConnections = active, InactiveConnections = inactive,
        };

    private static LvsService Fwm(uint mark, LvsScheduler sched, string family = "0.0.0.0")
        => new() { FirewallMark = mark, Protocol = LvsProtocol.Tcp, VirtualAddress = A(family), Port = 0, Scheduler = sched };

    /// <summary>TCP 192.168.1.100:80, FWM 1 (sh with flags), FWM 2 (persistent, two real servers); given out of order.</summary>
    private static List<LvsService> Table()
    {
        var web = new LvsService { Protocol = LvsProtocol.Tcp, VirtualAddress = A("192.168.1.100"), Port = 80, Scheduler = LvsScheduler.Wlc };
        web.RealServers.Add(Rs(web, "192.168.1.11", 80, active: 12, inactive: 340));

        var fwm1 = Fwm(1, LvsScheduler.Sh);
        fwm1.SchedulerFlags = LvsSchedulerFlags.Fallback | LvsSchedulerFlags.Port;
        var rs13 = Rs(fwm1, "192.168.1.13", 0);
        rs13.Statistics = new LvsStatistics
        {
            Connections = 7, InPackets = 70, InBytes = 7000,
            ConnectionsPerSecond = 3, InPacketsPerSecond = 30, InBytesPerSecond = 240000,
        };
        fwm1.RealServers.Add(rs13);
        fwm1.Statistics = new LvsStatistics
        {
            Connections = 7, InPackets = 70, InBytes = 7000,
            ConnectionsPerSecond = 3, InPacketsPerSecond = 30, InBytesPerSecond = 240000,
        };

        var fwm2 = Fwm(2, LvsScheduler.Rr);
        fwm2.PersistentTimeout = 360;
        fwm2.PersistenceNetmask = A("255.255.255.0");
        // kernel order: newest first; the listing sorts them by address
        var rs14 = Rs(fwm2, "192.168.1.14", 80, LvsForwarding.Masq, 3, 0, 1);
        rs14.UpperThreshold = 100;
        rs14.LowerThreshold = 50;
        rs14.Statistics = new LvsStatistics { Connections = 1, InPackets = 2, OutPackets = 3, InBytes = 4_500_000_000, OutBytes = 5 };
        fwm2.RealServers.Add(rs14);
        var rs12 = Rs(fwm2, "192.168.1.12", 0, active: 2, inactive: 5);
        rs12.PersistentConnections = 4;
        fwm2.RealServers.Add(rs12);
        fwm2.Statistics = new LvsStatistics { Connections = 1, InPackets = 2, OutPackets = 3, InBytes = 4_500_000_000, OutBytes = 5 };

        return new List<LvsService> { fwm2, fwm1, web };
    }

    [Fact]
    public void List()
    {
        Assert.Equal(
            IpvsadmSamples.ListHeader +
            "TCP  192.168.1.100:80 wlc\n" +
            "  -> 192.168.1.11:80              Route   1      12         340       \n" +
            "FWM  1 sh (sh-fallback,sh-port)\n" +
            "  -> 192.168.1.13:0               Route   1      0          0         \n" +
            "FWM  2 rr persistent 360 mask 255.255.255.0\n" +
            "  -> 192.168.1.12:0               Route   1      2          5         \n" +
            "  -> 192.168.1.14:80              Masq    3      0          1         \n",
            IpvsadmFormatter.FormatList(Table()));
    }

    [Fact]
    public void ListWithoutNumericKeepsTheFwmarkName()
    {
        string text = IpvsadmFormatter.FormatList(Table(), numeric: false, hostName: a => "host-" + a, portName: (p, _) => p == 80 ? "http" : null);
        Assert.Contains("\nFWM  1 sh (sh-fallback,sh-port)\n  -> host-192.168.1.13:0          Route   1      0          0         \n", text);
        Assert.Contains("\nFWM  2 rr persistent 360 mask 255.255.255.0\n", text);
        Assert.Contains("\n  -> host-192.168.1.14:http       Masq    3      0          1         \n", text);
    }

    [Fact]
    public void Stats()
    {
        Assert.Equal(
            IpvsadmSamples.StatsHeader +
            "TCP  192.168.1.100:80                    0        0        0        0        0\n" +
            "  -> 192.168.1.11:80                     0        0        0        0        0\n" +
            "FWM  1                                   7       70        0     7000        0\n" +
            "  -> 192.168.1.13:0                      7       70        0     7000        0\n" +
            "FWM  2                                   1        2        3    4500M        5\n" +
            "  -> 192.168.1.12:0                      0        0        0        0        0\n" +
            "  -> 192.168.1.14:80                     1        2        3    4500M        5\n",
            IpvsadmFormatter.FormatStats(Table()));
    }

    [Fact]
    public void Rate()
    {
        Assert.Equal(
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n" +
            "  -> RemoteAddress:Port\n" +
            "TCP  192.168.1.100:80                    0        0        0        0        0\n" +
            "  -> 192.168.1.11:80                     0        0        0        0        0\n" +
            "FWM  1                                   3       30        0   240000        0\n" +
            "  -> 192.168.1.13:0                      3       30        0   240000        0\n" +
            "FWM  2                                   0        0        0        0        0\n" +
            "  -> 192.168.1.12:0                      0        0        0        0        0\n" +
            "  -> 192.168.1.14:80                     0        0        0        0        0\n",
            IpvsadmFormatter.FormatRate(Table()));
    }

    [Fact]
    public void Thresholds()
    {
        Assert.Equal(
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn \n" +
            "  -> RemoteAddress:Port\n" +
            "TCP  192.168.1.100:80 wlc\n" +
            "  -> 192.168.1.11:80              0          0          12         340       \n" +
            "FWM  1 sh (sh-fallback,sh-port)\n" +
            "  -> 192.168.1.13:0               0          0          0          0         \n" +
            "FWM  2 rr persistent 360 mask 255.255.255.0\n" +
            "  -> 192.168.1.12:0               0          0          2          5         \n" +
            "  -> 192.168.1.14:80              100        50         0          1         \n",
            IpvsadmFormatter.FormatThresholds(Table()));
    }

    [Fact]
    public void PersistentConn()
    {
        Assert.Equal(
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn \n" +
            "  -> RemoteAddress:Port\n" +
            "TCP  192.168.1.100:80 wlc\n" +
            "  -> 192.168.1.11:80              1         0           12         340       \n" +
            "FWM  1 sh (sh-fallback,sh-port)\n" +
            "  -> 192.168.1.13:0               1         0           0          0         \n" +
            "FWM  2 rr persistent 360 mask 255.255.255.0\n" +
            "  -> 192.168.1.12:0               1         4           2          5         \n" +
            "  -> 192.168.1.14:80              3         0           0          1         \n",
            IpvsadmFormatter.FormatPersistentConn(Table()));
    }

    [Fact]
    public void Save()
    {
        Assert.Equal(
            "-A -t 192.168.1.100:80 -s wlc\n" +
            "-a -t 192.168.1.100:80 -r 192.168.1.11:80 -g -w 1\n" +
            "-A -f 1 -s sh -b sh-fallback,sh-port\n" +
            "-a -f 1 -r 192.168.1.13:0 -g -w 1\n" +
            "-A -f 2 -s rr -p 360 -M 255.255.255.0\n" +
            "-a -f 2 -r 192.168.1.12:0 -g -w 1\n" +
            "-a -f 2 -r 192.168.1.14:80 -m -w 3\n",
            IpvsadmFormatter.FormatSave(Table()));
        // With the thresholds (LvsPS's opt-in; ipvsadm -S leaves them out).
        Assert.EndsWith(
            "-a -f 2 -r 192.168.1.14:80 -m -w 3 -x 100 -y 50\n",
            IpvsadmFormatter.FormatSave(Table(), includeThresholds: true));
    }

    [Fact]
    public void MarksAboveIntMaxPrintAsCDoesAndSortFirst()
    {
        // ipvsadm prints the u32 mark with "%d", and ipvs_cmp_services' "s1->fwmark - s2->fwmark" wraps into an int.
        var big = Fwm(4294967295, LvsScheduler.Rr);
        big.RealServers.Add(Rs(big, "10.0.0.3", 0));
        var big2 = Fwm(3000000000, LvsScheduler.Wrr);
        var one = Fwm(1, LvsScheduler.Lc);
        var tcp = new LvsService { Protocol = LvsProtocol.Tcp, VirtualAddress = A("10.0.0.1"), Port = 80, Scheduler = LvsScheduler.Rr };
        var list = new List<LvsService> { one, tcp, big, big2 };

        Assert.Equal(new[] { "FWM 3000000000", "FWM 4294967295", "TCP 10.0.0.1:80", "FWM 1" },
            IpvsadmFormatter.SortServices(list).Select(s => s.Name));
        Assert.Equal(
            IpvsadmSamples.ListHeader +
            "FWM  -1294967296 wrr\n" +
            "FWM  -1 rr\n" +
            "  -> 10.0.0.3:0                   Route   1      0          0         \n" +
            "TCP  10.0.0.1:80 rr\n" +
            "FWM  1 lc\n",
            IpvsadmFormatter.FormatList(list));
        // -S writes the mark signed too, as ipvsadm 1.31 -S did on kernel 6.1 ("-A -f -1 -s wlc" for 4294967295)
        Assert.Equal(
            "-A -f -1294967296 -s wrr\n" +
            "-A -f -1 -s rr\n" +
            "-a -f -1 -r 10.0.0.3:0 -g -w 1\n" +
            "-A -t 10.0.0.1:80 -s rr\n" +
            "-A -f 1 -s lc\n",
            IpvsadmFormatter.FormatSave(list));
    }

    [Fact]
    public void Ipv6FwmarkService()
    {
        var v4 = Fwm(3, LvsScheduler.Rr);
        v4.RealServers.Add(Rs(v4, "10.0.0.3", 0));
        var v6 = Fwm(3, LvsScheduler.Rr, "::");
        v6.PersistentTimeout = 60;
        v6.PersistenceNetmask = A("ffff:ffff:ffff:ffff::");
        v6.RealServers.Add(Rs(v6, "2001:db8::3", 0));
        var list = new List<LvsService> { v6, v4 };
        Assert.Equal(
            IpvsadmSamples.ListHeader +
            "FWM  3 rr\n" +
            "  -> 10.0.0.3:0                   Route   1      0          0         \n" +
            "FWM  3 IPv6 rr persistent 60 mask 64\n" +
            "  -> [2001:db8::3]:0              Route   1      0          0         \n",
            IpvsadmFormatter.FormatList(list));
        Assert.Equal(
            "-A -f 3 -s rr\n" +
            "-a -f 3 -r 10.0.0.3:0 -g -w 1\n" +
            "-A -f 3 -6 -s rr -p 60 -M 64\n" +
            "-a -f 3 -6 -r [2001:db8::3]:0 -g -w 1\n",
            IpvsadmFormatter.FormatSave(list));
        Assert.Equal($"{"FWM  3 IPv6",-33}{0,9}{0,9}{0,9}{0,9}{0,9}", IpvsadmFormatter.FormatStats(list).Split('\n')[5]);
    }

    [Fact]
    public void ConnectionsShowFwmarkTemplatesAsProtocolIp()
    {
        var conns = new[]
        {
            // a persistence template of FWM 1: client port 0, state NONE
            new LvsConnection
            {
                Protocol = LvsProtocol.Tcp, ClientAddress = A("10.1.2.0"), ClientPort = 0, FirewallMark = 1,
                VirtualAddress = IPAddress.Any, Port = 0, RealAddress = A("192.168.1.13"), RealPort = 0,
                State = LvsConnectionState.None, ExpiresInSeconds = 355,
            },
            // a connection of the same service: printed as any other
            new LvsConnection
            {
                Protocol = LvsProtocol.Tcp, ClientAddress = A("10.1.2.3"), ClientPort = 51514, FirewallMark = 1,
                VirtualAddress = A("192.168.1.100"), Port = 80, RealAddress = A("192.168.1.13"), RealPort = 80,
                State = LvsConnectionState.Established, ExpiresInSeconds = 897,
            },
            new LvsConnection
            {
                Protocol = LvsProtocol.Udp, ClientAddress = A("10.1.2.0"), FirewallMark = 4294967295,
                RealAddress = A("192.168.1.13"), State = LvsConnectionState.None, ExpiresInSeconds = 10,
            },
        };
        Assert.Equal(
            "IPVS connection entries\n" +
            "pro expire state       source             virtual            destination\n" +
            "IP  05:55  NONE        10.1.2.0:0         0.0.0.1:0          192.168.1.13:0\n" +
            "TCP 14:57  ESTABLISHED 10.1.2.3:51514     192.168.1.100:80   192.168.1.13:80\n" +
            "IP  00:10  NONE        10.1.2.0:0         255.255.255.255:0  192.168.1.13:0\n",
            IpvsadmFormatter.FormatConnections(conns));
        Assert.True(IpvsadmFormatter.IsFirewallMarkTemplate(conns[0]));
        Assert.False(IpvsadmFormatter.IsFirewallMarkTemplate(conns[1]));
        Assert.Equal(A("0.0.0.7"), IpvsadmFormatter.FirewallMarkAddress(7));
        Assert.Equal(A("0:7::"), IpvsadmFormatter.FirewallMarkAddress(7, System.Net.Sockets.AddressFamily.InterNetworkV6));
    }
}
