using System.Net;
using LvsPS.Ipvs.Model;
using LvsPS.Ipvs.Specs;
using LvsPS.Ipvs.Vrrp;

namespace LvsPS.Ipvs.Tests;

/// <summary>A VRRP instance's values with keepalived 2.2.7's ranges; each refusal names the bad value.</summary>
public sealed class VrrpValidatorTests
{
    private static VrrpInstanceSpec Good() => new()
    {
        Name = "VI_1", Interface = "eth0", VirtualRouterId = 51, Priority = 150, Version = 3, AdvertIntervalCentiseconds = 25,
        VirtualAddresses = { IPAddress.Parse("10.0.0.101") },
    };

    [Fact]
    public void AGoodInstanceAndAV2OneWithPassAreAccepted()
    {
        VrrpValidator.Instance(Good());
        var v2 = Good();
        v2.Version = 2; v2.AdvertIntervalCentiseconds = 100; v2.AuthType = VrrpAuthType.Pass; v2.AuthPassword = "secret12";
        v2.UnicastPeers.Add(IPAddress.Parse("10.0.0.2")); v2.SourceAddress = IPAddress.Parse("10.0.0.1");
        v2.Notify = "/usr/local/bin/note --to ops";
        VrrpValidator.Instance(v2);
    }

    public static TheoryData<Action<VrrpInstanceSpec>, string, string> Bad() => new()
    {
        { v => v.Name = "VI 1", LvsErrorIds.InvalidVrrpInstance, "'VI 1'" },
        { v => v.VirtualRouterId = 0, LvsErrorIds.InvalidVrrpInstance, "virtual_router_id 0" },
        { v => v.VirtualRouterId = 256, LvsErrorIds.InvalidVrrpInstance, "virtual_router_id 256" },
        { v => v.Priority = 0, LvsErrorIds.InvalidVrrpInstance, "priority 0" },
        { v => v.Version = 4, LvsErrorIds.InvalidVrrpInstance, "version 4" },
        { v => v.AdvertIntervalCentiseconds = 4096, LvsErrorIds.InvalidVrrpInstance, "4096 cs" },
        { v => { v.Version = 2; v.AdvertIntervalCentiseconds = 25; }, LvsErrorIds.InvalidVrrpInstance, "25 cs" },
        { v => v.PreemptDelaySeconds = 1001, LvsErrorIds.InvalidVrrpInstance, "1001" },
        { v => { v.Preempt = false; v.InitialState = VrrpState.Master; }, LvsErrorIds.InvalidVrrpInstance, "nopreempt" },
        { v => v.InitialState = VrrpState.Fault, LvsErrorIds.InvalidVrrpInstance, "Fault" },
        { v => v.VirtualAddresses.Clear(), LvsErrorIds.InvalidVrrpInstance, "no virtual_ipaddress" },
        { v => v.VirtualAddresses.Add(IPAddress.Parse("10.0.0.101")), LvsErrorIds.InvalidVrrpInstance, "10.0.0.101" },
        { v => v.VirtualAddresses.Add(IPAddress.Parse("2001:db8::1")), LvsErrorIds.InvalidVrrpInstance, "2001:db8::1" },
        { v => v.UnicastPeers.Add(IPAddress.Parse("224.0.0.18")), LvsErrorIds.InvalidVrrpInstance, "224.0.0.18" },
        { v => { v.AuthType = VrrpAuthType.Pass; v.AuthPassword = "x"; }, LvsErrorIds.InvalidVrrpInstance, "only in VRRPv2" },
        { v => { v.Version = 2; v.AdvertIntervalCentiseconds = 100; v.AuthType = VrrpAuthType.Pass; v.AuthPassword = "123456789"; }, LvsErrorIds.InvalidVrrpInstance, "1..8" },
        { v => v.GarpMasterRepeat = 0, LvsErrorIds.InvalidVrrpInstance, "repeat 0" },
        { v => v.NotifyMaster = "say hi", LvsErrorIds.InvalidVrrpInstance, "notify_master" },
        { v => v.Interface = "eth0:1", LvsErrorIds.InvalidInterfaceName, "eth0:1" },
    };

    [Theory]
    [MemberData(nameof(Bad))]
    public void ABadValueIsRefusedNamingIt(Action<VrrpInstanceSpec> change, string id, string named)
    {
        var v = Good();
        change(v);
        var e = Assert.Throws<LvsException>(() => VrrpValidator.Instance(v));
        Assert.Equal((id, LvsErrorKind.InvalidArgument), (e.ErrorId, e.Kind));
        Assert.Contains(named, e.Message);
    }
}
