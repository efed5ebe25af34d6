namespace LvsPS.Management.Tests.Config;

/// <summary>
/// keepalived.conf as keepalived reads it: checkers with their parameters and the defaults they take from the real
/// and virtual server, quorum and sorry servers, scheduler flags and ops, virtual_server_group, IPv6, keepalived's
/// preprocessing ($VAR, ~SEQ, ~LST, @id, include); and the writer that puts them all back.
/// </summary>
public sealed class KeepalivedHealthConfigTests
{
    private static KeepalivedConfiguration Parse(string text, string? configId = "main")
        => KeepalivedConfParser.Parse(text, "keepalived.conf", Resolve, Services, new KeepalivedParseOptions { ConfigId = configId });

    private const string Checkers =
        "virtual_server 10.0.0.1 80 {\n" +                                   // 1
        "    delay_loop 6\n" +                                                // 2
        "    lvs_sched wrr\n" +                                               // 3
        "    lvs_method DR\n" +                                               // 4
        "    protocol TCP\n" +                                                // 5
        "    alpha\n" +                                                       // 6
        "    omega\n" +                                                       // 7
        "    quorum 3\n" +                                                    // 8
        "    hysteresis 1\n" +                                                // 9
        "    quorum_up \"/usr/local/bin/quorum.sh up\"\n" +                  // 10
        "    quorum_down /usr/local/bin/quorum-down.sh\n" +                   // 11
        "    virtualhost www.example.com\n" +                                 // 12
        "    sorry_server 10.0.0.99 8080\n" +                                 // 13
        "    sorry_server_inhibit\n" +                                        // 14
        "    sorry_server_lvs_method NAT\n" +                                 // 15
        "    connect_timeout 4\n" +                                           // 16: a default for every checker
        "    retry 2\n" +                                                     // 17
        "    real_server 10.0.0.2 80 {\n" +                                   // 18
        "        weight 2\n" +                                                // 19
        "        inhibit_on_failure\n" +                                      // 20
        "        notify_up \"/usr/local/bin/rs.sh up 10.0.0.2\"\n" +         // 21
        "        notify_down /usr/local/bin/rs-down.sh\n" +                   // 22
        "        delay_before_retry 2.5\n" +                                  // 23: a default for its checkers
        "        HTTP_GET {\n" +                                              // 24
        "            url {\n" +                                               // 25
        "                path /health\n" +                                    // 26
        "                digest 9B3A0C85A887A256D6939DA88AABD8CD\n" +         // 27
        "                status_code 200-299 301\n" +                         // 28
        "                virtualhost a.example.com\n" +                       // 29
        "            }\n" +                                                   // 30
        "            url { path \"/two words\" }\n" +                         // 31
        "            http_protocol 1.1\n" +                                   // 32
        "            connect_ip 10.0.1.2\n" +                                 // 33
        "            connect_port 8080\n" +                                   // 34
        "            bindto 10.0.0.250\n" +                                   // 35
        "            bind_port 40000\n" +                                     // 36
        "            connect_timeout 1.5\n" +                                 // 37
        "            nb_get_retry 4\n" +                                      // 38
        "            delay_loop 3\n" +                                        // 39
        "            warmup 0\n" +                                            // 40
        "            alpha no\n" +                                            // 41
        "        }\n" +                                                       // 42
        "        TCP_CHECK {\n" +                                             // 43
        "        }\n" +                                                       // 44
        "    }\n" +                                                           // 45
        "    real_server 10.0.0.3 80 {\n" +                                   // 46
        "        SSL_GET {\n" +                                               // 47
        "            url { path / }\n" +                                      // 48
        "            enable_sni\n" +                                          // 49
        "            virtualhost secure.example.com\n" +                      // 50
        "        }\n" +                                                       // 51
        "        MISC_CHECK {\n" +                                            // 52
        "            misc_path \"/usr/local/bin/check.sh 10.0.0.3\"\n" +     // 53
        "            misc_timeout 7\n" +                                      // 54
        "            misc_dynamic\n" +                                        // 55
        "        }\n" +                                                       // 56
        "        DNS_CHECK {\n" +                                             // 57
        "            type A\n" +                                              // 58
        "        }\n" +                                                       // 59
        "    }\n" +                                                           // 60
        "}\n";                                                                // 61

    [Fact]
    public void ReadsEveryCheckerParameterAndTheDefaultsTheyInherit()
    {
        var c = Parse(Checkers);
        var svc = Assert.Single(c.Services);
        var h = svc.Health!;
        Assert.Equal((6.0, true, true, 3, 1), (h.DelayLoopSec, h.Alpha, h.Omega, h.Quorum, h.Hysteresis));
        Assert.Equal(("/usr/local/bin/quorum.sh up", "/usr/local/bin/quorum-down.sh", "www.example.com"), (h.QuorumUp, h.QuorumDown, h.VirtualHost));
        Assert.Equal((IPAddress.Parse("10.0.0.99"), (ushort)8080, true, (LvsForwarding?)LvsForwarding.Masq),
            (h.SorryServer, h.SorryServerPort, h.SorryServerInhibit, h.SorryServerForwarding));

        var rs1 = svc.RealServers[0];
        Assert.Equal((2, true, "/usr/local/bin/rs.sh up 10.0.0.2", "/usr/local/bin/rs-down.sh"), (rs1.Weight, rs1.InhibitOnFailure, rs1.NotifyUp, rs1.NotifyDown));
        Assert.Equal(2, rs1.HealthChecks.Count);
        var http = rs1.HealthChecks[0];
        Assert.Equal(LvsHealthCheckType.Http, http.Type);
        Assert.Equal(("/health", "9b3a0c85a887a256d6939da88aabd8cd", "200-299 301", "a.example.com"),
            (http.Urls[0].Path, http.Urls[0].Digest, http.Urls[0].StatusCode, http.Urls[0].VirtualHost));
        Assert.Equal("/two words", http.Urls[1].Path);
        Assert.Equal(("1.1", IPAddress.Parse("10.0.1.2"), (ushort)8080, IPAddress.Parse("10.0.0.250"), (ushort)40000),
            (http.HttpProtocol, http.ConnectAddress, http.ConnectPort, http.BindAddress, http.BindPort));
        Assert.Equal((1.5, 4, 2.5, 3.0, 0.0, false), (http.ConnectTimeoutSec, http.Retry, http.DelayBeforeRetrySec, http.IntervalSec, http.WarmupSec, http.Alpha));
        var tcp = rs1.HealthChecks[1];
        Assert.Equal((LvsHealthCheckType.Tcp, 4.0, 2, 2.5), (tcp.Type, tcp.ConnectTimeoutSec, tcp.Retry, tcp.DelayBeforeRetrySec)); // from the real and virtual server
        Assert.Null(tcp.IntervalSec); // the service's delay_loop

        var rs2 = svc.RealServers[1];
        Assert.False(rs2.InhibitOnFailure);
        var ssl = rs2.HealthChecks[0];
        Assert.Equal((LvsHealthCheckType.Ssl, true, "secure.example.com", "/"), (ssl.Type, ssl.EnableSni, ssl.VirtualHost, ssl.Urls[0].Path));
        var misc = rs2.HealthChecks[1];
        Assert.Equal((LvsHealthCheckType.Misc, "/usr/local/bin/check.sh 10.0.0.3", 7.0, true), (misc.Type, misc.MiscPath, misc.MiscTimeoutSec, misc.MiscDynamic));
        Assert.Equal(2, rs2.HealthChecks.Count); // DNS_CHECK is not run by LvsPS ...
        Assert.Equal(new[] { "SSL_GET", "MISC_CHECK", "DNS_CHECK" }, c.HealthChecksOf(rs2)); // ... but remembered by name
        Assert.Null(c.HealthChecks.Single(x => x.Name == "DNS_CHECK").Spec);

        Assert.Contains("keepalived.conf:38: nb_get_retry is keepalived's old name of retry; read as retry", c.Warnings);
        Assert.Contains(c.Warnings, w => w.StartsWith("keepalived.conf:57: DNS_CHECK is not a checker LvsPS runs", StringComparison.Ordinal));
    }

    [Fact]
    public void WritesTheCheckersBackAndReadsThemAgain()
    {
        var c = Parse(Checkers);
        string text = ConfigurationWriter.WriteKeepalived(c.ToServiceSpecs());
        Assert.Contains("    quorum_up \"/usr/local/bin/quorum.sh up\"\n", text);
        Assert.Contains("    sorry_server 10.0.0.99 8080\n    sorry_server_inhibit\n    sorry_server_lvs_method NAT\n", text);
        Assert.Contains(
            "        HTTP_GET {\n" +
            "            connect_ip 10.0.1.2\n" +
            "            connect_port 8080\n" +
            "            bindto 10.0.0.250\n" +
            "            bind_port 40000\n" +
            "            connect_timeout 1.5\n" +
            "            retry 4\n" +
            "            delay_before_retry 2.5\n" +
            "            delay_loop 3\n" +
            "            warmup 0\n" +
            "            alpha false\n" +
            "            http_protocol 1.1\n" +
            "            url {\n" +
            "                path /health\n" +
            "                digest 9b3a0c85a887a256d6939da88aabd8cd\n" +
            "                status_code 200-299 301\n" +
            "                virtualhost a.example.com\n" +
            "            }\n" +
            "            url {\n" +
            "                path \"/two words\"\n" +
            "            }\n" +
            "        }\n", text);
        Assert.Contains("            misc_path \"/usr/local/bin/check.sh 10.0.0.3\"\n            misc_timeout 7\n            misc_dynamic\n", text);
        Assert.DoesNotContain("DNS_CHECK", text);

        var back = KeepalivedConfParser.Parse(text, "written.conf", null, Services);
        Assert.Empty(back.Warnings);
        Assert.Equal(text, ConfigurationWriter.WriteKeepalived(back.ToServiceSpecs()));
        Assert.Equal(4, back.HealthChecks.Count);

        // through LvsService objects (Import-LvsConfiguration | Export-LvsConfiguration): the same text
        Assert.Equal(text, ConfigurationWriter.WriteKeepalived(c.ToLvsServices()));
        // with HealthChecks = false: no checker, no health setting
        string bare = ConfigurationWriter.WriteKeepalived(c.ToLvsServices(), new ConfigurationWriterOptions { HealthChecks = false });
        Assert.DoesNotContain("_CHECK", bare);
        Assert.DoesNotContain("HTTP_GET", bare);
        Assert.DoesNotContain("quorum", bare);

        if (KeepalivedTool.Available)
        {
            string file = Path.Combine(Directory.CreateTempSubdirectory("lvsps-ka-").FullName, "keepalived.conf");
            File.WriteAllText(file, text);
            var r = KeepalivedTool.Test(file);
            Directory.Delete(Path.GetDirectoryName(file)!, true);
            Assert.True(r.Clean, r.ToString());
        }
    }

    [Fact]
    public void SchedulerFlagsOpsGranularityAndPortZero()
    {
        var c = Parse(
            "virtual_server 10.0.0.1 53 {\n  lvs_sched sh\n  sh-port\n  sh-fallback\n  ops\n  lvs_method NAT\n  protocol UDP\n  real_server 10.0.0.2 53\n}\n" +
            "virtual_server 10.0.0.1 0 {\n  lvs_sched mh\n  mh-port\n  lvs_method DR\n  protocol TCP\n  persistence_timeout 0\n  real_server 10.0.0.3\n}\n" +
            "virtual_server 10.0.0.5 443 {\n  lvs_sched rr\n  lvs_method DR\n  protocol TCP\n  persistence_timeout\n  persistence_granularity 255.255.0.0\n  real_server 10.0.0.6 443\n}\n");
        var (dns, any, web) = (c.Services[0], c.Services[1], c.Services[2]);
        Assert.Equal((LvsSchedulerFlags.Port | LvsSchedulerFlags.Fallback, true), (dns.SchedulerFlags, dns.OnePacket));
        Assert.Equal(((ushort)0, 360u, LvsSchedulerFlags.Port), (any.Port, any.PersistentTimeout, any.SchedulerFlags)); // timeout 0: none; port 0: keepalived makes it persistent
        Assert.Equal((360u, IPAddress.Parse("255.255.0.0")), (web.PersistentTimeout, web.PersistenceNetmask));
        Assert.Contains(c.Warnings, w => w.StartsWith("keepalived.conf:15: persistence_timeout 0", StringComparison.Ordinal) || w.StartsWith("keepalived.conf:10: persistence_timeout 0", StringComparison.Ordinal));

        string text = ConfigurationWriter.WriteKeepalived(c.ToLvsServices());
        Assert.Contains("    lvs_sched sh\n    sh-fallback\n    sh-port\n    ops\n", text);
        Assert.Contains("virtual_server 10.0.0.1 0 {\n    lvs_sched mh\n    mh-port\n", text);
        var back = KeepalivedConfParser.Parse(text, "w.conf", null, Services);
        Assert.Empty(back.Warnings);
        Assert.Equal(text, ConfigurationWriter.WriteKeepalived(back.ToLvsServices()));
        Assert.True(back.Services[0].OnePacket);
    }

    [Fact]
    public void VirtualServerGroupsExpandAddressesRangesAndMarks()
    {
        var c = Parse(
            "virtual_server_group WEB {\n" +
            "    10.0.0.1 80\n" +
            "    10.0.1.10-12 8080\n" +
            "    10.0.2.254-10.0.3.1 80\n" +
            "    10.0.4.8/30 80\n" +
            "    fwmark 7\n" +
            "}\n" +
            "virtual_server group WEB {\n" +
            "    lvs_sched rr\n" +
            "    lvs_method NAT\n" +
            "    protocol TCP\n" +
            "    real_server 192.168.0.10 8000 {\n" +
            "        TCP_CHECK { connect_timeout 2 }\n" +
            "    }\n" +
            "}\n");
        Assert.Equal(new[]
        {
            "TCP 10.0.0.1:80", "TCP 10.0.1.10:8080", "TCP 10.0.1.11:8080", "TCP 10.0.1.12:8080",
            "TCP 10.0.2.254:80", "TCP 10.0.2.255:80", "TCP 10.0.3.0:80", "TCP 10.0.3.1:80",
            "TCP 10.0.4.8:80", "TCP 10.0.4.9:80", "TCP 10.0.4.10:80", "TCP 10.0.4.11:80", "FWM 7",
        }, c.Services.Select(s => s.ToString()));
        Assert.All(c.Services, s => Assert.Equal("WEB", s.GroupName));
        Assert.All(c.Services, s => Assert.Equal(2.0, Assert.Single(Assert.Single(s.RealServers).HealthChecks).ConnectTimeoutSec));
        Assert.Equal((ushort)8000, c.Services[^1].RealServers[0].RealPort); // NAT: a fwmark real server keeps its port

        var back = KeepalivedConfParser.Parse(ConfigurationWriter.WriteKeepalived(c.ToLvsServices()), "w.conf", null, Services);
        Assert.Equal(Canon(c.ToLvsServices()), Canon(back.ToLvsServices()));
    }

    [Fact]
    public void IPv6ServicesAreReadAndWritten()
    {
        var c = Parse(
            "virtual_server_group V6 {\n  2001:db8::10-12 443\n}\n" +
            "virtual_server 2001:db8::1 80 {\n  lvs_sched rr\n  lvs_method DR\n  protocol TCP\n  persistence_timeout 60\n  persistence_granularity 64\n" +
            "  real_server 2001:db8::2 80 {\n    TCP_CHECK {\n      connect_ip 2001:db8::3\n    }\n  }\n  real_server 10.0.0.2 80\n}\n" +
            "virtual_server group V6 {\n  lvs_sched rr\n  lvs_method TUN\n  protocol TCP\n  real_server 10.0.0.3 443\n}\n");
        Assert.Equal(new[] { "TCP 2001:db8::1:80", "TCP 2001:db8::10:443", "TCP 2001:db8::11:443", "TCP 2001:db8::12:443" }, c.Services.Select(s => s.ToString()));
        var v6 = c.Services[0];
        Assert.Equal(IPAddress.Parse("ffff:ffff:ffff:ffff::"), v6.PersistenceNetmask);
        Assert.Equal(IPAddress.Parse("2001:db8::2"), Assert.Single(v6.RealServers).RealAddress); // the IPv4 DR real server is skipped, as keepalived does
        Assert.Contains(c.Warnings, w => w.Contains("real server 10.0.0.2 is not of the virtual server's address family", StringComparison.Ordinal));
        Assert.Contains(c.Warnings, w => w.Contains("TCP [2001:db8::1]:80: an IPv6 service; the LvsPS engine refuses IPv6 services", StringComparison.Ordinal));
        Assert.Equal(IPAddress.Parse("10.0.0.3"), c.Services[1].RealServers[0].RealAddress); // a tunnelled real server may be IPv4

        string text = ConfigurationWriter.WriteKeepalived(c.ToLvsServices());
        Assert.Contains("virtual_server 2001:db8::1 80 {\n", text);
        Assert.Contains("    persistence_granularity 64\n", text);
        Assert.Contains("            connect_ip 2001:db8::3\n", text);
        var back = KeepalivedConfParser.Parse(text, "w.conf", null, Services);
        Assert.Equal(text, ConfigurationWriter.WriteKeepalived(back.ToLvsServices()));
    }

    [Fact]
    public void ParametersSequencesListsAndConditionsAreExpandedAsKeepalivedDoes()
    {
        const string text =
            "$VIP=10.0.0.1\n" +
            "@main $WEIGHT=5\n" +
            "@backup $WEIGHT=1\n" +
            "$IF_MAIN=@main\n" +
            "$RS= \\\n" +
            "real_server 192.168.0.${N} 80 { \\\n" +
            "    weight ${WEIGHT} \\\n" +
            "    @^main lvs_method NAT \\\n" +
            "    TCP_CHECK { connect_port ${_PORT} } \\\n" +
            "}\n" +
            "$_PORT=81\n" +
            "virtual_server $VIP 80 {\n" +
            "    lvs_sched rr\n" +
            "    lvs_method DR\n" +
            "    protocol TCP\n" +
            "    $IF_MAIN quorum 2\n" +
            "    ~SEQ(N, 1, 2, 5) $RS\n" +
            "}\n" +
            "virtual_server ${VIP}0 80 {\n" +
            "    lvs_sched rr\n    lvs_method DR\n    protocol TCP\n" +
            "    ~LST({N, WEIGHT}, {7, 3}, {8, 4}) $RS\n" +
            "    ~SEQx(H, 0x8, 0x9) real_server 192.168.1.${H} 80\n" +
            "}\n";
        var main = Parse(text, "main");
        var web = main.Services[0];
        Assert.Equal("TCP 10.0.0.1:80", web.ToString());
        Assert.Equal(2, web.Health!.Quorum);
        Assert.Equal(new[] { "192.168.0.1", "192.168.0.3", "192.168.0.5" }, web.RealServers.Select(r => r.RealAddress.ToString()));
        Assert.All(web.RealServers, r => Assert.Equal((5, LvsForwarding.Route, (ushort)81), (r.Weight, r.Forwarding, Assert.Single(r.HealthChecks).ConnectPort)));
        var ten = main.Services[1];
        Assert.Equal("TCP 10.0.0.10:80", ten.ToString());
        Assert.Equal(new[] { ("192.168.0.7", 3), ("192.168.0.8", 4), ("192.168.1.8", 1), ("192.168.1.9", 1) },
            ten.RealServers.Select(r => (r.RealAddress.ToString(), r.Weight)));
        Assert.Empty(main.Warnings);

        var backup = Parse(text, "backup");
        Assert.Null(backup.Services[0].Health);                      // $IF_MAIN expands to @main: not for backup
        Assert.All(backup.Services[0].RealServers, r => Assert.Equal((1, LvsForwarding.Masq), (r.Weight, r.Forwarding)));
    }

    [Fact]
    public void IncludesAreReadRelativeToTheIncludingFileWithGlobs()
    {
        var dir = Directory.CreateTempSubdirectory("lvsps-ka-include-");
        try
        {
            Directory.CreateDirectory(Path.Combine(dir.FullName, "conf.d"));
            Directory.CreateDirectory(Path.Combine(dir.FullName, "conf.d", "rs"));
            File.WriteAllText(Path.Combine(dir.FullName, "keepalived.conf"),
                "global_defs {\n  router_id x\n}\ninclude conf.d/*.conf\n");
            File.WriteAllText(Path.Combine(dir.FullName, "conf.d", "10-web.conf"),
                "virtual_server 10.0.0.1 80 {\n  lvs_sched rr\n  lvs_method DR\n  protocol TCP\n  include rs/{a,b}.conf\n}\n");
            File.WriteAllText(Path.Combine(dir.FullName, "conf.d", "20-dns.conf"),
                "virtual_server 10.0.0.1 53 {\n  lvs_sched rr\n  lvs_method DR\n  protocol UDP\n  real_server 10.0.0.9 53 {\n    weight x\n  }\n}\n");
            File.WriteAllText(Path.Combine(dir.FullName, "conf.d", "rs", "a.conf"), "real_server 10.0.0.2 80\n");
            File.WriteAllText(Path.Combine(dir.FullName, "conf.d", "rs", "b.conf"), "real_server 10.0.0.3 80 {\n  TCP_CHECK {\n    bogus 1\n  }\n}\n");
            string main = Path.Combine(dir.FullName, "keepalived.conf");
            // an error in an included file names that file and its line
            var ex = Assert.Throws<LvsException>(() => KeepalivedConfParser.ParseFile(main, null, "/etc/services"));
            Assert.StartsWith(Path.Combine(dir.FullName, "conf.d", "20-dns.conf") + ":6: invalid weight 'x'", ex.Message);

            File.WriteAllText(Path.Combine(dir.FullName, "conf.d", "20-dns.conf"), "! nothing\n");
            var c = KeepalivedConfParser.ParseFile(main, null, "/etc/services");
            var web = Assert.Single(c.Services);
            Assert.Equal(new[] { "10.0.0.2", "10.0.0.3" }, web.RealServers.Select(r => r.RealAddress.ToString()));
            Assert.Equal(Path.Combine(dir.FullName, "conf.d", "10-web.conf"), web.SourceFile);
            Assert.Contains($"{Path.Combine(dir.FullName, "conf.d", "rs", "b.conf")}:3: 'bogus' in TCP_CHECK is not kept: LvsPS does not support it", c.Warnings);
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void KeepalivedsCorrectionsAreRepeated()
    {
        var c = Parse(
            "virtual_server fwmark 5 {\n  lvs_sched rr\n  lvs_method DR\n  real_server 10.0.0.2 80\n  real_server 10.0.0.3 {\n    lvs_method NAT\n  }\n}\n" +
            "virtual_server 10.0.0.1 80 {\n  lvs_sched rr\n  lvs_method NAT\n  protocol TCP\n  quorum 9\n  sorry_server 10.0.0.2 80\n" +
            "  real_server 10.0.0.2 80 {\n    weight 2\n    inhibit_on_failure\n  }\n  real_server 10.0.0.3 80 {\n    weight 3\n  }\n}\n");
        var fwm = c.Services[0];
        Assert.Equal(new ushort[] { 0, 0 }, fwm.RealServers.Select(r => r.RealPort)); // a fwmark service with DR clears the port
        var web = c.Services[1];
        Assert.Equal(5, web.Health!.Quorum);                            // reduced to the total weight
        Assert.True(web.Health.SorryServerInhibit);                     // the sorry server is a real server with inhibit_on_failure
        Assert.Contains(c.Warnings, w => w.StartsWith("keepalived.conf:4: real server 10.0.0.2 port 80 of fwmark 5: keepalived clears the port", StringComparison.Ordinal));
        Assert.Contains(c.Warnings, w => w.Contains("quorum 9 of TCP 10.0.0.1:80 exceeds the total weight of its real servers, 5", StringComparison.Ordinal));
    }
}
