namespace LvsPS.Management.Tests.Config;

/// <summary>
/// Firewall-mark services through the configuration formats: ipvsadm rules (-f), keepalived (virtual_server fwmark),
/// the writers (rules, keepalived, rc.lvs_dr) and the refusal of lvs_dr.conf; each written table reads back the same.
/// </summary>
public sealed class FwmarkConfigTests
{
    /// <summary>Rules as a person writes them: fwmark services between -t ones, long and short spellings, a port-less real server.</summary>
    private const string Rules =
        "# fwmark services\n" +
        "-A -f 1 -s rr\n" +
        "-a -f 1 -r 192.168.1.13 -g -w 1\n" +
        "-a -f1 -r 192.168.1.14:80 -g -w 2\n" +
        "ipvsadm -A --fwmark-service=4294967295 -s wlc -p 600 -M 255.255.255.0\n" +
        "-a --fwmark-service 4294967295 -r 192.168.1.15:8080 -m -w 3 -x 10 -y 5\n" +
        "-A -t 192.168.1.100:80 -s wlc\n" +
        "-a -t 192.168.1.100:80 -r 192.168.1.11:80 -g -w 1\n";

    /// <summary>
    /// What ipvsadm -S (and FormatSave) writes for the same table: sorted by mark first, so the services without one
    /// come before FWM 1; the u32 difference wraps into an int in ipvs_cmp_services, so mark 4294967295 comes first.
    /// As ipvsadm 1.31 -S printed it on kernel 6.1: the mark with "%d" (-1), and no thresholds.
    /// </summary>
    private const string Saved =
        "-A -f -1 -s wlc -p 600 -M 255.255.255.0\n" +
        "-a -f -1 -r 192.168.1.15:8080 -m -w 3\n" +
        "-A -t 192.168.1.100:80 -s wlc\n" +
        "-a -t 192.168.1.100:80 -r 192.168.1.11:80 -g -w 1\n" +
        "-A -f 1 -s rr\n" +
        "-a -f 1 -r 192.168.1.13:0 -g -w 1\n" +
        "-a -f 1 -r 192.168.1.14:80 -g -w 2\n";

    // --- ipvsadm rules ----------------------------------------------------------------------------------------

    [Fact]
    public void RulesReadFwmarkServices()
    {
        var rules = ParseRules(Rules);
        Assert.Empty(rules.Warnings);
        Assert.Equal(3, rules.Services.Count);

        var fwm1 = rules.Services[0];
        Assert.Equal((1u, LvsProtocol.Tcp, IPAddress.Any, (ushort)0, LvsScheduler.Rr), (fwm1.FirewallMark, fwm1.Protocol, fwm1.VirtualAddress, fwm1.Port, fwm1.Scheduler));
        Assert.Equal(2, fwm1.Line);
        // without a port the real server is on port 0; with -g the given port stays (not forced to the service's)
        Assert.Equal(new[] { ("192.168.1.13", (ushort)0, 1), ("192.168.1.14", (ushort)80, 2) },
            fwm1.RealServers.Select(r => (r.RealAddress.ToString(), r.RealPort, r.Weight)));

        var fwmMax = rules.Services[1];
        Assert.Equal((4294967295u, 600u, IPAddress.Parse("255.255.255.0")), (fwmMax.FirewallMark, fwmMax.PersistentTimeout, fwmMax.PersistenceNetmask));
        var rs = Assert.Single(fwmMax.RealServers);
        Assert.Equal(((ushort)8080, LvsForwarding.Masq, 10, 5), (rs.RealPort, rs.Forwarding, rs.UpperThreshold, rs.LowerThreshold));

        Assert.Equal(0u, rules.Services[2].FirewallMark);
        Assert.Equal(Saved, IpvsadmFormatter.FormatSave(rules.ToLvsServices()));
        Assert.Equal(SavedWithThresholds, IpvsadmFormatter.FormatSave(rules.ToLvsServices(), includeThresholds: true));
    }

    /// <summary><see cref="Saved"/> with the real servers' thresholds (Export-LvsConfiguration -IncludeThresholds).</summary>
    private static readonly string SavedWithThresholds = Saved.Replace("-m -w 3\n", "-m -w 3 -x 10 -y 5\n");

    [Fact]
    public void SavedRulesAreAFixedPoint()
    {
        // The signed mark reads back to the same mark (4294967295), and the text comes out the same.
        var once = IpvsadmFormatter.FormatSave(ParseRules(Saved).ToLvsServices());
        Assert.Equal(Saved, once);
        Assert.Equal(4294967295u, ParseRules(once).Services[0].FirewallMark);
        Assert.Equal(Saved, ConfigurationWriter.WriteIpvsadmRules(ParseRules(once).ToLvsServices()));
        var thresholds = ParseRules(SavedWithThresholds);
        Assert.Equal((10, 5), (thresholds.Services[0].RealServers[0].UpperThreshold, thresholds.Services[0].RealServers[0].LowerThreshold));
        Assert.Equal(SavedWithThresholds, ConfigurationWriter.WriteIpvsadmRules(thresholds.ToLvsServices(), includeThresholds: true));
    }

    [Fact]
    public void FwmarkServicesAreToldApartByTheirMark()
    {
        // the same "address" (0.0.0.0:0, TCP) for two marks is two services, and -f 1 is not -t 0.0.0.0
        var rules = ParseRules("-A -f 1\n-A -f 2\n-a -f 2 -r 10.0.0.2\n-a -f 1 -r 10.0.0.2\n");
        Assert.Equal(new[] { 1u, 2u }, rules.Services.Select(s => s.FirewallMark));
        Assert.All(rules.Services, s => Assert.Single(s.RealServers));
    }

    // --- keepalived -------------------------------------------------------------------------------------------

    private const string Keepalived =
        "virtual_server fwmark 1 {\n" +
        "    delay_loop 6\n" +
        "    lvs_sched rr\n" +
        "    lvs_method DR\n" +
        "    persistence_timeout 600\n" +
        "    protocol UDP   ! no effect: the mark selects the packets\n" +
        "    real_server 192.168.1.13 {\n" +
        "        weight 1\n" +
        "    }\n" +
        "    real_server 192.168.1.14 8080 {\n" +
        "        weight 2\n" +
        "        TCP_CHECK {\n" +
        "            connect_timeout 3\n" +
        "        }\n" +
        "    }\n" +
        "}\n" +
        "virtual_server 192.168.1.100 80 {\n" +
        "    lvs_method DR\n" +
        "    protocol TCP\n" +
        "    real_server 192.168.1.11 80 {\n" +
        "    }\n" +
        "}\n";

    [Fact]
    public void KeepalivedReadsVirtualServerFwmark()
    {
        var conf = ParseKeepalived(Keepalived);
        // no "defaulting to UDP"; keepalived's warnings: the protocol is ignored, and (since keepalived 2.0.x) a DR real
        // server of a fwmark service has its port cleared
        Assert.Equal(new[]
        {
            "keepalived.conf:6: protocol given for a fwmark service; keepalived ignores it (the mark selects the packets)",
            "keepalived.conf:10: real server 192.168.1.14 port 8080 of fwmark 1: keepalived clears the port of a DR or TUN real server of a fwmark service, and so does this import",
        }, conf.Warnings);
        Assert.Equal(2, conf.Services.Count);
        var fwm = conf.Services[0];
        Assert.Equal((1u, LvsProtocol.Tcp, IPAddress.Any, (ushort)0, LvsScheduler.Rr, 600u, 1),
            (fwm.FirewallMark, fwm.Protocol, fwm.VirtualAddress, fwm.Port, fwm.Scheduler, fwm.PersistentTimeout, fwm.Line));
        Assert.Equal(new[] { ("192.168.1.13", (ushort)0, 1), ("192.168.1.14", (ushort)0, 2) },
            fwm.RealServers.Select(r => (r.RealAddress.ToString(), r.RealPort, r.Weight)));
        Assert.All(fwm.RealServers, r => Assert.Equal(LvsForwarding.Route, r.Forwarding));
        Assert.Equal(new[] { "TCP_CHECK" }, conf.HealthChecksOf(fwm.RealServers[1]));
        Assert.Equal(0u, conf.Services[1].FirewallMark);

        Assert.Equal(
            "-A -t 192.168.1.100:80 -s wlc\n" +
            "-a -t 192.168.1.100:80 -r 192.168.1.11:80 -g -w 1\n" +
            "-A -f 1 -s rr -p 600\n" +
            "-a -f 1 -r 192.168.1.13:0 -g -w 1\n" +
            "-a -f 1 -r 192.168.1.14:0 -g -w 2\n",
            IpvsadmFormatter.FormatSave(conf.ToLvsServices()));
    }

    [Fact]
    public void KeepalivedFwmarkWithoutRealServersIsIgnoredWithAWarning()
    {
        var conf = ParseKeepalived("virtual_server fwmark 9 {\n  lvs_sched rr\n}\n");
        Assert.Empty(conf.Services);
        Assert.Equal(new[] { "keepalived.conf:1: virtual_server fwmark 9 has no real servers; keepalived ignores it, and so does this import" }, conf.Warnings);
    }

    // --- writers ----------------------------------------------------------------------------------------------

    [Fact]
    public void KeepalivedWriterWritesVirtualServerFwmarkAndReadsBack()
    {
        var services = ParseRules(Rules).ToLvsServices();
        string text = ConfigurationWriter.WriteKeepalived(services);
        // no checker is invented; the DR real server's port is not written, since keepalived clears it
        Assert.Contains(
            "\nvirtual_server fwmark 1 {\n" +
            "    lvs_sched rr\n" +
            "    lvs_method DR\n" +
            "\n" +
            "    real_server 192.168.1.13 {\n" +
            "        weight 1\n" +
            "    }\n" +
            "\n" +
            "    real_server 192.168.1.14 {\n" +
            "        ! port 80 not written: keepalived clears the port of a DR or TUN real server of a fwmark service\n" +
            "        weight 2\n" +
            "    }\n" +
            "}\n", text);
        Assert.Contains(
            "\nvirtual_server fwmark 4294967295 {\n" +
            "    lvs_sched wlc\n" +
            "    lvs_method NAT\n" +
            "    persistence_timeout 600\n" +
            "    persistence_granularity 255.255.255.0\n" +
            "\n" +
            "    real_server 192.168.1.15 8080 {\n" +
            "        weight 3\n" +
            "        uthreshold 10\n" +
            "        lthreshold 5\n", text);
        Assert.DoesNotContain("0.0.0.0", text);
        Assert.DoesNotContain("_CHECK", text);

        var back = ParseKeepalived(text);
        Assert.Empty(back.Warnings);
        Assert.Equal(Saved.Replace("192.168.1.14:80", "192.168.1.14:0"), IpvsadmFormatter.FormatSave(back.ToLvsServices()));
        Assert.Equal(text.Replace("        ! port 80 not written: keepalived clears the port of a DR or TUN real server of a fwmark service\n", ""),
            ConfigurationWriter.WriteKeepalived(back.ToLvsServices()));
    }

    [Fact]
    public void LvsDrConfRefusesFwmarkServices()
    {
        var services = ParseRules(Rules).ToLvsServices();
        var ex = Assert.Throws<LvsException>(() => ConfigurationWriter.WriteLvsDrConf(services));
        Assert.Equal(ConfigurationWriter.NotExportableErrorId, ex.ErrorId);
        Assert.Equal(LvsErrorKind.InvalidOperation, ex.Kind);
        Assert.Contains("FWM 1 is a firewall-mark service, which lvs_dr.conf cannot express; export it as IpvsadmRules or Keepalived", ex.Message);
    }

    [Fact]
    public void RcLvsDrLoadsFwmarkServices()
    {
        var services = ParseRules(
            "-A -t 192.168.0.101:80 -s rr\n" +
            "-a -t 192.168.0.101:80 -r 192.168.0.3:80 -g -w 1\n" +
            "-A -f 1 -s rr -p 600\n" +
            "-a -f 1 -r 192.168.0.3 -g -w 1\n" +
            "-a -f 1 -r 192.168.0.5:443 -g -w 2 -x 100\n").ToLvsServices();
        string script = ConfigurationWriter.WriteRcLvsDr(services);
        AssertShSyntax(script);

        Assert.Contains(
            "    ipvsadm -A -t '192.168.0.101:80' -s 'rr'\n" +
            "    ipvsadm -a -t '192.168.0.101:80' -r '192.168.0.3:80' -g -w '1'\n" +
            "    # FWM 1: packets get this mark from a firewall rule (e.g. iptables -t mangle ... -j MARK --set-mark 1), which is not written here\n" +
            "    ipvsadm -A -f '1' -s 'rr' -p '600'\n" +
            "    ipvsadm -a -f '1' -r '192.168.0.3:0' -g -w '1'\n" +
            "    ipvsadm -a -f '1' -r '192.168.0.5:443' -g -w '2' -x '100'\n", script);
        // the fwmark service's real servers are real servers too; its "address" is no VIP to hold
        Assert.Contains("    for rs in '192.168.0.3' '192.168.0.5'; do\n", script);
        Assert.Contains("    # FWM 1: the addresses its mark rule matches are not known here; hold them on the real servers like a VIP (/32, ARP hidden)\n", script);
        Assert.Contains("ip addr replace '192.168.0.101/32' dev 'lo' scope host\n", script);
        Assert.DoesNotContain("0.0.0.0", script);

        // only fwmark services: still a valid script
        string only = ConfigurationWriter.WriteRcLvsDr(services.Where(s => s.FirewallMark != 0));
        AssertShSyntax(only);
        Assert.DoesNotContain("ip addr replace", only);
    }

    [Fact]
    public void RcLvsDrStillRefusesNatForFwmarkServices()
    {
        var services = ParseRules("-A -f 3\n-a -f 3 -r 10.0.0.2:80 -m\n").ToLvsServices();
        var ex = Assert.Throws<LvsException>(() => ConfigurationWriter.WriteRcLvsDr(services));
        Assert.Contains("the real server 10.0.0.2:80 of FWM 3 uses Masq forwarding", ex.Message);
    }
}
