using System.Net;
using LvsPS.Ipvs.Vrrp;

namespace LvsPS.Management.Tests.Config;

/// <summary>vrrp_instance blocks as the one keepalived.conf writer writes them, read back by the parser, and accepted by keepalived -t.</summary>
public sealed class KeepalivedVrrpWriterTests
{
    private static VrrpInstanceSpec V2() => new()
    {
        Name = "VI_web", Interface = "eth0", VirtualRouterId = 51, Priority = 150, Version = 2, AdvertIntervalCentiseconds = 100,
        Preempt = true, PreemptDelaySeconds = 2.5, InitialState = VrrpState.Backup,
        VirtualAddresses = { IPAddress.Parse("10.0.0.101"), IPAddress.Parse("10.0.0.102") },
        UnicastPeers = { IPAddress.Parse("10.0.0.2") }, SourceAddress = IPAddress.Parse("10.0.0.1"),
        AuthType = VrrpAuthType.Pass, AuthPassword = "s3cret", GarpMasterDelaySeconds = 1, GarpMasterRepeat = 3,
        NotifyMaster = "/usr/local/bin/became master", Notify = "/usr/local/bin/note",
    };

    [Fact]
    public void AV2InstanceIsWrittenWithEveryKeyword()
    {
        string text = ConfigurationWriter.WriteKeepalived(Array.Empty<ServiceSpec>(), new ConfigurationWriterOptions { VrrpInstances = new[] { V2() } });
        Assert.Equal(
            "! keepalived.conf: LVS virtual servers written by LvsPS\n" +
            "\nglobal_defs {\n    ! the notify commands run as root; keepalived refuses scripts without script security\n    enable_script_security\n    script_user root\n}\n" +
            "\nvrrp_instance VI_web {\n    state BACKUP\n    interface eth0\n    virtual_router_id 51\n    priority 150\n    version 2\n    advert_int 1\n" +
            "    preempt_delay 2.5\n    garp_master_delay 1\n    garp_master_repeat 3\n    higher_prio_send_advert true\n    unicast_src_ip 10.0.0.1\n    unicast_peer {\n        10.0.0.2\n    }\n" +
            "    authentication {\n        auth_type PASS\n        auth_pass s3cret\n    }\n" +
            "    virtual_ipaddress {\n        10.0.0.101/32 dev eth0\n        10.0.0.102/32 dev eth0\n    }\n" +
            "    notify_master \"/usr/local/bin/became master\"\n    notify /usr/local/bin/note\n}\n", text);
    }

    [Fact]
    public void EveryFieldReadsBack_V2AndAFractionalV3NopreemptInstance()
    {
        var v3 = new VrrpInstanceSpec
        {
            Name = "VI-2.b", Interface = "eth1", VirtualRouterId = 7, Priority = 90, Version = 3, AdvertIntervalCentiseconds = 25,
            Preempt = false, VirtualAddresses = { IPAddress.Parse("192.168.5.5") }, SourceAddress = IPAddress.Parse("192.168.5.1"),
        };
        var list = new[] { V2(), v3 };
        string text = ConfigurationWriter.WriteKeepalived(Array.Empty<ServiceSpec>(), new ConfigurationWriterOptions { VrrpInstances = list });
        Assert.Contains("    advert_int 0.25\n    nopreempt\n", text);
        Assert.Contains("    mcast_src_ip 192.168.5.1\n", text);
        var back = KeepalivedConfParser.Parse(text, "vrrp.conf", null, ConfigTestData.Services);
        Assert.Equal(list.Select(KeepalivedVrrpCorpusTests.Canon), back.VrrpInstances.Select(KeepalivedVrrpCorpusTests.Canon));
        Assert.DoesNotContain(back.Warnings, w => !w.EndsWith(": no virtual_server block", StringComparison.Ordinal));
        string file = WriteTemp(text);
        try
        {
            var check = KeepalivedVrrpCorpusTests.TestWithInterfaces(file, new[] { "eth0", "eth1" });
            Assert.True(check.ExitCode == 0, check.ToString());
        }
        finally { File.Delete(file); }
    }

    [Theory]
    [InlineData("true", false)]
    [InlineData("off", true)]
    public void HigherPrioSendAdvert_IsReadSilentlyWhenOn_AndOffIsSaidNotKept(string value, bool warned)
    {
        string body = $"vrrp_instance A {{\n interface eth0\n virtual_router_id 9\n version 3\n higher_prio_send_advert {value}\n virtual_ipaddress {{\n 10.1.1.1/32\n }}\n}}\n";
        var conf = KeepalivedConfParser.Parse(body, "a.conf", null, ConfigTestData.Services);
        Assert.Single(conf.VrrpInstances);
        Assert.Equal(warned, conf.Warnings.Any(w => w.Contains($"higher_prio_send_advert {value} is not kept", StringComparison.Ordinal)));
        Assert.DoesNotContain(conf.Warnings, w => w.Contains("'higher_prio_send_advert'", StringComparison.Ordinal));
    }

    [Fact]
    public void AnInstanceWithoutVersionTakesVrrpVersion_ElseKeepalivedsDefault2()
    {
        const string body = "vrrp_instance A {\n interface eth0\n virtual_router_id 9\n advert_int 0.5\n virtual_ipaddress {\n 10.1.1.1/24 dev eth0 label eth0:1\n }\n track_interface {\n eth1\n }\n}\n";
        var two = KeepalivedConfParser.Parse(body, "a.conf", null, ConfigTestData.Services);
        var a = Assert.Single(two.VrrpInstances);
        Assert.Equal((2, 100, 100), (a.Version, a.AdvertIntervalCentiseconds, a.Priority)); // v2: whole seconds
        Assert.Contains(two.Warnings, w => w.Contains("VRRPv2 sends whole seconds; advert_int 0.5 is read as 1", StringComparison.Ordinal)
                                           || w.Contains("advert_int 0.5 is read as", StringComparison.Ordinal));
        Assert.Contains(two.Warnings, w => w.Contains("'track_interface' in vrrp_instance A is not kept", StringComparison.Ordinal));
        var three = KeepalivedConfParser.Parse("global_defs {\n vrrp_version 3\n}\n" + body, "b.conf", null, ConfigTestData.Services);
        Assert.Equal((3, 50), (three.VrrpInstances[0].Version, three.VrrpInstances[0].AdvertIntervalCentiseconds));
    }

    private static string WriteTemp(string text)
    {
        string path = Path.Combine(Path.GetTempPath(), $"lvsps-vrrp-{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, text);
        return path;
    }
}
