namespace LvsPS.Management.Tests.Config;

/// <summary>
/// lvs_dr.conf device names: every name Export-LvsConfiguration -Format LvsDrConf writes is read back the same by
/// Import-LvsConfiguration, and every name the export refuses the import refuses too (one rule for both).
/// </summary>
public sealed class LvsDrConfDeviceNameTests
{
    private static List<LvsService> Walkthrough() => new()
    {
        Svc("192.168.0.101", 80, LvsScheduler.Rr, kernelOrder: new[] { Rs("192.168.0.4", 80), Rs("192.168.0.3", 80) }),
    };

    /// <summary>Device names that occur: classic, predictable (systemd), VLAN, bridge, bond, veth, tunnel, wireless, aliases.</summary>
    public static TheoryData<string, string, string> Names() => new()
    {
        // VIP device, director device, real servers' VIP device
        { "eth0:101", "eth0", "lo" },
        { "eth0:1", "eth0", "lo:0" },
        { "enp0s31f6:101", "enp0s31f6", "dummy0" },
        { "ens3", "ens3", "tunl0" },
        { "eth0.100:vip", "eth0.100", "lvstun0" },
        { "br-lan:1", "br-lan", "lo:vip_1" },
        { "bond0", "bond0", "dummy_vip" },
        { "veth1_a-b", "veth1_a-b", "lo" },
        { "wlp2s0", "wlp2s0", "lo" },
        { "enx00e04c680001", "enx00e04c680001", "lo" }, // 15 characters
        { "vlan@eth0", "vlan@eth0", "lo" },
        { "wg+", "eth0", "gre0" },
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void ExportedDeviceNames_ImportBackTheSame(string vipDevice, string directorDevice, string serverVipDevice)
    {
        var options = new ConfigurationWriterOptions
        {
            DirectorAddress = IPAddress.Parse("192.168.0.1"),
            DirectorDevice = directorDevice,
            VipDevice = vipDevice,
            ServerVipDevice = serverVipDevice,
            ServerNetDevice = directorDevice,
        };
        string text = ConfigurationWriter.WriteLvsDrConf(Walkthrough(), options);
        var conf = LvsDrConfParser.Parse(text, "lvs_dr.conf", null, Services);
        Assert.Equal((vipDevice, directorDevice, serverVipDevice, directorDevice),
            (conf.VipDevice, conf.DirectorDevice, conf.ServerVipDevice, conf.ServerNetDevice));
    }

    /// <summary>Names Linux may allow but the configure format cannot carry (a '#' starts a comment, '$' and quotes are shell).</summary>
    [Theory]
    [InlineData("eth#0")]
    [InlineData("eth$0")]
    [InlineData("e'th0")]
    [InlineData("e\"th0")]
    [InlineData("eth0;x")]
    [InlineData("eth*")]
    [InlineData("ethé")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("eth0:")]
    [InlineData("eth0:a#b")]
    [InlineData("toolongname0123")] // 15: fine alone, but with ":1" 17
    public void ANameTheImportRefuses_IsNotExported(string device)
    {
        string vipDevice = device == "toolongname0123" ? device + ":1" : device;
        var options = new ConfigurationWriterOptions { VipDevice = vipDevice };
        var e = Assert.Throws<LvsException>(() => ConfigurationWriter.WriteLvsDrConf(Walkthrough(), options));
        Assert.Equal(ConfigurationWriter.NotExportableErrorId, e.ErrorId);
        Assert.Contains(vipDevice, e.Message);

        string conf = $"LVS_TYPE=VS_DR\nVIP={vipDevice} 192.168.0.101 255.255.255.255 192.168.0.101\nSERVICE=t 80 rr 192.168.0.3:80\n";
        var p = Assert.Throws<LvsException>(() => LvsDrConfParser.Parse(conf, "lvs_dr.conf", null, Services));
        Assert.Equal(LvsErrorIds.ConfigParseError, p.ErrorId);
    }

    [Fact]
    public void DirectorAndServerNetDevice_TakeNoAliasLabel_InEitherDirection()
    {
        const string device = "eth0:1";
        var e = Assert.Throws<LvsException>(() => ConfigurationWriter.WriteLvsDrConf(Walkthrough(),
            new ConfigurationWriterOptions { DirectorAddress = IPAddress.Parse("192.168.0.1"), DirectorDevice = device, VipDevice = "eth0:101" }));
        Assert.Equal(ConfigurationWriter.NotExportableErrorId, e.ErrorId);
        foreach (var line in new[] { $"DIRECTOR_INSIDEIP={device} 192.168.0.1", $"SERVER_NET_DEVICE={device}" })
        {
            string conf = $"LVS_TYPE=VS_DR\nVIP=eth0:101 192.168.0.101 255.255.255.255 192.168.0.101\n{line}\nSERVICE=t 80 rr 192.168.0.3:80\n";
            Assert.Equal(LvsErrorIds.ConfigParseError,
                Assert.Throws<LvsException>(() => LvsDrConfParser.Parse(conf, "lvs_dr.conf", null, Services)).ErrorId);
        }
    }
}
