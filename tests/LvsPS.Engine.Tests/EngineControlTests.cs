using System.Text.Json;
using LvsPS.Ipvs.Scheduling;

namespace LvsPS.Engine.Tests;

/// <summary>Control-path validation: every refused call names the right error and changes nothing.</summary>
public class EngineControlTests
{
    /// <summary>A configured director: TCP 80 rr (rs1 w1, rs2 w3), UDP 53 wrr (rs1 w2), TCP 443 on VIP2 (rs3 w0).</summary>
    private static EngineHarness Configured()
    {
        var h = new EngineHarness();
        h.AddService(80, LvsScheduler.Rr, (Rs1, 1), (Rs2, 3));
        h.AddService(Spec(53, LvsScheduler.Wrr, LvsProtocol.Udp), (Rs1, 2));
        h.AddService(Spec(443, LvsScheduler.Wlc, vip: Vip2), (Rs3, 0));
        h.ResolveAll(Rs1, Rs2, Rs3);
        h.Syn(40000);
        h.Sink.Clear();
        return h;
    }

    private static void AssertRefused(EngineHarness h, string errorId, LvsErrorKind kind, Action call) =>
        h.AssertRefused(errorId, kind, call);

    public static IEnumerable<object[]> BadAddresses() => new[]
    {
        new object[] { "2001:db8::101" },
        new object[] { "::ffff:10.250.0.101" },
        new object[] { "224.0.0.1" },
        new object[] { "239.255.0.1" },
        new object[] { "0.0.0.0" },
        new object[] { "255.255.255.255" },
        new object[] { "127.0.0.1" },
    };

    [Theory]
    [MemberData(nameof(BadAddresses))]
    public void AddService_BadVirtualAddress_InvalidAddress(string address)
    {
        var h = Configured();
        var spec = new ServiceSpec { Address = IPAddress.Parse(address), Port = 8080, Scheduler = LvsScheduler.Rr };
        AssertRefused(h, LvsErrorIds.InvalidAddress, LvsErrorKind.InvalidArgument, () => h.Engine.AddService(spec));
    }

    [Fact]
    public void AddService_NullAddress_InvalidAddress()
    {
        var h = Configured();
        var spec = new ServiceSpec { Address = null!, Port = 8080 };
        AssertRefused(h, LvsErrorIds.InvalidAddress, LvsErrorKind.InvalidArgument, () => h.Engine.AddService(spec));
    }

    [Theory]
    [MemberData(nameof(BadAddresses))]
    public void RealServer_BadAddress_InvalidAddress(string address)
    {
        var h = Configured();
        var rs = new RealServerSpec { Address = IPAddress.Parse(address), Weight = 1 };
        AssertRefused(h, LvsErrorIds.InvalidAddress, LvsErrorKind.InvalidArgument, () => h.Engine.AddRealServer(Spec(80), rs));

        var spec = Spec(8080);
        spec.RealServers = new() { Real(Rs1), rs };
        AssertRefused(h, LvsErrorIds.InvalidAddress, LvsErrorKind.InvalidArgument, () => h.Engine.AddService(spec));
    }

    [Fact]
    public void AddService_Port0_InvalidPort()
    {
        var h = Configured();
        AssertRefused(h, LvsErrorIds.InvalidPort, LvsErrorKind.InvalidArgument, () => h.Engine.AddService(Spec(0)));
    }

    [Fact]
    public void Port65536_CannotReachTheEngine_TheDirectorJsonRefusesIt()
    {
        // ServiceSpec.Port is a ushort: 65536 cannot be expressed in-process. On the control socket the request does
        // not deserialize (the server answers DirectorProtocolError); the cmdlets refuse it with InvalidPort first.
        var h = Configured();
        int before = h.Engine.ListServices().Count;
        var dispatcher = new Dispatcher(h.Engine);
        foreach (var port in new[] { "65536", "-1" })
        {
            var json = "{\"op\":\"AddService\",\"args\":{\"service\":{\"protocol\":\"Tcp\",\"address\":\"10.250.0.109\",\"port\":" + port + ",\"scheduler\":\"Rr\"}}}";
            var reply = DirectorJson.Deserialize<DirectorReply>(dispatcher.Handle(json))!;
            Assert.False(reply.Ok);
            Assert.Equal(LvsErrorIds.DirectorProtocolError, reply.ErrorId);
        }
        Assert.Equal(before, h.Engine.ListServices().Count);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(65536)]
    [InlineData(int.MinValue)]
    [InlineData(int.MaxValue)]
    public void BadWeight_InvalidWeight(int weight)
    {
        var h = Configured();
        AssertRefused(h, LvsErrorIds.InvalidWeight, LvsErrorKind.InvalidArgument, () => h.Engine.AddRealServer(Spec(80), Real(Rs3, weight)));
        AssertRefused(h, LvsErrorIds.InvalidWeight, LvsErrorKind.InvalidArgument, () => h.Engine.EditRealServer(Spec(80), Real(Rs1, weight)));
        var spec = Spec(8080);
        spec.RealServers = new() { Real(Rs1, 1), Real(Rs2, weight) };
        AssertRefused(h, LvsErrorIds.InvalidWeight, LvsErrorKind.InvalidArgument, () => h.Engine.AddService(spec));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65535)]
    public void BoundaryWeights_AreAccepted(int weight)
    {
        var h = Configured();
        h.Engine.AddRealServer(Spec(80), Real(Rs3, weight));
        Assert.Equal(weight, h.RealServer(Rs3).Weight);
    }

    // Local is a real IPVS method lvsd does not implement (NotImplemented); 42 is no method at all (InvalidArgument,
    // as the shared validator and the ipvsadm builder say it): both with the same ErrorId.
    [Theory]
    [InlineData(LvsForwarding.Local, LvsErrorKind.NotImplemented)]
    [InlineData((LvsForwarding)42, LvsErrorKind.InvalidArgument)]
    public void LocalForwarding_ForwardingNotImplemented(LvsForwarding forwarding, LvsErrorKind kind)
    {
        var h = Configured();
        AssertRefused(h, LvsErrorIds.ForwardingNotImplemented, kind,
            () => h.Engine.AddRealServer(Spec(80), Real(Rs3, 1, forwarding, 8080)));
        AssertRefused(h, LvsErrorIds.ForwardingNotImplemented, kind,
            () => h.Engine.EditRealServer(Spec(80), Real(Rs1, 1, forwarding)));
        var spec = Spec(8080);
        spec.RealServers = new() { Real(Rs1, 1, forwarding) };
        AssertRefused(h, LvsErrorIds.ForwardingNotImplemented, kind, () => h.Engine.AddService(spec));
    }

    public static IEnumerable<object[]> AllSchedulers() => Enum.GetValues<LvsScheduler>().Select(k => new object[] { k });

    /// <summary>
    /// A scheduler the factory does not implement (mh, sh ... in the first slice) is refused with
    /// SchedulerNotImplemented and changes nothing; one it implements is accepted by AddService and EditService.
    /// </summary>
    [Theory]
    [MemberData(nameof(AllSchedulers))]
    public void Scheduler_NotImplementedIsRefused_ImplementedIsAccepted(LvsScheduler scheduler)
    {
        var h = Configured();
        if (!SchedulerFactory.IsImplemented(scheduler))
        {
            AssertRefused(h, LvsErrorIds.SchedulerNotImplemented, LvsErrorKind.NotImplemented, () => h.Engine.AddService(Spec(8080, scheduler)));
            AssertRefused(h, LvsErrorIds.SchedulerNotImplemented, LvsErrorKind.NotImplemented, () => h.Engine.EditService(Spec(80, scheduler)));
            return;
        }
        h.Engine.AddService(Spec(8080, scheduler));
        h.Engine.EditService(Spec(80, scheduler));
        Assert.Equal(scheduler, h.Service(8080).Scheduler);
        Assert.Equal(scheduler, h.Service(80).Scheduler);
    }

    [Fact]
    public void Mh_SchedulerNotImplemented_WhileTheFactoryLacksIt()
    {
        var h = Configured();
        if (SchedulerFactory.IsImplemented(LvsScheduler.Mh))
        {
            h.Engine.AddService(Spec(8080, LvsScheduler.Mh)); // implemented since: accepted
            return;
        }
        AssertRefused(h, LvsErrorIds.SchedulerNotImplemented, LvsErrorKind.NotImplemented, () => h.Engine.AddService(Spec(8080, LvsScheduler.Mh)));
    }

    [Fact]
    public void UndefinedSchedulerOrProtocol_Refused()
    {
        var h = Configured();
        AssertRefused(h, LvsErrorIds.InvalidScheduler, LvsErrorKind.InvalidArgument, () => h.Engine.AddService(Spec(8080, (LvsScheduler)99)));
        AssertRefused(h, LvsErrorIds.InvalidProtocol, LvsErrorKind.InvalidArgument, () => h.Engine.AddService(Spec(8080, protocol: (LvsProtocol)1)));
    }

    [Fact]
    public void DuplicateService_ServiceExists()
    {
        var h = Configured();
        AssertRefused(h, LvsErrorIds.ServiceExists, LvsErrorKind.ResourceExists, () => h.Engine.AddService(Spec(80, LvsScheduler.Wlc)));
        var withServers = Spec(80);
        withServers.RealServers = new() { Real(Rs3) };
        AssertRefused(h, LvsErrorIds.ServiceExists, LvsErrorKind.ResourceExists, () => h.Engine.AddService(withServers));

        // The same port on another protocol or another VIP is another service.
        h.Engine.AddService(Spec(80, protocol: LvsProtocol.Udp));
        h.Engine.AddService(Spec(80, vip: Vip2));
        Assert.Equal(5, h.Engine.ServiceCount);
    }

    [Fact]
    public void DuplicateRealServer_RealServerExists()
    {
        var h = Configured();
        AssertRefused(h, LvsErrorIds.RealServerExists, LvsErrorKind.ResourceExists, () => h.Engine.AddRealServer(Spec(80), Real(Rs1, 5)));
        // DR forces the service port: a different port given for the same address is the same real server.
        AssertRefused(h, LvsErrorIds.RealServerExists, LvsErrorKind.ResourceExists, () => h.Engine.AddRealServer(Spec(80), Real(Rs1, 5, port: 8080)));

        var spec = Spec(8080);
        spec.RealServers = new() { Real(Rs1), Real(Rs2), Real(Rs1, 2) };
        AssertRefused(h, LvsErrorIds.RealServerExists, LvsErrorKind.ResourceExists, () => h.Engine.AddService(spec));
    }

    [Fact]
    public void UnknownService_ServiceNotFound()
    {
        var h = Configured();
        var unknown = Spec(8080);
        AssertRefused(h, LvsErrorIds.ServiceNotFound, LvsErrorKind.ObjectNotFound, () => h.Engine.EditService(Spec(8080, LvsScheduler.Wlc)));
        AssertRefused(h, LvsErrorIds.ServiceNotFound, LvsErrorKind.ObjectNotFound, () => h.Engine.DeleteService(unknown));
        AssertRefused(h, LvsErrorIds.ServiceNotFound, LvsErrorKind.ObjectNotFound, () => h.Engine.AddRealServer(unknown, Real(Rs1)));
        AssertRefused(h, LvsErrorIds.ServiceNotFound, LvsErrorKind.ObjectNotFound, () => h.Engine.EditRealServer(unknown, Real(Rs1)));
        AssertRefused(h, LvsErrorIds.ServiceNotFound, LvsErrorKind.ObjectNotFound, () => h.Engine.DeleteRealServer(unknown, Real(Rs1)));
        AssertRefused(h, LvsErrorIds.ServiceNotFound, LvsErrorKind.ObjectNotFound, () => h.Engine.Zero(unknown));
        // Same address and port, other protocol.
        AssertRefused(h, LvsErrorIds.ServiceNotFound, LvsErrorKind.ObjectNotFound, () => h.Engine.DeleteService(Spec(80, protocol: LvsProtocol.Udp)));
        AssertRefused(h, LvsErrorIds.ServiceNotFound, LvsErrorKind.InvalidArgument, () => h.Engine.DeleteService(null!));
    }

    [Fact]
    public void UnknownRealServer_RealServerNotFound()
    {
        var h = Configured();
        AssertRefused(h, LvsErrorIds.RealServerNotFound, LvsErrorKind.ObjectNotFound, () => h.Engine.EditRealServer(Spec(80), Real(Rs3, 2)));
        AssertRefused(h, LvsErrorIds.RealServerNotFound, LvsErrorKind.ObjectNotFound, () => h.Engine.DeleteRealServer(Spec(80), Real(Rs3)));
    }

    [Fact]
    public void AcceptedCalls_ChangeTheState()
    {
        var h = Configured();
        h.Engine.EditRealServer(Spec(80), Real(Rs1, 7));
        h.Engine.EditService(Spec(80, LvsScheduler.Wrr));
        h.Engine.DeleteRealServer(Spec(80), Real(Rs2, port: 80));

        var svc = h.Engine.ExportState().Services[0];
        Assert.Equal(LvsScheduler.Wrr, svc.Scheduler);
        var rs = Assert.Single(svc.RealServers);
        Assert.Equal((Ip(Rs1), 7, (ushort)80), (rs.Address, rs.Weight, rs.Port));

        h.Engine.Clear();
        Assert.Empty(h.Engine.ExportState().Services);
        Assert.Empty(h.Engine.VirtualAddresses);
        Assert.Equal(0, h.Engine.ConnectionCount);
    }

    // ------------------------------------------------------------------ restart restore

    [Fact]
    public void ExportState_RoundTrip_PreservesOrderWeightsAndScheduling()
    {
        var a = new EngineHarness();
        a.AddService(80, LvsScheduler.Rr, (Rs1, 1), (Rs2, 3), (Rs3, 0));
        a.AddService(Spec(53, LvsScheduler.Wrr, LvsProtocol.Udp), (Rs3, 2), (Rs1, 5));
        a.AddService(Spec(443, LvsScheduler.Wlc, vip: Vip2), (Rs2, 65535));
        var exported = a.Engine.ExportState();

        // What the state file holds, read back by a restarted director.
        var file = DirectorJson.Serialize(exported);
        var restoredState = DirectorJson.Deserialize<DirectorState>(file)!;
        var b = new EngineHarness();
        foreach (var s in restoredState.Services) b.Engine.AddService(s);

        Assert.Equal(file, DirectorJson.Serialize(b.Engine.ExportState()));
        Assert.Equal(new[] { Ip(Rs3), Ip(Rs2), Ip(Rs1) }, b.Service(80).RealServers.Select(r => r.RealAddress));
        Assert.Equal(new[] { 0, 3, 1 }, b.Service(80).RealServers.Select(r => r.Weight));
        Assert.Equal(new[] { Ip(Rs1), Ip(Rs3) }, b.Service(53, LvsProtocol.Udp).RealServers.Select(r => r.RealAddress));
        Assert.Equal(new[] { Vip, Vip2 }, b.Engine.VirtualAddresses);

        // The restored director schedules exactly as the original.
        a.ResolveAll(Rs1, Rs2, Rs3);
        b.ResolveAll(Rs1, Rs2, Rs3);
        var pa = Enumerable.Range(0, 8).Select(i => a.Syn((ushort)(41000 + i))).ToList();
        var pb = Enumerable.Range(0, 8).Select(i => b.Syn((ushort)(41000 + i))).ToList();
        Assert.Equal(pa, pb);
        Assert.DoesNotContain((uint?)Rs3, pb);
    }
}
