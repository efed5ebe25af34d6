namespace LvsPS.Management.Tests.Config;

/// <summary>
/// SCTP services through the configuration formats: ipvsadm rules (--sctp-service), keepalived (protocol SCTP), the
/// writers (rules, keepalived, rc.lvs_dr) and the refusal of lvs_dr.conf; each written table reads back the same.
/// </summary>
public sealed class SctpConfigTests
{
    /// <summary>An SCTP and a TCP service on the same address and port: two services, as in the kernel.</summary>
    private static List<LvsService> Table() => new()
    {
        Svc("192.168.1.100", 80, LvsScheduler.Wlc, LvsProtocol.Tcp, 0, null, Rs("192.168.1.11", 80)),
        Svc("192.168.1.100", 80, LvsScheduler.Rr, LvsProtocol.Sctp, 0, null, Rs("192.168.1.12", 80, 2), Rs("192.168.1.11", 80, 1)),
        Svc("192.168.1.100", 3868, LvsScheduler.Sh, LvsProtocol.Sctp, 600, "255.255.255.0",
            Rs("192.168.1.13", 3869, 3, LvsForwarding.Masq, upper: 10, lower: 5)),
    };

    // --- ipvsadm rules ----------------------------------------------------------------------------------------

    [Fact]
    public void RulesReadSctpServices()
    {
        var rules = ParseRules(
            "-A --sctp-service 192.168.1.100:3868 -s rr\n" +
            "-a --sctp-service=192.168.1.100:3868 -r rs1:3868 -g -w 2\n" +
            "ipvsadm -A -t 192.168.1.100:3868 -s wlc\n" +
            "-a -t 192.168.1.100:3868 -r rs2 -g\n");
        Assert.Empty(rules.Warnings);
        Assert.Equal(2, rules.Services.Count);
        var sctp = rules.Services[0];
        Assert.Equal((LvsProtocol.Sctp, IPAddress.Parse("192.168.1.100"), (ushort)3868, LvsScheduler.Rr),
            (sctp.Protocol, sctp.VirtualAddress, sctp.Port, sctp.Scheduler));
        Assert.Equal("SCTP 192.168.1.100:3868", sctp.ToString());
        var rs = Assert.Single(sctp.RealServers);
        Assert.Equal(("192.168.0.3", (ushort)3868, 2), (rs.RealAddress.ToString(), rs.RealPort, rs.Weight));
        Assert.Equal(LvsProtocol.Tcp, rules.Services[1].Protocol);
        Assert.Equal(
            "-A -t 192.168.1.100:3868 -s wlc\n" +
            "-a -t 192.168.1.100:3868 -r 192.168.0.4:3868 -g -w 1\n" +
            "-A --sctp-service 192.168.1.100:3868 -s rr\n" +
            "-a --sctp-service 192.168.1.100:3868 -r 192.168.0.3:3868 -g -w 2\n",
            IpvsadmFormatter.FormatSave(rules.ToLvsServices()));
    }

    [Fact]
    public void RulesRoundTrip()
    {
        var table = Table();
        // With the thresholds, so that every value of the table comes back.
        string saved = ConfigurationWriter.WriteIpvsadmRules(table, includeThresholds: true);
        Assert.Contains("-A --sctp-service 192.168.1.100:80 -s rr\n", saved);
        var back = ParseRules(saved).ToLvsServices();
        Assert.Equal(Canon(table, sorted: true), Canon(back, sorted: true));
        Assert.Equal(saved, ConfigurationWriter.WriteIpvsadmRules(back, includeThresholds: true));
    }

    [Fact]
    public void RulesErrorsNameTheSctpService()
    {
        var ex = Assert.Throws<LvsException>(() => ParseRules(
            "-A --sctp-service 192.168.1.100:3868\n-A --sctp-service 192.168.1.100:3868\n"));
        Assert.Equal(LvsErrorIds.ConfigParseError, ex.ErrorId);
        Assert.StartsWith("rules:2: ", ex.Message);
        Assert.Contains("SCTP 192.168.1.100:3868", ex.Message);
    }

    // --- keepalived -------------------------------------------------------------------------------------------

    [Fact]
    public void KeepalivedReadsProtocolSctp()
    {
        var conf = ParseKeepalived(
            "virtual_server 192.168.1.100 3868 {\n" +
            "    lvs_sched rr\n" +
            "    lvs_method DR\n" +
            "    protocol sctp\n" +
            "    real_server 192.168.1.11 3868 {\n" +
            "        weight 2\n" +
            "    }\n" +
            "}\n");
        Assert.Empty(conf.Warnings);
        var svc = Assert.Single(conf.Services);
        Assert.Equal((LvsProtocol.Sctp, (ushort)3868, LvsScheduler.Rr), (svc.Protocol, svc.Port, svc.Scheduler));
        var rs = Assert.Single(svc.RealServers);
        Assert.Equal((LvsForwarding.Route, 2), (rs.Forwarding, rs.Weight));
    }

    [Fact]
    public void KeepalivedRoundTrip()
    {
        var table = Table();
        string text = ConfigurationWriter.WriteKeepalived(table);
        Assert.Contains("    protocol SCTP\n", text);
        Assert.DoesNotContain("_CHECK", text); // no checker is invented
        var conf = ParseKeepalived(text);
        Assert.Empty(conf.Warnings);
        var back = conf.ToLvsServices();
        Assert.Equal(Canon(table, sorted: true), Canon(back, sorted: true));
        Assert.Equal(text, ConfigurationWriter.WriteKeepalived(back));
        Assert.Empty(conf.HealthChecks);
    }

    // --- rc.lvs_dr and lvs_dr.conf ----------------------------------------------------------------------------

    [Fact]
    public void RcLvsDrLoadsSctpServicesWithTheLongOption()
    {
        var table = new List<LvsService> { Svc("192.168.1.100", 3868, LvsScheduler.Rr, LvsProtocol.Sctp, 0, null, Rs("192.168.1.11", 3868)) };
        string script = ConfigurationWriter.WriteRcLvsDr(table);
        Assert.Contains("ipvsadm -A --sctp-service '192.168.1.100:3868' -s 'rr'\n", script);
        Assert.Contains("ipvsadm -a --sctp-service '192.168.1.100:3868' -r '192.168.1.11:3868'", script);
        Assert.DoesNotContain(" -t ", script);
    }

    [Fact]
    public void LvsDrConfRefusesSctpServices()
    {
        var table = new List<LvsService> { Svc("192.168.1.100", 3868, LvsScheduler.Rr, LvsProtocol.Sctp, 0, null, Rs("192.168.1.11", 3868)) };
        var e = Assert.Throws<LvsException>(() => ConfigurationWriter.WriteLvsDrConf(table));
        Assert.Equal(ConfigurationWriter.NotExportableErrorId, e.ErrorId);
        Assert.Contains("SCTP 192.168.1.100:3868 is an SCTP service", e.Message);
    }

    [Fact]
    public void ServiceDefinitionsPrintSctp()
    {
        var def = new LvsServiceDefinition { Protocol = LvsProtocol.Sctp, VirtualAddress = IPAddress.Parse("10.0.0.1"), Port = 9 };
        Assert.Equal("SCTP 10.0.0.1:9", def.ToString());
    }
}
