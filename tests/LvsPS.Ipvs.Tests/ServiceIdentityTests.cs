using System.Net;
using LvsPS.Ipvs.Model;
using LvsPS.Ipvs.Specs;

namespace LvsPS.Ipvs.Tests;

/// <summary>Which service a spec names: one rule for the cmdlets, the sync planner, ipvsadm's command line and the kernel backend.</summary>
public sealed class ServiceIdentityTests
{
    private static readonly IPAddress Vip = IPAddress.Parse("10.0.0.1");

    private static ServiceSpec Spec(LvsProtocol p, string addr, ushort port, uint mark = 0) =>
        new() { Protocol = p, Address = IPAddress.Parse(addr), Port = port, FirewallMark = mark, Scheduler = LvsScheduler.Wlc };

    private static LvsService Listed(LvsProtocol p, IPAddress addr, ushort port, uint mark = 0) =>
        new() { Protocol = p, VirtualAddress = addr, Port = port, FirewallMark = mark };

    [Fact]
    public void AnAddressServiceIsNamedByProtocolAddressAndPort_NotByItsSettings()
    {
        var id = Spec(LvsProtocol.Tcp, "10.0.0.1", 80);
        Assert.True(id.Names(Listed(LvsProtocol.Tcp, Vip, 80)));
        Assert.False(id.Names(Listed(LvsProtocol.Udp, Vip, 80)));
        Assert.False(id.Names(Listed(LvsProtocol.Tcp, Vip, 443)));
        Assert.False(id.Names(Listed(LvsProtocol.Tcp, IPAddress.Parse("10.0.0.2"), 80)));
        // a mark service that happens to carry the same address is another service
        Assert.False(id.Names(Listed(LvsProtocol.Tcp, Vip, 80, mark: 7)));
        var other = Spec(LvsProtocol.Tcp, "10.0.0.1", 80);
        other.Scheduler = LvsScheduler.Rr;
        Assert.True(id.SameServiceAs(other));
        Assert.False(id.SameServiceAs(Spec(LvsProtocol.Sctp, "10.0.0.1", 80)));
    }

    [Fact]
    public void AMarkServiceIsNamedByItsMarkAlone()
    {
        var id = Spec(LvsProtocol.Tcp, "0.0.0.0", 0, mark: 7);
        Assert.True(id.Names(Listed(LvsProtocol.Udp, IPAddress.Any, 0, mark: 7)));
        Assert.False(id.Names(Listed(LvsProtocol.Tcp, IPAddress.Any, 0, mark: 8)));
        Assert.False(id.Names(Listed(LvsProtocol.Tcp, Vip, 80)));
        Assert.True(id.SameServiceAs(Spec(LvsProtocol.Udp, "10.9.9.9", 53, mark: 7)));
        Assert.False(Spec(LvsProtocol.Tcp, "10.0.0.1", 80).SameServiceAs(id));
    }
}
