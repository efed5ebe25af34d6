namespace LvsPS.Management.Tests.Config;

public sealed class KeepalivedConfParserTests
{
    /// <summary>A keepalived.conf the way they look in the field: VRRP and global blocks around the LVS part.</summary>
    private const string Sample =
        "! Configuration File for keepalived\n" +                                    // 1
        "global_defs {\n" +                                                            // 2
        "   notification_email {\n" +                                                 // 3
        "     admin@example.com\n" +                                                   // 4
        "   }\n" +                                                                     // 5
        "   router_id LVS_DEVEL\n" +                                                   // 6
        "}\n" +                                                                        // 7
        "vrrp_script chk_nginx {\n" +                                                  // 8
        "    script \"/usr/bin/pgrep nginx # { not a comment, not a brace }\"\n" +     // 9
        "    interval 2\n" +                                                           // 10
        "}\n" +                                                                        // 11
        "vrrp_instance VI_1 {\n" +                                                     // 12
        "    state MASTER\n" +                                                         // 13
        "    interface eth0\n" +                                                       // 14
        "    virtual_router_id 51\n" +                                                 // 15
        "    authentication {\n" +                                                     // 16
        "        auth_type PASS\n" +                                                   // 17
        "        auth_pass 1111\n" +                                                   // 18
        "    }\n" +                                                                    // 19
        "    virtual_ipaddress {\n" +                                                  // 20
        "        192.168.200.100/32 dev eth0\n" +                                      // 21
        "    }\n" +                                                                    // 22
        "}\n" +                                                                        // 23
        "\n" +                                                                         // 24
        "virtual_server 192.168.200.100 80 {\n" +                                      // 25
        "    delay_loop 6\n" +                                                         // 26
        "    lb_algo rr\n" +                                                           // 27
        "    lb_kind DR\n" +                                                           // 28
        "    persistence_timeout 50\n" +                                               // 29
        "    protocol TCP\n" +                                                         // 30
        "\n" +                                                                         // 31
        "    real_server 192.168.201.100 80 {\n" +                                     // 32
        "        weight 1\n" +                                                         // 33
        "        TCP_CHECK {\n" +                                                      // 34
        "            connect_timeout 3\n" +                                            // 35
        "        }\n" +                                                                // 36
        "    }\n" +                                                                    // 37
        "    real_server 192.168.201.101 80 {\n" +                                     // 38
        "        weight 3\n" +                                                         // 39
        "        uthreshold 100\n" +                                                   // 40
        "        lthreshold 20\n" +                                                    // 41
        "        notify_down \"/usr/local/bin/rs-down.sh 101\"\n" +                   // 42
        "        HTTP_GET {\n" +                                                       // 43
        "            url {\n" +                                                        // 44
        "              path /testurl/test.jsp\n" +                                     // 45
        "              digest 640205b7b0fc66c1ea91c463fac6334d\n" +                    // 46
        "            }\n" +                                                            // 47
        "            connect_timeout 3\n" +                                            // 48
        "        }\n" +                                                                // 49
        "        MISC_CHECK { misc_path \"/bin/true\" }\n" +                           // 50
        "    }\n" +                                                                    // 51
        "}\n" +                                                                        // 52
        "\n" +                                                                         // 53
        "# defaults: no lvs_sched (wlc), no lvs_method (NAT), no protocol (UDP)\n" +  // 54
        "virtual_server 10.10.10.2 1358\n" +                                           // 55
        "{\n" +                                                                        // 56
        "    persistence_granularity 255.255.255.0   ! implies persistence\n" +       // 57
        "    real_server 192.168.200.2 1358 {\n" +                                     // 58
        "        weight 1\n" +                                                         // 59
        "    }\n" +                                                                    // 60
        "    real_server 192.168.200.3 9000 { lvs_method DR }\n" +                    // 61
        "    real_server 192.168.200.4\n" +                                            // 62
        "}\n" +                                                                        // 63
        "virtual_server 10.10.10.3 53 {\n" +                                           // 64
        "    lvs_sched sh\n" +                                                         // 65
        "    lvs_method TUN type ipip\n" +                                             // 66
        "    protocol udp\n" +                                                         // 67
        "    persistence_timeout\n" +                                                  // 68
        "    sorry_server 10.10.10.9 53\n" +                                           // 69
        "    real_server rs1 53 { weight 0 }\n" +                                      // 70
        "    real_server rs1 53 { weight 5 }\n" +                                      // 71
        "}\n" +                                                                        // 72
        "virtual_server 10.10.10.4 25 {\n" +                                           // 73
        "    protocol TCP\n" +                                                         // 74
        "}\n";                                                                         // 75

    private static KeepalivedConfiguration Parse(string text) => KeepalivedConfParser.Parse(text, "keepalived.conf", Resolve, Services);

    private static LvsException Fails(string text) => Assert.Throws<LvsException>(() => Parse(text));

    [Fact]
    public void ReadsTheVirtualServersAndSkipsTheOtherBlocks()
    {
        var c = Parse(Sample);
        Assert.Equal(3, c.Services.Count);

        var web = c.Services[0];
        Assert.Equal((LvsProtocol.Tcp, IPAddress.Parse("192.168.200.100"), (ushort)80, LvsScheduler.Rr, 50u, 25),
            (web.Protocol, web.VirtualAddress, web.Port, web.Scheduler, web.PersistentTimeout, web.Line));
        Assert.Null(web.PersistenceNetmask);
        Assert.Equal("keepalived.conf", web.SourceFile);
        Assert.Equal(2, web.RealServers.Count);
        Assert.All(web.RealServers, r => Assert.Equal(LvsForwarding.Route, r.Forwarding));
        Assert.Equal((1, 0, 0), (web.RealServers[0].Weight, web.RealServers[0].UpperThreshold, web.RealServers[0].LowerThreshold));
        Assert.Equal((3, 100, 20), (web.RealServers[1].Weight, web.RealServers[1].UpperThreshold, web.RealServers[1].LowerThreshold));
    }

    [Fact]
    public void AppliesKeepalivedsDefaultsAndOverrides()
    {
        var c = Parse(Sample);
        var d = c.Services[1];
        Assert.Equal(LvsScheduler.Wlc, d.Scheduler);             // IPVS_DEF_SCHED
        Assert.Equal(LvsProtocol.Udp, d.Protocol);               // "no protocol set - defaulting to UDP"
        Assert.Equal(0u, d.PersistentTimeout);                   // since keepalived 1.3.7 granularity alone makes nothing persistent
        Assert.Null(d.PersistenceNetmask);
        Assert.Equal(55, d.Line);
        Assert.Equal(new[] { LvsForwarding.Masq, LvsForwarding.Route, LvsForwarding.Masq }, d.RealServers.Select(r => r.Forwarding));
        Assert.Equal(new ushort[] { 1358, 1358, 1358 }, d.RealServers.Select(r => r.RealPort)); // DR port 9000 reset, missing port = service port

        var t = c.Services[2];
        Assert.Equal((LvsScheduler.Sh, LvsProtocol.Udp, 360u), (t.Scheduler, t.Protocol, t.PersistentTimeout));
        var rs = Assert.Single(t.RealServers);                   // the repeated real server is dropped
        Assert.Equal((LvsForwarding.Tunnel, IPAddress.Parse("192.168.0.3"), 0, "rs1"), (rs.Forwarding, rs.RealAddress, rs.Weight, rs.HostName));

        Assert.Contains(c.Warnings, w => w.StartsWith("keepalived.conf:55: no protocol set", StringComparison.Ordinal));
        Assert.Contains(c.Warnings, w => w.StartsWith("keepalived.conf:58: no lvs_method set: keepalived defaults to NAT", StringComparison.Ordinal));
        Assert.Contains(c.Warnings, w => w.StartsWith("keepalived.conf:61: real server port 9000 differs", StringComparison.Ordinal));
        Assert.Contains(c.Warnings, w => w.StartsWith("keepalived.conf:57: persistence_granularity without persistence_timeout: since keepalived 1.3.7 the service is not persistent", StringComparison.Ordinal));
        Assert.Equal((IPAddress.Parse("10.10.10.9"), (ushort)53), (t.Health!.SorryServer, t.Health.SorryServerPort));
        Assert.Contains(c.Warnings, w => w.StartsWith("keepalived.conf:71: real server 192.168.0.3:53 is repeated", StringComparison.Ordinal));
        Assert.Contains(c.Warnings, w => w.StartsWith("keepalived.conf:73: virtual_server TCP 10.10.10.4:25 has no real servers", StringComparison.Ordinal));
    }

    [Fact]
    public void RemembersTheHealthChecksByName()
    {
        var c = Parse(Sample);
        var web = c.Services[0];
        Assert.Equal(new[] { "TCP_CHECK" }, c.HealthChecksOf(web.RealServers[0]));
        Assert.Equal(new[] { "HTTP_GET", "MISC_CHECK" }, c.HealthChecksOf(web.RealServers[1]));
        Assert.Empty(c.HealthChecksOf(c.Services[1].RealServers[0]));
        var h = c.HealthChecks[1];
        Assert.Equal(("HTTP_GET", 43), (h.Name, h.Line));
        Assert.Same(web, h.Service);
    }

    [Fact]
    public void RoundTripsThroughWriteKeepalived()
    {
        var services = new List<LvsService>
        {
            Svc("192.168.0.101", 80, LvsScheduler.Wrr, kernelOrder: new[] { Rs("192.168.0.4", 80, 2), Rs("192.168.0.3", 80, 0, upper: 500, lower: 100) }),
            Svc("192.168.0.101", 443, LvsScheduler.Wlc, persistent: 600, mask: "255.255.255.0", kernelOrder: new[] { Rs("192.168.0.3", 443, upper: 10) }),
            Svc("192.168.0.101", 53, LvsScheduler.Sh, LvsProtocol.Udp, persistent: 360,
                kernelOrder: new[] { Rs("192.168.0.5", 5353, fwd: LvsForwarding.Masq), Rs("192.168.0.6", 53, fwd: LvsForwarding.Tunnel, lower: 7), Rs("192.168.0.7", 53, fwd: LvsForwarding.Tunnel) }),
            Svc("10.1.2.3", 8080, LvsScheduler.Fo, kernelOrder: new[] { Rs("10.1.2.4", 8080, 1000) }),
        };

        string text = ConfigurationWriter.WriteKeepalived(services);
        var back = KeepalivedConfParser.Parse(text, "written.conf", null, Services);

        Assert.Empty(back.Warnings);
        Assert.Equal(Canon(services), Canon(back.ToLvsServices()));
        Assert.Empty(back.HealthChecks);                       // services without checkers get none: nothing is invented
        Assert.DoesNotContain("_CHECK", text);
        Assert.Contains("    lvs_method TUN\n", text);          // the most common method of the UDP service ...
        Assert.Contains("        lvs_method NAT\n", text);      // ... and the odd one per real server
        Assert.Contains("    persistence_granularity 255.255.255.0\n", text);
    }

    [Theory]
    [InlineData("virtual_server 10.0.0.1 80 {\n  lvs_sched roundrobin\n}\n", 2, "unknown scheduler 'roundrobin'")]
    [InlineData("virtual_server 10.0.0.1 80 {\n  protocol TCP\n  real_server 10.0.0.2 80 {\n    weight heavy\n  }\n}\n", 4, "invalid weight 'heavy' (0..65535)")]
    [InlineData("virtual_server 10.0.0.1 80 {\n  protocol ICMP\n}\n", 2, "unknown protocol 'ICMP'")]
    [InlineData("virtual_server {\n}\n", 1, "virtual_server needs an address")]
    [InlineData("virtual_server 10.0.0.1 80\n", 1, "virtual_server needs a '{' block")]
    [InlineData("vrrp_script x {\n  script \"/bin/true\n}\n", 2, "unterminated double-quoted string")]
    [InlineData("! rules\n-A -t 10.0.0.1:80 -s rr\n", 2, "'-A' is not a keepalived keyword")]
    [InlineData("virtual_server 10.0.0.1 htttp {\n  protocol TCP\n  real_server 10.0.0.2 {\n  }\n}\n", 1, "unknown service name 'htttp'", LvsErrorIds.ServiceNameNotResolved, LvsErrorKind.ObjectNotFound)]
    [InlineData("virtual_server 10.0.0.1 80 {\n  lvs_method TUN type vxlan\n}\n", 2, "unknown tunnel type 'vxlan'")]
    [InlineData("virtual_server 10.0.0.1 80 {\n protocol TCP\n real_server 10.0.0.2 80 {\n  HTTP_GET {\n   url {\n    path /\n    status_code 700\n   }\n  }\n }\n}\n", 7, "invalid status_code '700'")]
    // firewall-mark virtual servers
    [InlineData("virtual_server fwmark 0 {\n  real_server 10.0.0.2\n}\n", 1, "invalid fwmark '0' (1..4294967295)")]
    [InlineData("virtual_server fwmark 4294967296 {\n}\n", 1, "invalid fwmark '4294967296'")]
    [InlineData("virtual_server fwmark {\n}\n", 1, "virtual_server fwmark needs a mark")]
    [InlineData("virtual_server fwmark 1 2 {\n}\n", 1, "unexpected '2' after virtual_server fwmark 1")]
    public void MalformedInputNamesFileAndLine(string text, int line, string fragment,
        string errorId = LvsErrorIds.ConfigParseError, LvsErrorKind kind = LvsErrorKind.ParserError)
        => AssertParseError(() => Parse(text), "keepalived.conf", line, fragment, errorId, kind);

    /// <summary>What keepalived logs and runs anyway is imported as keepalived runs it, with a warning naming file and line.</summary>
    [Theory]
    [InlineData("virtual_server 10.0.0.1 80 {\n  real_server 10.0.0.2 80 {\n    weight 1\n  }\n", 1, "the 'virtual_server' block opened here has no closing '}'; keepalived closes it")]
    [InlineData("global_defs {\n  router_id x\n}\n}\n", 4, "extra '}' (no block is open); keepalived ignores it")]
    [InlineData("global_defs {\n  notification_email {\n", 1, "the 'global_defs' block opened here has no closing '}'")]
    [InlineData("include /nonexistent/keepalived/conf.d/*.conf\n", 1, "include '/nonexistent/keepalived/conf.d/*.conf' matches no file")]
    [InlineData("virtual_server 10.0.0.1 80 {\n  protocol TCP\n  lb_kind dr\n  real_server 10.0.0.2 80\n}\n", 3, "unknown lb_kind 'dr' (NAT, DR or TUN, in capitals); keepalived ignores it")]
    [InlineData("virtual_server 10.0.0.1 80 {\n  persistence_timeout forever\n  real_server 10.0.0.2 80\n}\n", 2, "invalid persistence_timeout 'forever'")]
    [InlineData("virtual_server 10.0.0.1 80 {\n  protocol TCP\n  real_server 10.0.0.2 80 { weight 1 }\n}\nvirtual_server 10.0.0.1 80 {\n  protocol TCP\n  real_server 10.0.0.3 80\n}\n", 5, "the virtual_server TCP 10.0.0.1:80 is already defined on line 1; IPVS holds one such service: this one is ignored")]
    [InlineData("virtual_server 10.0.0.1 80 {\n  protocol TCP\n  real_server 10.0.0.2 80 {\n    SMTP_CHECK {\n      helo_name x\n    }\n  }\n}\n", 4, "SMTP_CHECK is not a checker LvsPS runs")]
    [InlineData("virtual_server 10.0.0.1 80 {\n  protocol TCP\n  real_server 10.0.0.2 80 {\n    HTTP_GET {\n      url {\n        path /\n        regex ok\n      }\n    }\n  }\n}\n", 7, "'regex' in url is not kept")]
    [InlineData("virtual_server 10.0.0.1 80 {\n  protocol TCP\n  lvs_method TUN type gue port 6080\n  real_server 10.0.0.2 80\n}\n", 3, "the tunnel type 'gue' is not kept")]
    [InlineData("virtual_server 10.0.0.1 5060 {\n  protocol UDP\n  persistence_engine sip\n  real_server 10.0.0.2 5060\n}\n", 3, "persistence_engine 'sip' ignored")]
    [InlineData("virtual_server 10.0.0.1 80 {\n  persistence_timeout 0\n  protocol TCP\n  real_server 10.0.0.2 80\n}\n", 1, "persistence_timeout 0 (or invalid): keepalived runs the service without persistence")]
    [InlineData("virtual_server xxx.xxx.xxx.xxx 80 {\n  protocol TCP\n  real_server 10.0.0.2 80\n}\n", 1, "cannot resolve host name 'xxx.xxx.xxx.xxx'; keepalived takes addresses only and skips this virtual_server")]
    [InlineData("virtual_server 10.0.0.1 {\n  protocol TCP\n  real_server 10.0.0.2\n}\n", 1, "without a port (port 0) is only valid when persistent; keepalived makes it persistent (360 s)")]
    public void WhatKeepalivedCorrectsIsAWarning(string text, int line, string fragment)
    {
        var c = Parse(text);
        Assert.Contains(c.Warnings, w => w.StartsWith($"keepalived.conf:{line}: ", StringComparison.Ordinal) && w.Contains(fragment, StringComparison.Ordinal));
    }

    [Fact]
    public void AnErrorAfterGoodBlocksReturnsNothing()
    {
        var ex = Fails(Sample + "virtual_server 10.0.0.1 80 {\n  lb_algo wlc\n  lb_kind DR\n  protocol TCP\n  real_server 10.0.0.2 80 { weight -1 }\n}\n");
        Assert.Equal(LvsErrorIds.ConfigParseError, ex.ErrorId);
        Assert.StartsWith("keepalived.conf:80: invalid weight '-1'", ex.Message);
    }

    [Fact]
    public void AFileWithoutVirtualServersGivesNothingAndSaysSo()
    {
        var c = Parse("global_defs {\n  router_id x\n}\nvrrp_instance VI_1 {\n  state BACKUP\n}\n");
        Assert.Empty(c.Services);
        // the vrrp_instance is read too: without a virtual_router_id keepalived drops it, and so does the parser
        Assert.Empty(c.VrrpInstances);
        Assert.Equal(new[] { "keepalived.conf:4: vrrp_instance VI_1 has no valid virtual_router_id; keepalived drops the instance", "keepalived.conf: no virtual_server block" }, c.Warnings);
    }

    [Fact]
    public void CommentsMayStartAnywhereButNotInsideQuotes()
    {
        var c = Parse(
            "virtual_server 10.0.0.1 80 { # the web\n" +
            "  protocol TCP ! tcp\n" +
            "  lvs_method DR#direct\n" +
            "  real_server 10.0.0.2 80 { notify_up \"/bin/echo up # ! {\" }\n" +
            "}\n");
        var s = Assert.Single(c.Services);
        Assert.Equal(LvsForwarding.Route, Assert.Single(s.RealServers).Forwarding);
    }
}
