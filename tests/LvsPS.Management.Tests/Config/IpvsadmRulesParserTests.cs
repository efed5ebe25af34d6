namespace LvsPS.Management.Tests.Config;

public sealed class IpvsadmRulesParserTests
{
    /// <summary>What ipvsadm-save -n writes, edited by hand the way admins do: comments, long options, "ipvsadm" words.</summary>
    private const string Saved =
        "# /etc/ipvsadm.rules, from ipvsadm-save -n\n" +
        "-A -t 192.168.1.100:80 -s wlc\n" +
        "-a -t 192.168.1.100:80 -r 192.168.1.11:80 -g -w 1\n" +
        "-a -t 192.168.1.100:80 -r 192.168.1.12:80 -g -w 0      # drained for maintenance\n" +
        "\n" +
        "-A -t 192.168.1.100:443 -s rr -p 360 -M 255.255.255.0\n" +
        "-a -t 192.168.1.100:443 -r 192.168.1.11:443 -g -w 1 -x 1000 -y 750\n" +
        "-a -t 192.168.1.100:https -r rs1 -g -w 2\n" +
        "\t\n" +
        "ipvsadm --add-service --udp-service 192.168.1.100:domain --scheduler=sed --persistent\n" +
        "ipvsadm -a -u 192.168.1.100:53 --real-server 192.168.1.21:5353 --masquerading --weight 3 --u-threshold=40\r\n" +
        "ipvsadm -a -u 192.168.1.100:53 -r ns2 -i -w 2 --tun-type ipip\n" +
        "-A -t 192.168.1.100:23 -srr -p60\n" +
        "-a -t 192.168.1.100:23 -r 192.168.1.11 -w5\n";

    private static IpvsadmRules Parse(string text) => IpvsadmRulesParser.Parse(text, "rules", Resolve, Services);

    private static LvsException Fails(string text) => Assert.Throws<LvsException>(() => Parse(text));

    [Fact]
    public void ParsesARealisticSaveFile()
    {
        var r = Parse(Saved);

        Assert.False(r.Clears);
        Assert.Equal("rules", r.SourceFile);
        Assert.Empty(r.Warnings);
        Assert.Equal(4, r.Services.Count);

        var web = r.Services[0];
        Assert.Equal((LvsProtocol.Tcp, IPAddress.Parse("192.168.1.100"), (ushort)80, LvsScheduler.Wlc, 0u), (web.Protocol, web.VirtualAddress, web.Port, web.Scheduler, web.PersistentTimeout));
        Assert.Null(web.PersistenceNetmask);
        Assert.Equal(2, web.Line);
        Assert.Equal("rules", web.SourceFile);
        Assert.Equal(new[] { "192.168.1.11:80 w=1", "192.168.1.12:80 w=0" }, web.RealServers.Select(x => x.ToString()));
        Assert.All(web.RealServers, x => Assert.Equal(LvsForwarding.Route, x.Forwarding));

        var tls = r.Services[1];
        Assert.Equal(LvsScheduler.Rr, tls.Scheduler);
        Assert.Equal(360u, tls.PersistentTimeout);
        Assert.Equal(IPAddress.Parse("255.255.255.0"), tls.PersistenceNetmask);
        Assert.Equal(1000, tls.RealServers[0].UpperThreshold);
        Assert.Equal(750, tls.RealServers[0].LowerThreshold);
        Assert.Equal(IPAddress.Parse("192.168.0.3"), tls.RealServers[1].RealAddress);
        Assert.Equal("rs1", tls.RealServers[1].HostName);
        Assert.Equal(443, tls.RealServers[1].RealPort);

        var dns = r.Services[2];
        Assert.Equal((LvsProtocol.Udp, (ushort)53, LvsScheduler.Sed, 360u, "domain"), (dns.Protocol, dns.Port, dns.Scheduler, dns.PersistentTimeout, dns.PortName));
        Assert.Equal(10, dns.Line);
        var nat = dns.RealServers[0];
        Assert.Equal((LvsForwarding.Masq, (ushort)5353, 3, 40, 0), (nat.Forwarding, nat.RealPort, nat.Weight, nat.UpperThreshold, nat.LowerThreshold));
        var tun = dns.RealServers[1];
        Assert.Equal((LvsForwarding.Tunnel, IPAddress.Parse("192.168.1.22"), (ushort)53, 2), (tun.Forwarding, tun.RealAddress, tun.RealPort, tun.Weight));

        var telnet = r.Services[3];
        Assert.Equal((LvsScheduler.Rr, 60u), (telnet.Scheduler, telnet.PersistentTimeout));
        Assert.Equal((ushort)23, telnet.RealServers[0].RealPort);
        Assert.Equal(5, telnet.RealServers[0].Weight);
    }

    [Fact]
    public void DefaultsAreIpvsadmsWlcDirectRoutingWeightOne()
    {
        var r = Parse("-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.0.0.2\n");
        var s = Assert.Single(r.Services);
        Assert.Equal(LvsScheduler.Wlc, s.Scheduler);
        var rs = Assert.Single(s.RealServers);
        Assert.Equal((LvsForwarding.Route, 1, (ushort)80), (rs.Forwarding, rs.Weight, rs.RealPort));
    }

    [Fact]
    public void BarePersistentBeforeAnotherOptionIs360Seconds()
    {
        var r = Parse("-A -t 10.0.0.1:80 -p -s rr\n-A -t 10.0.0.1:81 -s rr -p\n-A -t 10.0.0.1:82 --persistent=90\n");
        Assert.Equal(new uint[] { 360, 360, 90 }, r.Services.Select(s => s.PersistentTimeout));
        Assert.Equal(LvsScheduler.Rr, r.Services[0].Scheduler);
    }

    [Fact]
    public void ToLvsServicesListsTheRealServersNewestFirstAsTheKernelDoes()
    {
        var svc = Parse(Saved).ToLvsServices("d1")[0];
        Assert.Equal("d1", svc.Director);
        Assert.Equal(new[] { "192.168.1.12", "192.168.1.11" }, svc.RealServers.Select(x => x.RealAddress.ToString()));
    }

    [Fact]
    public void ClearMarksTheFileAsReplacingTheTableAndDropsWhatCameBefore()
    {
        var r = Parse("-A -t 10.0.0.1:80 -s rr\n-C\n--clear\n-A -t 10.0.0.1:81 -s rr\n");
        Assert.True(r.Clears);
        Assert.Equal((ushort)81, Assert.Single(r.Services).Port);
    }

    [Fact]
    public void DirectRoutingUsesTheServicePortWithAWarning()
    {
        var r = Parse("-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.0.0.2:8080 -g\n");
        Assert.Equal((ushort)80, r.Services[0].RealServers[0].RealPort);
        Assert.StartsWith("rules:2: real server port 8080 differs", Assert.Single(r.Warnings));
    }

    [Fact]
    public void RoundTripsThroughWriteIpvsadmRules()
    {
        var services = new List<LvsService>
        {
            Svc("192.168.0.101", 80, LvsScheduler.Rr, kernelOrder: new[] { Rs("192.168.0.4", 80, 2), Rs("192.168.0.3", 80, 0, upper: 500, lower: 100) }),
            Svc("192.168.0.101", 443, LvsScheduler.Wlc, persistent: 600, mask: "255.255.255.0", kernelOrder: new[] { Rs("192.168.0.3", 443, upper: 10) }),
            Svc("192.168.0.101", 53, LvsScheduler.Sh, LvsProtocol.Udp, persistent: 360, kernelOrder: new[] { Rs("192.168.0.5", 5353, fwd: LvsForwarding.Masq), Rs("192.168.0.6", 53, fwd: LvsForwarding.Tunnel, lower: 7) }),
            Svc("10.1.2.3", 8080, LvsScheduler.Fo),
        };

        // With the thresholds (-IncludeThresholds) every value comes back.
        string text = ConfigurationWriter.WriteIpvsadmRules(services, includeThresholds: true);
        var back = IpvsadmRulesParser.Parse(text, "saved", null, Services);

        Assert.Empty(back.Warnings);
        Assert.Equal(Canon(services, sorted: true), Canon(back.ToLvsServices(), sorted: true));
        // and the text of the re-read table is the same text
        Assert.Equal(text, ConfigurationWriter.WriteIpvsadmRules(back.ToLvsServices(), includeThresholds: true));

        // By default the text is ipvsadm -S's: no -x/-y; it reads back with thresholds 0 and is a fixed point.
        string plain = ConfigurationWriter.WriteIpvsadmRules(services);
        Assert.DoesNotContain(" -x ", plain);
        Assert.DoesNotContain(" -y ", plain);
        Assert.Equal(text.Replace(" -x 500 -y 100", "").Replace(" -x 10", "").Replace(" -y 7", ""), plain);
        var plainBack = IpvsadmRulesParser.Parse(plain, "saved", null, Services).ToLvsServices();
        Assert.All(plainBack.SelectMany(s => s.RealServers), r => Assert.Equal((0, 0), (r.UpperThreshold, r.LowerThreshold)));
        Assert.Equal(plain, ConfigurationWriter.WriteIpvsadmRules(plainBack));
    }

    [Theory]
    [InlineData("-A -t 10.0.0.1:80\n-a -t 10.0.0.9:80 -r 10.0.0.2\n", 2, "the service TCP 10.0.0.9:80 is not defined before this line")]
    [InlineData("-A -t 10.0.0.1:80\n-a -u 10.0.0.1:80 -r 10.0.0.2\n", 2, "the service UDP 10.0.0.1:80 is not defined")]
    [InlineData("-A -t 10.0.0.1:80 -s rr\n-A -t 10.0.0.1:80 -s wlc\n", 2, "is already defined on line 1")]
    [InlineData("-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.0.0.2\n-a -t 10.0.0.1:80 -r 10.0.0.2:80 -w 3\n", 3, "already in TCP 10.0.0.1:80 (line 2)")]
    [InlineData("-A -t 10.0.0.1:80 -s rrr\n", 1, "unknown scheduler 'rrr'")]
    [InlineData("-A -t 10.0.0.1:80 -k\n", 1, "unknown option '-k'")]
    [InlineData("-A -t 10.0.0.1:80 --schedular rr\n", 1, "unknown option '--schedular'")]
    [InlineData("-A -t 10.0.0.1:80 rr\n", 1, "unexpected argument 'rr'")]
    [InlineData("-A -a -t 10.0.0.1:80\n", 1, "multiple commands specified ('-A' and '-a')")]
    [InlineData("-t 10.0.0.1:80 -s rr\n", 1, "no command")]
    [InlineData("-A -t 10.0.0.1:80 -w 2\n", 1, "illegal 'weight' option ('-w') with the 'add-service' command")]
    [InlineData("-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -s rr -r 10.0.0.2\n", 2, "illegal 'scheduler' option")]
    [InlineData("-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -w 1\n", 2, "You need to supply the 'real-server' option for the 'add-server' command")]
    [InlineData("-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.0.0.2 -w 70000\n", 2, "invalid weight '70000' (0..65535)")]
    [InlineData("-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.0.0.2 -x -1\n", 2, "invalid u-threshold '-1'")]
    [InlineData("-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.0.0.2 -g -m\n", 2, "multiple 'forwarding-method' options specified")]
    [InlineData("-A -t 10.0.0.1:80 -s rr -s wlc\n", 1, "multiple 'scheduler' options specified")]
    [InlineData("-A -t 10.0.0.1:80 -p 0\n", 1, "invalid persistent timeout '0'")]
    [InlineData("-A -t 10.0.0.1:80 -p 60 -M 255.255.0\n", 1, "invalid netmask '255.255.0'")]
    [InlineData("-A -t 10.0.0.1:70000\n", 1, "invalid port '70000'")]
    [InlineData("-A -t 10.0.0.256:80\n", 1, "invalid IPv4 address '10.0.0.256'")]
    [InlineData("-A -t 10.0.0.1:80 -s\n", 1, "option '-s' needs a value")]
    [InlineData("-C -t 10.0.0.1:80\n", 1, "illegal 'tcp-service' option ('-t') with the 'clear' command")]
    [InlineData("-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.0.0.2 --tun-type ipip\n", 2, "needs the tunnel forwarding method (-i)")]
    // firewall-mark services (-f, --fwmark-service)
    [InlineData("-A -f 0 -s rr\n", 1, "invalid fwmark value '0' (1..4294967295)")]
    [InlineData("-A -f 4294967296\n", 1, "invalid fwmark value '4294967296'")]
    [InlineData("-A -f -2147483649\n", 1, "invalid fwmark value '-2147483649'")]
    [InlineData("-A -f +5\n", 1, "invalid fwmark value '+5'")]
    // scheduler flags (-b): flag-N with any scheduler, sh-/mh- names only with sh/mh (ipvsadm: incompatible scheduler flag)
    [InlineData("-A -t 10.0.0.1:80 -s rr -b sh-fallback\n", 1, "incompatible scheduler flag 'sh-fallback'")]
    [InlineData("-A -t 10.0.0.1:80 -s sh -b mh-port\n", 1, "incompatible scheduler flag 'mh-port'")]
    [InlineData("-A -t 10.0.0.1:80 -s rr -b flag-4\n", 1, "invalid scheduler flag 'flag-4'")]
    // port 0 (every port) only with -p (ipvsadm: Zero port specified for non-persistent service)
    [InlineData("-A -t 10.0.0.1:0 -s rr\n", 1, "is on port 0 (every port) but not persistent")]
    [InlineData("-A --fwmark-service=0x10\n", 1, "invalid fwmark value '0x10'")]
    [InlineData("-A -f 1 -t 10.0.0.1:80\n", 1, "multiple 'service' options specified ('-f' and '-t')")]
    [InlineData("-A -f 1\n-A --fwmark-service 1 -s rr\n", 2, "the service FWM 1 is already defined on line 1")]
    [InlineData("-A -f 1\n-a -f 2 -r 10.0.0.2\n", 2, "the service FWM 2 is not defined before this line")]
    [InlineData("-A -f 1\n-a -f 1 -r 10.0.0.2\n-a -f 1 -r 10.0.0.2:0 -m\n", 3, "the real server 10.0.0.2:0 is already in FWM 1 (line 2)")]
    [InlineData("-A -f 1\n-a -f 1\n", 2, "You need to supply the 'real-server' option")]
    public void MalformedLinesNameFileLineAndToken(string text, int line, string fragment)
        => AssertParseError(() => Parse(text), "rules", line, fragment);

    [Theory]
    [InlineData("-A -f 1 -6 -s rr\n", "'-6': IPv6 firewall-mark services (-6) is not supported yet")]
    [InlineData("-A --sctp-service 10.0.0.1:http\n", "service names of SCTP services are not supported yet")]
    [InlineData("-A -u 10.0.0.1:5060 -p --pe sip\n", "persistence engines (--pe) is not supported yet")]
    [InlineData("-A -u 10.0.0.1:53 -o\n", "one-packet scheduling (-o) is not supported yet")]
    [InlineData("-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.0.0.2 -i --tun-type gue --tun-port 6080\n", "the tunnel type 'gue' (only ipip) is not supported yet")]
    [InlineData("-A -t [2001:db8::1]:80\n", "IPv6 addresses are not supported yet")]
    [InlineData("-D -t 10.0.0.1:80\n", "the command '-D' (delete-service) is not supported yet")]
    public void UnsupportedFeaturesAreRefusedClearly(string text, string fragment)
    {
        var ex = Fails(text);
        Assert.Equal(LvsErrorIds.ConfigParseError, ex.ErrorId);
        Assert.Equal(LvsErrorKind.NotImplemented, ex.Kind);
        Assert.Matches(@"^rules:\d+: ", ex.Message);
        Assert.Contains(fragment, ex.Message);
    }

    [Fact]
    public void AnErrorOnTheLastLineReturnsNothing()
    {
        // all-or-nothing: the good lines before the bad one are not returned either
        var ex = Fails(Saved + "-a -t 192.168.1.100:80 -r 192.168.1.13:80 -g -w x\n");
        Assert.StartsWith("rules:15: invalid weight 'x'", ex.Message);
        Assert.EndsWith("in -a -t 192.168.1.100:80 -r 192.168.1.13:80 -g -w x", ex.Message);
    }

    [Fact]
    public void NamesAreResolvedOrReportedWithTheirOwnErrorIds()
    {
        var host = Fails("-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r rs9\n");
        Assert.Equal(LvsErrorIds.HostNameNotResolved, host.ErrorId);
        Assert.StartsWith("rules:2: cannot resolve host name 'rs9'", host.Message);

        var port = Fails("-A -t 10.0.0.1:htttp\n");
        Assert.Equal(LvsErrorIds.ServiceNameNotResolved, port.ErrorId);
        Assert.StartsWith("rules:1: unknown service name 'htttp' for tcp", port.Message);

        var r = Parse("-A -t lvs:www -s rr\n");
        Assert.Equal((IPAddress.Parse("192.168.0.101"), (ushort)80, "www"), (r.Services[0].VirtualAddress, r.Services[0].Port, r.Services[0].PortName));
    }

    [Fact]
    public void ParseFileReadsTheFileAndNamesItInMessages()
    {
        string path = Path.Combine(Path.GetTempPath(), "lvsps-rules-" + Guid.NewGuid().ToString("N"));
        try
        {
            File.WriteAllText(path, "-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.0.2 -g -w 1\n-A -t 10.0.0.1:81 -s nope\n");
            var ex = Assert.Throws<LvsException>(() => IpvsadmRulesParser.ParseFile(path));
            Assert.StartsWith(path + ":3: unknown scheduler 'nope'", ex.Message);

            File.WriteAllText(path, "-A -t 10.0.0.1:80 -s rr\n");
            Assert.Equal(path, IpvsadmRulesParser.ParseFile(path).Services[0].SourceFile);
        }
        finally
        {
            File.Delete(path);
        }
        var missing = Assert.Throws<LvsException>(() => IpvsadmRulesParser.ParseFile(path));
        Assert.Equal(LvsErrorIds.ConfigFileNotFound, missing.ErrorId);
    }
}
