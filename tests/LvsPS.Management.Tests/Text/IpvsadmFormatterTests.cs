using LvsPS.Ipvs.Connections;

namespace LvsPS.Management.Tests;

public class IpvsadmFormatterTests
{
    private static LvsService Svc(string vip, ushort port, LvsScheduler sched, params LvsRealServer[] kernelOrder)
        => new()
        {
            Protocol = LvsProtocol.Tcp,
            VirtualAddress = IPAddress.Parse(vip),
            Port = port,
            Scheduler = sched,
            RealServers = kernelOrder.ToList(),
        };

    /// <summary>The walkthrough's cluster: telnet and www on 192.168.0.101, rs1 = .3, rs2 = .4, in kernel order (rs2 newest).</summary>
    private static List<LvsService> Walkthrough() => new()
    {
        // given www first and the real servers newest-first, to check the sorting
        Svc("192.168.0.101", 80, LvsScheduler.Rr, Rs("192.168.0.4", 80, inactive: 5), Rs("192.168.0.3", 80, inactive: 4)),
        Svc("192.168.0.101", 23, LvsScheduler.Rr, Rs("192.168.0.4", 23, active: 1), Rs("192.168.0.3", 23, active: 1)),
    };

    /// <summary>Asserts the lines of a listing that follow its three title lines, one by one, as far as given.</summary>
    private static void AssertLinesAfterTheTitle(string listing, params string[] expected)
    {
        var lines = listing.Split('\n');
        for (var i = 0; i < expected.Length; i++)
            Assert.Equal(expected[i], lines[3 + i]);
    }

    [Fact]
    public void ListIsByteExact()
    {
        const string expected =
            IpvsadmSamples.ListHeader +
            "TCP  192.168.0.101:23 rr\n" +
            "  -> 192.168.0.3:23               Route   1      1          0         \n" +
            "  -> 192.168.0.4:23               Route   1      1          0         \n" +
            "TCP  192.168.0.101:80 rr\n" +
            "  -> 192.168.0.3:80               Route   1      0          4         \n" +
            "  -> 192.168.0.4:80               Route   1      0          5         \n";
        Assert.Equal(expected, IpvsadmFormatter.FormatList(Walkthrough()));
    }

    [Fact]
    public void EmptyTableStillPrintsTheTitle()
    {
        Assert.Equal(
            "IP Virtual Server version 1.2.6 (size=1048576)\n" +
            "Prot LocalAddress:Port Scheduler Flags\n" +
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n",
            IpvsadmFormatter.FormatList(Array.Empty<LvsService>(), 1048576, "1.2.6"));
    }

    [Fact]
    public void NonNumericListingUsesTheResolversAndFallsBackToNumbers()
    {
        string? Host(IPAddress a) => a.ToString() switch { "192.168.0.3" => "rs1", "192.168.0.4" => "rs2", _ => null };
        string? Port(ushort p, LvsProtocol proto) => p switch { 23 => "telnet", 80 => "www", _ => null };

        var text = IpvsadmFormatter.FormatList(Walkthrough(), numeric: false, hostName: Host, portName: Port);
        AssertLinesAfterTheTitle(text,
            "TCP  192.168.0.101:telnet rr",
            "  -> rs1:telnet                   Route   1      1          0         ",
            "  -> rs2:telnet                   Route   1      1          0         ",
            "TCP  192.168.0.101:www rr",
            "  -> rs1:www                      Route   1      0          4         ");
    }

    [Fact]
    public void LongIpv4NamesAreCutAt33And28Characters()
    {
        var svc = Svc("10.0.0.1", 80, LvsScheduler.Wlc,
            Rs("10.0.0.2", 80, weight: 65535, inactive: -1, fwd: LvsForwarding.Masq));
        var text = IpvsadmFormatter.FormatList(new[] { svc }, numeric: false,
            hostName: a => a.ToString() == "10.0.0.1" ? "averyveryverylonghostname.example.com" : "realserver-number-one.example.com",
            portName: (p, _) => "http");
        // a negative counter prints as %u does
        AssertLinesAfterTheTitle(text,
            "TCP  averyveryverylonghostname.ex wlc",
            "  -> realserver-number-one.exampl Masq    65535  0          4294967295");
    }

    [Fact]
    public void ForwardNamesAndUdp()
    {
        var udp = new LvsService
        {
            Protocol = LvsProtocol.Udp,
            VirtualAddress = IPAddress.Parse("10.0.0.1"),
            Port = 53,
            Scheduler = LvsScheduler.Sed,
            RealServers =
            {
                Rs("10.0.0.4", 53, fwd: LvsForwarding.Local),
                Rs("10.0.0.3", 53, fwd: LvsForwarding.Tunnel),
                Rs("10.0.0.2", 53, weight: 0, fwd: LvsForwarding.Masq),
            },
        };
        AssertLinesAfterTheTitle(IpvsadmFormatter.FormatList(new[] { udp }),
            "UDP  10.0.0.1:53 sed",
            "  -> 10.0.0.2:53                  Masq    0      0          0         ",
            "  -> 10.0.0.3:53                  Tunnel  1      0          0         ",
            "  -> 10.0.0.4:53                  Local   1      0          0         ");
    }

    [Fact]
    public void SortsLikeIpvsadmIncludingTheAddressWrapAround()
    {
        var services = new[]
        {
            Svc("10.0.0.1", 80, LvsScheduler.Rr),
            new LvsService { Protocol = LvsProtocol.Udp, VirtualAddress = IPAddress.Parse("1.1.1.1"), Port = 53, Scheduler = LvsScheduler.Rr },
            Svc("192.168.0.10", 80, LvsScheduler.Rr),
            Svc("192.168.0.9", 8080, LvsScheduler.Rr),
            Svc("192.168.0.9", 443, LvsScheduler.Rr),
            Svc("2001:db8::1", 80, LvsScheduler.Rr),
        };
        var svcLines = IpvsadmFormatter.FormatList(services).Split('\n').Skip(3).Where(l => l.Length > 0).ToList();
        Assert.Equal(new[]
        {
            // ipvsadm computes ntohl(a) - ntohl(b) into an int: 192.x - 10.x wraps negative, so 192.x comes first
            "TCP  192.168.0.9:443 rr",
            "TCP  192.168.0.9:8080 rr",
            "TCP  192.168.0.10:80 rr",
            "TCP  10.0.0.1:80 rr",
            "UDP  1.1.1.1:53 rr",
            "TCP  [2001:db8::1]:80 rr",
        }, svcLines);
    }

    [Fact]
    public void SortsRealServersByAddressThenPort()
    {
        var svc = Svc("10.0.0.1", 80, LvsScheduler.Rr,
            Rs("10.0.0.20", 80), Rs("10.0.0.3", 8080), Rs("10.0.0.3", 80));
        var lines = IpvsadmFormatter.FormatList(new[] { svc }).Split('\n');
        Assert.StartsWith("  -> 10.0.0.3:80 ", lines[4]);
        Assert.StartsWith("  -> 10.0.0.3:8080 ", lines[5]);
        Assert.StartsWith("  -> 10.0.0.20:80 ", lines[6]);
    }

    [Fact]
    public void StatsAreByteExactWithLargeNumbers()
    {
        var svc = Svc("192.168.1.100", 80, LvsScheduler.Wlc, Rs("192.168.1.11", 80));
        svc.Statistics = new LvsStatistics { Connections = 39835, InPackets = 1_030_123_456, InBytes = 150_123_456_789 };
        svc.RealServers[0].Statistics = new LvsStatistics { Connections = 774, InPackets = 461738, InBytes = 27704280 };
        const string expected =
            IpvsadmSamples.StatsHeader +
            "TCP  192.168.1.100:80                39835    1030M        0     150G        0\n" +
            "  -> 192.168.1.11:80                   774   461738        0 27704280        0\n";
        Assert.Equal(expected, IpvsadmFormatter.FormatStats(new[] { svc }));
    }

    [Theory]
    [InlineData(0UL, "        0")]
    [InlineData(99_999_999UL, " 99999999")]
    [InlineData(100_000_000UL, "  100000K")]
    [InlineData(999_999_999UL, "  999999K")]
    [InlineData(1_000_000_000UL, "    1000M")]
    [InlineData(99_999_999_999UL, "   99999M")]
    [InlineData(100_000_000_000UL, "     100G")]
    [InlineData(99_999_999_999_999UL, "   99999G")]
    [InlineData(100_000_000_000_000UL, "     100T")]
    [InlineData(18_446_744_073_709_551_615UL, "18446744T")]
    public void LargeNumberThresholds(ulong value, string expected)
        => Assert.Equal(expected, IpvsadmFormatter.LargeNumber(value));

    [Theory]
    [InlineData(123UL, "      123")]
    [InlineData(12_345_678UL, " 12345678")]
    [InlineData(123_456_789UL, " 123456789")]
    [InlineData(150_123_456_789UL, " 150123456789")]
    public void ExactNumbers(ulong value, string expected)
        => Assert.Equal(expected, IpvsadmFormatter.LargeNumber(value, exact: true));

    [Fact]
    public void ConnectionListingIsByteExact()
    {
        LvsConnection C(LvsProtocol p, int expires, LvsConnectionState st, string c, ushort cp, string v, ushort vp, string d, ushort dp)
            => new()
            {
                Protocol = p, ExpiresInSeconds = expires, State = st,
                ClientAddress = IPAddress.Parse(c), ClientPort = cp,
                VirtualAddress = IPAddress.Parse(v), Port = vp,
                RealAddress = IPAddress.Parse(d), RealPort = dp,
            };
        var conns = new[]
        {
            C(LvsProtocol.Tcp, 897, LvsConnectionState.Established, "10.1.2.3", 51514, "192.168.1.100", 80, "192.168.1.11", 80),
            C(LvsProtocol.Tcp, 37, LvsConnectionState.SynRecv, "10.1.2.4", 40000, "192.168.1.100", 80, "192.168.1.12", 80),
            C(LvsProtocol.Tcp, 355, LvsConnectionState.None, "10.1.2.0", 0, "192.168.1.100", 443, "192.168.1.11", 443),
            C(LvsProtocol.Udp, 298, LvsConnectionState.None, "10.1.2.5", 53001, "192.168.1.100", 53, "192.168.1.13", 53),
            C(LvsProtocol.Tcp, 7260, LvsConnectionState.FinWait, "10.1.2.6", 1025, "192.168.1.100", 80, "192.168.1.11", 80),
        };
        const string expected =
            IpvsadmSamples.ConnectionEntries +
            "TCP 121:00 FIN_WAIT    10.1.2.6:1025      192.168.1.100:80   192.168.1.11:80\n";
        Assert.Equal(expected, IpvsadmFormatter.FormatConnections(conns));
    }

    [Fact]
    public void SaveIsByteExact()
    {
        var services = Walkthrough();
        services[0].RealServers[0].Weight = 0;
        services.Add(new LvsService
        {
            Protocol = LvsProtocol.Udp,
            VirtualAddress = IPAddress.Parse("192.168.0.101"),
            Port = 53,
            Scheduler = LvsScheduler.Wlc,
            RealServers = { Rs("192.168.0.5", 5353, fwd: LvsForwarding.Masq), Rs("192.168.0.6", 53, fwd: LvsForwarding.Tunnel), Rs("192.168.0.7", 53, fwd: LvsForwarding.Local) },
        });
        const string expected =
            "-A -t 192.168.0.101:23 -s rr\n" +
            "-a -t 192.168.0.101:23 -r 192.168.0.3:23 -g -w 1\n" +
            "-a -t 192.168.0.101:23 -r 192.168.0.4:23 -g -w 1\n" +
            "-A -t 192.168.0.101:80 -s rr\n" +
            "-a -t 192.168.0.101:80 -r 192.168.0.3:80 -g -w 1\n" +
            "-a -t 192.168.0.101:80 -r 192.168.0.4:80 -g -w 0\n" +
            "-A -u 192.168.0.101:53 -s wlc\n" +
            "-a -u 192.168.0.101:53 -r 192.168.0.5:5353 -m -w 1\n" +
            "-a -u 192.168.0.101:53 -r 192.168.0.6:53 -i -w 1 --tun-type ipip\n" +
            "-a -u 192.168.0.101:53 -r 192.168.0.7:53 -g -w 1\n";
        Assert.Equal(expected, IpvsadmFormatter.FormatSave(services));
    }

    [Fact]
    public void TimeoutLine()
    {
        var t = new LvsTimeouts();
        Assert.Equal("Timeout (tcp tcpfin udp): 900 120 300\n", IpvsadmFormatter.FormatTimeout(t));
        t.Set(3600, 0, 60);
        Assert.Equal("Timeout (tcp tcpfin udp): 3600 120 60\n", IpvsadmFormatter.FormatTimeout(t));
    }

    [Theory]
    [InlineData(LvsConnectionState.None, "NONE")]
    [InlineData(LvsConnectionState.Established, "ESTABLISHED")]
    [InlineData(LvsConnectionState.SynSent, "SYN_SENT")]
    [InlineData(LvsConnectionState.SynRecv, "SYN_RECV")]
    [InlineData(LvsConnectionState.FinWait, "FIN_WAIT")]
    [InlineData(LvsConnectionState.TimeWait, "TIME_WAIT")]
    [InlineData(LvsConnectionState.Close, "CLOSE")]
    [InlineData(LvsConnectionState.CloseWait, "CLOSE_WAIT")]
    [InlineData(LvsConnectionState.LastAck, "LAST_ACK")]
    [InlineData(LvsConnectionState.Listen, "LISTEN")]
    [InlineData(LvsConnectionState.SynAck, "SYNACK")]
    [InlineData(LvsConnectionState.Udp, "UDP")]
    public void StateNames(LvsConnectionState state, string name)
        => Assert.Equal(name, IpvsadmFormatter.StateName(state));
}
