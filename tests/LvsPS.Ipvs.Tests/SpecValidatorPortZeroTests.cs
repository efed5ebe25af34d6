using System.Net;
using LvsPS.Ipvs.Model;
using LvsPS.Ipvs.Specs;

namespace LvsPS.Ipvs.Tests;

/// <summary>
/// Port 0 (every port of a VIP) as kernel 6.1 and ipvsadm 1.31 take it: "-A -t VIP:0 -s rr -p 360" is added and
/// listed as "TCP  VIP:0 rr persistent 360"; without -p ipvsadm says "Zero port specified for non-persistent service"
/// (exit 2), for -A and for -E. Real servers: "-r RIP -g" and "-r RIP:80 -g" are listed as RIP:0, "-r RIP:0 -m" as
/// RIP:0 and "-r RIP:80 -m" as RIP:80.
/// </summary>
public sealed class SpecValidatorPortZeroTests
{
    private static readonly IPAddress Vip = IPAddress.Parse("10.0.0.10");
    private static readonly IPAddress Rip = IPAddress.Parse("10.0.0.3");

    private static ServiceSpec Svc(uint persistent, LvsProtocol protocol = LvsProtocol.Tcp) =>
        new() { Protocol = protocol, Address = Vip, Port = 0, Scheduler = LvsScheduler.Rr, PersistentTimeout = persistent };

    [Theory]
    [InlineData(LvsProtocol.Tcp)]
    [InlineData(LvsProtocol.Udp)]
    [InlineData(LvsProtocol.Sctp)]
    public void APersistentServiceOnPort0IsAccepted(LvsProtocol protocol)
    {
        SpecValidator.Service(Svc(360, protocol));
        SpecValidator.PortZero(Svc(1, protocol));
    }

    [Fact]
    public void ANonPersistentServiceOnPort0IsRefusedWithInvalidPort()
    {
        var e = Assert.Throws<LvsException>(() => SpecValidator.Service(Svc(0)));
        Assert.Equal((LvsErrorIds.InvalidPort, LvsErrorKind.InvalidArgument), (e.ErrorId, e.Kind));
        Assert.Equal("The port 0 (every port) of TCP 10.0.0.10:0 is taken only by a persistent service; give a persistence timeout, "
                     + "or a port 1..65535 (ipvsadm: Zero port specified for non-persistent service).", e.Message);
        Assert.Equal(0, e.Target);
        Assert.Equal(LvsErrorIds.InvalidPort, Assert.Throws<LvsException>(() => SpecValidator.PortZero(Svc(0))).ErrorId);
    }

    [Fact]
    public void TheIdentityOfAPort0ServiceIsValidWithoutItsSettings()
    {
        // Deleting or naming the service needs only protocol, address and port.
        SpecValidator.ServiceIdentity(Svc(0));
        Assert.Equal((ushort)0, SpecValidator.ServicePort(0));
        Assert.Equal((ushort)80, SpecValidator.ServicePort(80));
        Assert.Equal(LvsErrorIds.InvalidPort, Assert.Throws<LvsException>(() => SpecValidator.ServicePort(65536)).ErrorId);
        Assert.Equal(LvsErrorIds.InvalidPort, Assert.Throws<LvsException>(() => SpecValidator.ServicePort(-1)).ErrorId);
    }

    [Fact]
    public void AFirewallMarkServiceNeedsNoPersistence()
    {
        SpecValidator.Service(new ServiceSpec { FirewallMark = 7, Address = IPAddress.Any, Scheduler = LvsScheduler.Rr });
    }

    [Theory]
    [InlineData(LvsForwarding.Route, 0, 0)]
    [InlineData(LvsForwarding.Route, 80, 0)]
    [InlineData(LvsForwarding.Tunnel, 80, 0)]
    [InlineData(LvsForwarding.Local, 0, 0)]
    [InlineData(LvsForwarding.Masq, 0, 0)]
    [InlineData(LvsForwarding.Masq, 80, 80)]
    public void RealServersGetThePortIpvsadmListsThemWith(LvsForwarding forwarding, int given, int listed)
    {
        var rs = new RealServerSpec { Address = Rip, Port = (ushort)given, Forwarding = forwarding };
        Assert.Equal((ushort)listed, SpecValidator.RealServer(Svc(360), rs));
    }

    [Fact]
    public void ARealServerListedTwiceOnPort0IsRefused()
    {
        var s = Svc(360);
        s.RealServers.Add(new RealServerSpec { Address = Rip, Port = 0 });
        s.RealServers.Add(new RealServerSpec { Address = Rip, Port = 80 }); // -g forces port 0: the same real server
        Assert.Equal(LvsErrorIds.RealServerExists, Assert.Throws<LvsException>(() => SpecValidator.Service(s)).ErrorId);
    }
}
