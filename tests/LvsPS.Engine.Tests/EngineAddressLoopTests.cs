namespace LvsPS.Engine.Tests;

/// <summary>
/// Addresses that would make the director talk to itself: the service's own VIP as its real server, and the
/// director's own interface address (outside or inside) as a VIP. Refused, and nothing changes.
/// </summary>
public class EngineAddressLoopTests
{
    private static EngineHarness Configured()
    {
        var h = new EngineHarness();
        h.AddService(80, LvsScheduler.Rr, (Rs1, 1));
        h.ResolveAll(Rs1);
        h.Sink.Clear();
        return h;
    }

    [Fact]
    public void AddRealServer_TheServicesOwnVip_InvalidAddress()
    {
        var h = Configured();
        h.AssertRefused(LvsErrorIds.InvalidAddress, LvsErrorKind.InvalidArgument, () => h.Engine.AddRealServer(Spec(80), Real(Vip)));
    }

    [Fact]
    public void AddService_ListingItsOwnVipAsARealServer_InvalidAddress()
    {
        var h = Configured();
        var spec = Spec(443);
        spec.RealServers.Add(Real(Rs2));
        spec.RealServers.Add(Real(Vip, forwarding: LvsForwarding.Masq, port: 8443));
        h.AssertRefused(LvsErrorIds.InvalidAddress, LvsErrorKind.InvalidArgument, () => h.Engine.AddService(spec));
    }

    [Fact]
    public void AddService_OnTheDirectorsOwnAddress_InvalidAddress()
    {
        var h = Configured();
        h.AssertRefused(LvsErrorIds.InvalidAddress, LvsErrorKind.InvalidArgument, () => h.Engine.AddService(Spec(8080, vip: DirectorIp)));
        var thrown = Assert.Throws<LvsException>(() => h.Engine.AddService(Spec(8080, vip: DirectorIp)));
        Assert.Contains("10.250.0.1", thrown.Message);
        Assert.Contains("interface address", thrown.Message);
    }

    [Fact]
    public void AddService_OnTheDirectorsInsideAddress_InvalidAddress()
    {
        var n = new NatHarness();
        n.H.AssertRefused(LvsErrorIds.InvalidAddress, LvsErrorKind.InvalidArgument,
            () => n.Engine.AddService(Spec(8080, vip: NatHarness.InsideIp)));
    }

    [Fact]
    public void AddService_AnotherAddressOfTheSegment_IsTaken()
    {
        var h = Configured();
        h.Engine.AddService(Spec(8080, vip: Vip2));
        Assert.Equal(2, h.Engine.ServiceCount);
    }
}
