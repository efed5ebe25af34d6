namespace LvsPS.Management.Tests.Kernel;

/// <summary>The kernel backend refuses the service's own VIP as its real server as lvsd does, before any ipvsadm runs.</summary>
public sealed class IpvsadmLoopTests
{
    private static ServiceSpec Web() => new() { Address = IPAddress.Parse("10.0.0.101"), Port = 80, Scheduler = LvsScheduler.Rr };

    [Fact]
    public void AddRealServer_TheServicesOwnVip_InvalidAddress()
    {
        var rs = new RealServerSpec { Address = IPAddress.Parse("10.0.0.101"), Weight = 1 };
        var e = Assert.Throws<LvsException>(() => IpvsadmCommandBuilder.AddRealServer(Web(), rs));
        Assert.Equal(LvsErrorIds.InvalidAddress, e.ErrorId);
    }

    [Fact]
    public void AddServiceWithRealServers_ListingItsOwnVip_InvalidAddress()
    {
        var svc = Web();
        svc.RealServers.Add(new RealServerSpec { Address = IPAddress.Parse("10.0.0.101"), Forwarding = LvsForwarding.Masq, Port = 8080, Weight = 1 });
        var e = Assert.Throws<LvsException>(() => IpvsadmCommandBuilder.AddServiceWithRealServers(svc));
        Assert.Equal(LvsErrorIds.InvalidAddress, e.ErrorId);
    }

    [Fact]
    public void AddRealServer_LocalToTheVip_IsTheKernelsLocalNode()
    {
        var rs = new RealServerSpec { Address = IPAddress.Parse("10.0.0.101"), Forwarding = LvsForwarding.Local, Weight = 1 };
        Assert.Contains("10.0.0.101", IpvsadmCommandBuilder.AddRealServer(Web(), rs).CommandLine);
    }
}
