namespace LvsPS.Management.Tests;

public sealed class LvsDrConfParserTests : IDisposable
{
    /// <summary>The lvs_dr.conf of the original walkthrough, verbatim.</summary>
    private const string WalkthroughConf =
        "#lvs_dr.conf (C) Joseph Mack mack@ncifcrf.gov\n" +
        "LVS_TYPE=VS_DR\n" +
        "INITIAL_STATE=on\n" +
        "VIP=eth0:101 192.168.0.101 255.255.255.0 192.168.0.0\n" +
        "DIRECTOR_INSIDEIP=eth0 192.168.0.1 192.168.0.0 255.255.255.0 192.168.0.255\n" +
        "SERVICE=t telnet rr rs1:telnet rs2:telnet\n" +
        "SERVICE=t www rr rs1:www rs2:www\n" +
        "SERVER_VIP_DEVICE=dummy0\n" +
        "SERVER_NET_DEVICE=eth0\n" +
        "#----------end lvs_dr.conf------------------------------------\n";

    private const string Services =
        "# test services\n" +
        "ftp\t\t21/tcp\n" +
        "telnet\t\t23/tcp\n" +
        "domain\t\t53/tcp\n" +
        "domain\t\t53/udp\n" +
        "http\t\t80/tcp\t\twww www-http\t# WorldWideWeb HTTP\n" +
        "https\t\t443/tcp\n";

    private readonly string _dir;
    private readonly string _servicesPath;

    public LvsDrConfParserTests()
    {
        _dir = Path.Combine(Path.GetTempPath(), "lvsps-conf-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        _servicesPath = Path.Combine(_dir, "services");
        File.WriteAllText(_servicesPath, Services);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private static IPAddress? Lab(string name) => name switch
    {
        "rs1" => IPAddress.Parse("192.168.0.3"),
        "rs2" => IPAddress.Parse("192.168.0.4"),
        "lvs" => IPAddress.Parse("192.168.0.101"),
        "director" => IPAddress.Parse("192.168.0.1"),
        _ => null,
    };

    private LvsDrConfiguration Parse(string text) => LvsDrConfParser.Parse(text, "lvs_dr.conf", Lab, _servicesPath);

    private LvsException Fails(string text) => Assert.Throws<LvsException>(() => Parse(text));

    private static string Replace(string line, string with) => WalkthroughConf.Replace(line, with);

    [Fact]
    public void ParsesTheWalkthroughFile()
    {
        var c = Parse(WalkthroughConf);

        Assert.Equal("lvs_dr.conf", c.SourceFile);
        Assert.Equal(LvsForwarding.Route, c.LvsType);
        Assert.True(c.InitialState);
        Assert.Equal("eth0:101", c.VipDevice);
        Assert.Equal(IPAddress.Parse("192.168.0.101"), c.VirtualAddress);
        Assert.Equal(IPAddress.Parse("255.255.255.0"), c.VipNetmask);
        Assert.Equal(IPAddress.Parse("192.168.0.0"), c.VipBroadcast);
        Assert.Equal("eth0", c.DirectorDevice);
        Assert.Equal(IPAddress.Parse("192.168.0.1"), c.DirectorAddress);
        Assert.Equal(IPAddress.Parse("192.168.0.0"), c.DirectorNetwork);
        Assert.Equal(IPAddress.Parse("255.255.255.0"), c.DirectorNetmask);
        Assert.Equal(IPAddress.Parse("192.168.0.255"), c.DirectorBroadcast);
        Assert.Equal("dummy0", c.ServerVipDevice);
        Assert.Equal("eth0", c.ServerNetDevice);
        Assert.Null(c.DirectorDefaultGateway);
        Assert.Empty(c.Warnings);

        Assert.Equal(2, c.Services.Count);
        var telnet = c.Services[0];
        Assert.Equal(LvsProtocol.Tcp, telnet.Protocol);
        Assert.Equal(IPAddress.Parse("192.168.0.101"), telnet.VirtualAddress);
        Assert.Equal(23, telnet.Port);
        Assert.Equal("telnet", telnet.PortName);
        Assert.Equal(LvsScheduler.Rr, telnet.Scheduler);
        Assert.Equal("lvs_dr.conf", telnet.SourceFile);
        Assert.Equal(6, telnet.Line);
        Assert.Equal(2, telnet.RealServers.Count);
        Assert.Equal(IPAddress.Parse("192.168.0.3"), telnet.RealServers[0].RealAddress);
        Assert.Equal(23, telnet.RealServers[0].RealPort);
        Assert.Equal(1, telnet.RealServers[0].Weight);
        Assert.Equal(LvsForwarding.Route, telnet.RealServers[0].Forwarding);
        Assert.Equal("rs1", telnet.RealServers[0].HostName);
        Assert.Equal(IPAddress.Parse("192.168.0.4"), telnet.RealServers[1].RealAddress);
        Assert.Equal("rs2", telnet.RealServers[1].HostName);

        var www = c.Services[1];
        Assert.Equal(80, www.Port); // www is an alias of http
        Assert.Equal("www", www.PortName);
        Assert.Equal(7, www.Line);
        Assert.All(www.RealServers, r => Assert.Equal(80, r.RealPort));
    }

    [Fact]
    public void TheWalkthroughClusterListsAsIpvsadmWould()
    {
        var services = Parse(WalkthroughConf).ToLvsServices("vs1");
        Assert.Equal(IPAddress.Parse("192.168.0.4"), services[0].RealServers[0].RealAddress); // kernel order: rs2 added last
        Assert.Equal(
            IpvsadmSamples.ListHeader +
            "TCP  192.168.0.101:23 rr\n" +
            "  -> 192.168.0.3:23               Route   1      0          0         \n" +
            "  -> 192.168.0.4:23               Route   1      0          0         \n" +
            "TCP  192.168.0.101:80 rr\n" +
            "  -> 192.168.0.3:80               Route   1      0          0         \n" +
            "  -> 192.168.0.4:80               Route   1      0          0         \n",
            IpvsadmFormatter.FormatList(services));
        Assert.Equal(
            "-A -t 192.168.0.101:23 -s rr\n" +
            "-a -t 192.168.0.101:23 -r 192.168.0.3:23 -g -w 1\n" +
            "-a -t 192.168.0.101:23 -r 192.168.0.4:23 -g -w 1\n" +
            "-A -t 192.168.0.101:80 -s rr\n" +
            "-a -t 192.168.0.101:80 -r 192.168.0.3:80 -g -w 1\n" +
            "-a -t 192.168.0.101:80 -r 192.168.0.4:80 -g -w 1\n",
            IpvsadmFormatter.FormatSave(services));
    }

    [Fact]
    public void ParseFileUsesThePathInResultsAndMessages()
    {
        var path = Path.Combine(_dir, "lvs_dr.conf");
        File.WriteAllText(path, WalkthroughConf);
        var c = LvsDrConfParser.ParseFile(path, Lab, _servicesPath);
        Assert.Equal(path, c.SourceFile);
        Assert.Equal(path, c.Services[1].SourceFile);

        File.WriteAllText(path, Replace("SERVICE=t www rr", "SERVICE=t www rrr"));
        var ex = Assert.Throws<LvsException>(() => LvsDrConfParser.ParseFile(path, Lab, _servicesPath));
        Assert.StartsWith(path + ":7: unknown scheduler 'rrr'", ex.Message);
    }

    [Fact]
    public void MissingFileIsConfigFileNotFound()
    {
        var path = Path.Combine(_dir, "nope.conf");
        var ex = Assert.Throws<LvsException>(() => LvsDrConfParser.ParseFile(path, Lab, _servicesPath));
        Assert.Equal(LvsErrorIds.ConfigFileNotFound, ex.ErrorId);
        Assert.Equal(LvsErrorKind.ObjectNotFound, ex.Kind);
        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public void HostNamesNeedAResolverButAddressesDoNot()
    {
        var ex = Assert.Throws<LvsException>(() => LvsDrConfParser.Parse(WalkthroughConf, "lvs_dr.conf", null, _servicesPath));
        Assert.Equal(LvsErrorIds.HostNameNotResolved, ex.ErrorId);
        Assert.StartsWith("lvs_dr.conf:6: cannot resolve host name 'rs1'", ex.Message);

        var c = LvsDrConfParser.Parse(
            WalkthroughConf.Replace("rs1:", "192.168.0.3:").Replace("rs2:", "192.168.0.4:"),
            "lvs_dr.conf", null, _servicesPath);
        Assert.Equal(IPAddress.Parse("192.168.0.4"), c.Services[1].RealServers[1].RealAddress);
        Assert.Null(c.Services[1].RealServers[1].HostName);
    }

    [Fact]
    public void ResolverExceptionsBecomeHostNameNotResolved()
    {
        var ex = Assert.Throws<LvsException>(() => LvsDrConfParser.Parse(WalkthroughConf, "lvs_dr.conf",
            _ => throw new InvalidOperationException("resolver down"), _servicesPath));
        Assert.Equal(LvsErrorIds.HostNameNotResolved, ex.ErrorId);
        Assert.Contains("resolver down", ex.Message);
        Assert.IsType<InvalidOperationException>(ex.InnerException);
    }

    [Fact]
    public void MissingServicesFileOnlyMattersForNames()
    {
        string missing = Path.Combine(_dir, "no-services");
        var ex = Assert.Throws<LvsException>(() => LvsDrConfParser.Parse(WalkthroughConf, "lvs_dr.conf", Lab, missing));
        Assert.Equal(LvsErrorIds.ServiceNameNotResolved, ex.ErrorId);
        Assert.StartsWith("lvs_dr.conf:6: cannot resolve service name 'telnet'", ex.Message);
        Assert.Contains(missing, ex.Message);

        var numeric = WalkthroughConf.Replace("telnet", "23").Replace("www", "80");
        var c = LvsDrConfParser.Parse(numeric, "lvs_dr.conf", Lab, missing);
        Assert.Equal(new ushort[] { 23, 80 }, c.Services.Select(s => s.Port));
        Assert.Equal("23", c.Services[0].PortName);
    }

    [Fact]
    public void WeightsPortsAndDefaults()
    {
        var c = Parse(
            "LVS_TYPE=VS_NAT    # NAT this time\n" +
            "VIP=eth0:110 lvs 255.255.255.255 lvs\n" +
            "SERVICE=t http wlc rs1:8080,3 rs2,0 192.168.0.5\n" +
            "SERVICE=u 53 sed rs1 rs2:domain\n" +
            "DIRECTOR_DEFAULT_GW=client\n" +
            "SERVER_DEFAULT_GW=director\n");
        Assert.Equal(LvsForwarding.Masq, c.LvsType);
        Assert.True(c.InitialState); // default
        Assert.Equal(IPAddress.Parse("192.168.0.101"), c.VirtualAddress);
        Assert.Equal(IPAddress.Broadcast, c.VipNetmask);
        Assert.Equal("client", c.DirectorDefaultGateway);
        Assert.Equal("director", c.ServerDefaultGateway);
        Assert.Null(c.DirectorAddress);

        var http = c.Services[0];
        Assert.Equal(LvsScheduler.Wlc, http.Scheduler);
        Assert.Equal((ushort)8080, http.RealServers[0].RealPort);
        Assert.Equal(3, http.RealServers[0].Weight);
        Assert.Equal((ushort)80, http.RealServers[1].RealPort); // port defaults to the service port
        Assert.Equal(0, http.RealServers[1].Weight);
        Assert.Equal(1, http.RealServers[2].Weight);
        Assert.All(http.RealServers, r => Assert.Equal(LvsForwarding.Masq, r.Forwarding));

        var dns = c.Services[1];
        Assert.Equal(LvsProtocol.Udp, dns.Protocol);
        Assert.Equal(53, dns.Port);
        Assert.Equal((ushort)53, dns.RealServers[1].RealPort);
    }

    [Fact]
    public void TunnelTypeAndInitialStateOff()
    {
        var c = Parse("LVS_TYPE=VS_TUN\nINITIAL_STATE=off\nVIP=eth0:1 10.1.1.1 255.255.255.255 10.1.1.1\nSERVICE=t 80 rr 10.1.2.1\n");
        Assert.Equal(LvsForwarding.Tunnel, c.LvsType);
        Assert.False(c.InitialState);
        Assert.Equal(LvsForwarding.Tunnel, c.Services[0].RealServers[0].Forwarding);
    }

    [Fact]
    public void CrLfLinesAndBlankLinesAreFine()
    {
        var c = Parse("\r\n" + WalkthroughConf.Replace("\n", "\r\n") + "\r\n   \r\n");
        Assert.Equal(2, c.Services.Count);
        Assert.Equal(7, c.Services[0].Line);
        Assert.Equal("eth0", c.ServerNetDevice);
    }

    [Theory]
    [InlineData("LVS_TYPE=VS_DR", "LVS_TYPE=VS_FOO", 2, "unknown LVS_TYPE 'VS_FOO'")]
    [InlineData("INITIAL_STATE=on", "INITIAL_STATE=maybe", 3, "INITIAL_STATE must be on or off, not 'maybe'")]
    [InlineData("255.255.255.0 192.168.0.0", "255.0.255.0 192.168.0.0", 4, "invalid netmask '255.0.255.0'")]
    [InlineData("VIP=eth0:101 192.168.0.101", "VIP=eth0:101 192.168.0.300", 4, "invalid IPv4 address '192.168.0.300'")]
    [InlineData("VIP=eth0:101", "VIP=eth0/101", 4, "invalid device name 'eth0/101'")]
    [InlineData("VIP=eth0:101 192.168.0.101 255.255.255.0 192.168.0.0", "VIP=eth0:101", 4, "VIP needs 'device[:alias] address netmask broadcast', got 'eth0:101'")]
    [InlineData("192.168.0.0 255.255.255.0 192.168.0.255", "192.168.0.0 255.255.255.0 192.168.0.255 x", 5, "DIRECTOR_INSIDEIP needs 'device address network netmask broadcast', got 'eth0 192.168.0.1 192.168.0.0 255.255.255.0 192.168.0.255 x'")]
    [InlineData("rs2:telnet\n", "rs2:telnet,x\n", 6, "invalid weight 'x'")]
    [InlineData("rs2:telnet\n", "rs2:telnet,65536\n", 6, "invalid weight '65536'")]
    [InlineData("rs2:telnet\n", "rs2:0\n", 6, "invalid port '0'")]
    [InlineData("rs2:telnet\n", "rs2:telnet rs1:telnet\n", 6, "real server 'rs1:telnet' is listed twice")]
    [InlineData("SERVICE=t telnet", "SERVICE=x telnet", 6, "unknown protocol 'x'")]
    [InlineData("SERVICE=t telnet", "SERVICE=f telnet", 6, "fwmark services ('f') are not supported")]
    [InlineData("SERVICE=t www rr rs1:www rs2:www", "SERVICE=t www", 7, "SERVICE needs")]
    [InlineData("SERVICE=t www rr rs1:www rs2:www", "SERVICE=t telnet wrr rs1", 7, "duplicate service t telnet (port 23, first defined on line 6)")]
    [InlineData("SERVER_NET_DEVICE=eth0", "SERVER_NET_DEVICE eth0", 9, "expected KEY=value, got 'SERVER_NET_DEVICE eth0'")]
    [InlineData("SERVER_NET_DEVICE=eth0", "SERVER_NET_DEVICE=eth0 eth1", 9, "SERVER_NET_DEVICE takes one value")]
    [InlineData("SERVER_NET_DEVICE=eth0", "VIP=eth1 10.0.0.1", 9, "duplicate VIP (first set on line 4)")]
    public void BadLinesNameFileLineAndValue(string find, string replace, int line, string detail)
    {
        var text = Replace(find, replace);
        Assert.NotEqual(WalkthroughConf, text);
        var ex = Fails(text);
        Assert.Equal(LvsErrorIds.ConfigParseError, ex.ErrorId);
        Assert.Equal(LvsErrorKind.ParserError, ex.Kind);
        Assert.StartsWith($"lvs_dr.conf:{line}: {detail}", ex.Message);
    }

    [Theory]
    // the whole message: file, line, what is wrong and the line itself
    [InlineData("SERVICE=t telnet rr", "SERVICE=t telnet rx", "lvs_dr.conf:6: unknown scheduler 'rx' in SERVICE=t telnet rx rs1:telnet rs2:telnet")]
    [InlineData("rs2:www", "rs2:8080", "lvs_dr.conf:7: real server port 8080 differs from the service port 80; VS_DR cannot change ports (use VS_NAT) in SERVICE=t www rr rs1:www rs2:8080")]
    [InlineData("SERVICE=t www rr rs1:www rs2:www", "SERVICE=t 23 lc rs1", "lvs_dr.conf:7: duplicate service t 23 (port 23, first defined on line 6) in SERVICE=t 23 lc rs1")]
    public void ParseErrorsQuoteTheLine(string find, string replace, string message)
    {
        var ex = Fails(Replace(find, replace));
        Assert.Equal(LvsErrorIds.ConfigParseError, ex.ErrorId);
        Assert.Equal(LvsErrorKind.ParserError, ex.Kind);
        Assert.Equal(message, ex.Message);
    }

    [Theory]
    [InlineData("rs2:www", "rs3:www", LvsErrorIds.HostNameNotResolved, "lvs_dr.conf:7: cannot resolve host name 'rs3'")]
    [InlineData("SERVICE=t telnet rr", "SERVICE=t telnt rr", LvsErrorIds.ServiceNameNotResolved, "lvs_dr.conf:6: unknown service name 'telnt' for tcp")]
    // names are looked up per protocol: telnet is only tcp in the test file
    [InlineData("SERVICE=t telnet rr rs1:telnet rs2:telnet", "SERVICE=u telnet rr rs1 rs2", LvsErrorIds.ServiceNameNotResolved, "lvs_dr.conf:6: unknown service name 'telnet' for udp")]
    // required settings
    [InlineData("VIP=eth0:101 192.168.0.101 255.255.255.0 192.168.0.0\n", "", LvsErrorIds.ConfigParseError, "lvs_dr.conf: no VIP= line")]
    [InlineData("LVS_TYPE=VS_DR\n", "", LvsErrorIds.ConfigParseError, "lvs_dr.conf: no LVS_TYPE= line")]
    public void FailuresHaveTheirErrorIdAndSayWhere(string find, string replace, string errorId, string messageStart)
    {
        var ex = Fails(Replace(find, replace));
        Assert.Equal(errorId, ex.ErrorId);
        Assert.StartsWith(messageStart, ex.Message);
    }

    [Fact]
    public void UnknownSettingsAreWarningsNotErrors()
    {
        var c = Parse(Replace("SERVER_NET_DEVICE=eth0", "SERVER_NET_DEVICE=eth0\nCLIENT=client"));
        Assert.Equal(new[] { "lvs_dr.conf:10: unknown setting 'CLIENT' ignored" }, c.Warnings);
    }

    [Fact]
    public void UnimplementedSchedulersStillParse()
    {
        var c = Parse(Replace("SERVICE=t telnet rr", "SERVICE=t telnet mh"));
        Assert.Equal(LvsScheduler.Mh, c.Services[0].Scheduler);
    }

    [Fact]
    public void ServicesDatabaseLooksUpNamesAliasesAndPorts()
    {
        var db = ServicesDatabase.Parse(Services);
        Assert.True(db.TryGetPort("www", LvsProtocol.Tcp, out var p));
        Assert.Equal(80, p);
        Assert.True(db.TryGetPort("www-http", LvsProtocol.Tcp, out p));
        Assert.Equal(80, p);
        Assert.False(db.TryGetPort("www", LvsProtocol.Udp, out _));
        Assert.False(db.TryGetPort("HTTP", LvsProtocol.Tcp, out _)); // case-sensitive like getservbyname
        Assert.Equal("http", db.GetName(80, LvsProtocol.Tcp));
        Assert.Equal("domain", db.GetName(53, LvsProtocol.Udp));
        Assert.Null(db.GetName(8080, LvsProtocol.Tcp));
    }
}
