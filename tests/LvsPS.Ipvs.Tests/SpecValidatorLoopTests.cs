using System.Net;
using LvsPS.Ipvs.Model;
using LvsPS.Ipvs.Specs;

namespace LvsPS.Ipvs.Tests;

/// <summary>A service's own virtual address as one of its real servers: packets would loop back to the director.</summary>
public sealed class SpecValidatorLoopTests
{
    private static ServiceSpec Web(string vip = "10.0.0.101") =>
        new() { Address = IPAddress.Parse(vip), Port = 80, Scheduler = LvsScheduler.Rr };

    [Theory]
    [InlineData(LvsForwarding.Route, 0)]
    [InlineData(LvsForwarding.Tunnel, 0)]
    [InlineData(LvsForwarding.Masq, 0)]
    [InlineData(LvsForwarding.Masq, 8080)]
    public void RealServer_TheServicesOwnVip_IsRefused(LvsForwarding forwarding, ushort port)
    {
        var rs = new RealServerSpec { Address = IPAddress.Parse("10.0.0.101"), Port = port, Forwarding = forwarding, Weight = 1 };
        var e = Assert.Throws<LvsException>(() => SpecValidator.RealServer(Web(), rs));
        Assert.Equal((LvsErrorIds.InvalidAddress, LvsErrorKind.InvalidArgument), (e.ErrorId, e.Kind));
        Assert.Contains("10.0.0.101", e.Message);
        Assert.Contains("virtual address", e.Message);
        Assert.Equal(rs.Address, e.Target);
    }

    [Fact]
    public void Service_ListingItsOwnVipAsARealServer_IsRefused()
    {
        var svc = Web("2001:db8::101");
        svc.RealServers.Add(new RealServerSpec { Address = IPAddress.Parse("2001:db8::3"), Weight = 1 });
        svc.RealServers.Add(new RealServerSpec { Address = IPAddress.Parse("2001:db8::101"), Weight = 1 });
        var e = Assert.Throws<LvsException>(() => SpecValidator.Service(svc));
        Assert.Equal(LvsErrorIds.InvalidAddress, e.ErrorId);
    }

    [Fact]
    public void RealServer_LocalForwardingToTheVip_IsTheKernelsLocalNode_AndTaken()
    {
        // ipvsadm -a -t VIP:80 -r VIP: the kernel serves it on the director itself (LOCALNODE); no loop.
        var rs = new RealServerSpec { Address = IPAddress.Parse("10.0.0.101"), Forwarding = LvsForwarding.Local, Weight = 1 };
        Assert.Equal(80, SpecValidator.RealServer(Web(), rs));
    }

    [Fact]
    public void RealServer_AnotherVip_OrAFirewallMarkService_IsTaken()
    {
        var other = new RealServerSpec { Address = IPAddress.Parse("10.0.0.102"), Weight = 1 };
        Assert.Equal(80, SpecValidator.RealServer(Web(), other));
        var fwm = new ServiceSpec { FirewallMark = 7, Scheduler = LvsScheduler.Rr };
        var rs = new RealServerSpec { Address = IPAddress.Parse("10.0.0.101"), Weight = 1 };
        Assert.Equal(0, SpecValidator.RealServer(fwm, rs));
    }
}
