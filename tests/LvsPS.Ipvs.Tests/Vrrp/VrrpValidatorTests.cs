using LvsPS.Ipvs.Vrrp;

namespace LvsPS.Ipvs.Tests.Vrrp;

/// <summary>A VRRP instance's rules: InvalidVrrpInstance with a message naming the instance and the bad value.</summary>
public sealed class VrrpValidatorTests
{
    private static VrrpInstanceSpec Good() => new()
    {
        Name = "VI_1", Interface = "eth0", VirtualRouterId = 51, Priority = 100,
        VirtualAddresses = { IPAddress.Parse("10.0.0.101") },
    };

    private static string Refused(Action<VrrpInstanceSpec> change)
    {
        var s = Good();
        change(s);
        var e = Assert.Throws<LvsException>(() => VrrpValidator.Instance(s));
        Assert.Equal((LvsErrorIds.InvalidVrrpInstance, LvsErrorKind.InvalidArgument), (e.ErrorId, e.Kind));
        return e.Message;
    }

    [Fact]
    public void AGoodInstance_Passes()
    {
        VrrpValidator.Instance(Good());
        var v2 = Good();
        v2.Version = 2; v2.AdvertIntervalCentiseconds = 300; v2.AuthType = VrrpAuthType.Pass; v2.AuthPassword = "12345678";
        v2.UnicastPeers.Add(IPAddress.Parse("10.0.0.2")); v2.Notify = "/usr/local/bin/vrrp-notify \"with space\" x";
        VrrpValidator.Instance(v2);
    }

    [Theory]
    [InlineData(0)] [InlineData(256)] [InlineData(-1)]
    public void Vrid_OutOfRange(int vrid) => Assert.Contains($"virtual_router_id {vrid} is out of range; use 1..255", Refused(s => s.VirtualRouterId = vrid));

    [Theory]
    [InlineData(0)] [InlineData(256)]
    public void Priority_OutOfRange(int p) => Assert.Contains($"priority {p} is out of range", Refused(s => s.Priority = p));

    [Fact]
    public void Version_Interval_PreemptDelay_Garp()
    {
        Assert.Contains("version 4 is not a VRRP version", Refused(s => s.Version = 4));
        Assert.Contains("advert_int 40.96 s (4096 cs) is out of range for VRRPv3", Refused(s => s.AdvertIntervalCentiseconds = 4096));
        Assert.Contains("(0 cs) is out of range", Refused(s => s.AdvertIntervalCentiseconds = 0));
        Assert.Contains("advert_int 0.25 s (25 cs) is not valid for VRRPv2", Refused(s => { s.Version = 2; s.AdvertIntervalCentiseconds = 25; }));
        Assert.Contains("advert_int 1.5 s (150 cs) is not valid for VRRPv2", Refused(s => { s.Version = 2; s.AdvertIntervalCentiseconds = 150; }));
        Assert.Contains("preempt_delay 1001 s is out of range", Refused(s => s.PreemptDelaySeconds = 1001));
        Assert.Contains("preempt_delay NaN", Refused(s => s.PreemptDelaySeconds = double.NaN));
        Assert.Contains("garp_master_repeat 0 is out of range", Refused(s => s.GarpMasterRepeat = 0));
        Assert.Contains("garp_master_delay -1 s", Refused(s => s.GarpMasterDelaySeconds = -1));
        Assert.Contains("state Fault cannot be the initial state", Refused(s => s.InitialState = VrrpState.Fault));
    }

    [Fact]
    public void Names_And_Interfaces()
    {
        Assert.Contains("the name 'bad name' is not", Refused(s => s.Name = "bad name"));
        Assert.Contains("the name '' is not", Refused(s => s.Name = ""));
        // The interface is checked by the one interface-name rule (Specs/InterfaceName): InvalidInterfaceName.
        foreach (var bad in new[] { "eth0/x", "averyveryverylongname" })
        {
            var s = Good();
            s.Interface = bad;
            var e = Assert.Throws<LvsException>(() => VrrpValidator.Instance(s));
            Assert.Equal(LvsErrorIds.InvalidInterfaceName, e.ErrorId);
            Assert.Contains(bad, e.Message);
        }
    }

    [Fact]
    public void Addresses()
    {
        Assert.Contains("it has no virtual_ipaddress", Refused(s => s.VirtualAddresses.Clear()));
        Assert.Contains("virtual_ipaddress 224.0.0.18 is not a unicast address", Refused(s => s.VirtualAddresses.Add(IPAddress.Parse("224.0.0.18"))));
        Assert.Contains("virtual_ipaddress 10.0.0.101 is listed twice", Refused(s => s.VirtualAddresses.Add(IPAddress.Parse("10.0.0.101"))));
        Assert.Contains("virtual_ipaddress '::1' is not an IPv4 address", Refused(s => s.VirtualAddresses.Add(IPAddress.IPv6Loopback)));
        Assert.Contains("unicast_peer 127.0.0.1 is not a unicast address", Refused(s => s.UnicastPeers.Add(IPAddress.Loopback)));
        Assert.Contains("the unicast_peer 10.0.0.101 is one of its VIPs", Refused(s => s.UnicastPeers.Add(IPAddress.Parse("10.0.0.101"))));
        Assert.Contains("unicast_src_ip 0.0.0.0", Refused(s => s.SourceAddress = IPAddress.Any));
    }

    [Fact]
    public void Authentication()
    {
        Assert.Contains("authentication (auth_type PASS) exists only in VRRPv2", Refused(s => { s.AuthType = VrrpAuthType.Pass; s.AuthPassword = "x"; }));
        Assert.Contains("auth_type PASS needs an auth_pass", Refused(s => { s.Version = 2; s.AuthType = VrrpAuthType.Pass; }));
        var tooLong = Refused(s => { s.Version = 2; s.AuthType = VrrpAuthType.Pass; s.AuthPassword = "123456789"; });
        Assert.Contains("the auth_pass has 9 characters; VRRPv2 carries 1..8", tooLong);
        Assert.DoesNotContain("123456789", tooLong);   // a secret is never echoed
        Assert.Contains("an auth_pass was given without auth_type PASS", Refused(s => s.AuthPassword = "x"));
    }

    [Fact]
    public void NotifyCommands_AreWords_WithAnAbsoluteProgram()
    {
        Assert.Equal(new[] { "/bin/echo", "a b", "c" }, VrrpValidator.CommandWords("VI_1", "notify", "/bin/echo 'a b' c"));
        Assert.Contains("the notify_master program 'echo' is not an absolute path", Refused(s => s.NotifyMaster = "echo hi"));
        Assert.Contains("the notify command is empty", Refused(s => s.Notify = "  "));
        Assert.Contains("has an unclosed \" quote", Refused(s => s.NotifyBackup = "/bin/echo \"x"));
    }
}
