using LvsPS.Management.Text;
using static LvsPS.Engine.Tests.EngineHarness;
using static LvsPS.Engine.Tests.PacketKit;

namespace LvsPS.Engine.Tests;

/// <summary>
/// A persistent service on port 0 (every port of the VIP), with real packets, as Linux 6.1 IPVS treats it:
/// ip_vs_service_find falls back to the VIP's port-zero service when no service has the packet's own port;
/// ip_vs_sched_persist makes one template per client for all ports (&lt;proto, caddr, 0, vaddr, 0&gt;, listed
/// "CLIENT:0 VIP:0 RIP:0") and the connection keeps the packet's destination port, also with NAT to a real server
/// given another port. Seen on the kernel: SYNs to 10.241.0.10:1234 and :5678 reached a Masq real server listed
/// :80 on ports 1234 and 5678, under one template "10.241.0.200:0 10.241.0.10:0 10.241.0.3:0"; a service
/// 10.241.0.10:1234 of its own took port 1234 from then on.
/// </summary>
public class EnginePortZeroTests
{
    private const uint OtherClient = 0x0AFA00C9; // 10.250.0.201

    private static ServiceSpec Any(uint persistent = 360, LvsProtocol protocol = LvsProtocol.Tcp)
    {
        var s = Spec(0, LvsScheduler.Rr, protocol);
        s.PersistentTimeout = persistent;
        return s;
    }

    /// <summary>VIP:0 persistent, Rs1 and Rs2 by direct routing (the list is [Rs2, Rs1]: rr picks Rs2 first).</summary>
    private static EngineHarness TwoServers(LvsProtocol protocol = LvsProtocol.Tcp)
    {
        var h = Resolved(Any(protocol: protocol), (Rs1, 1), (Rs2, 1));
        h.Sink.Clear();
        return h;
    }

    private static byte[]? Syn(EngineHarness h, ushort clientPort, ushort port, uint client = Client) =>
        h.Forward(h.Tcp(clientPort, Frames.Syn, 0, port, client: client));

    private static List<LvsConnection> Templates(EngineHarness h) =>
        h.Engine.ListConnections().Where(c => c.ClientPort == 0).ToList();

    [Fact]
    public void EveryPortOfTheVipGoesToThePort0Service_OneTemplatePerClient_PortsKept()
    {
        var h = TwoServers();

        var first = Syn(h, 40000, 1234);
        var second = Syn(h, 40001, 5678);

        // Direct routing: only the MACs change, so the destination port is the one the client used.
        Assert.Equal(Rs2, RealServerOf(first));
        Assert.Equal(Rs2, RealServerOf(second));
        Assert.Equal((ushort)1234, Get16(first!, 14 + 22));
        Assert.Equal((ushort)5678, Get16(second!, 14 + 22));
        var t = Assert.Single(Templates(h));
        Assert.Equal((Ip(Client), (ushort)0, Ip(Vip), (ushort)0, Ip(Rs2), (ushort)0, LvsConnectionState.None, 360),
            (t.ClientAddress, t.ClientPort, t.VirtualAddress, t.Port, t.RealAddress, t.RealPort, t.State, t.ExpiresInSeconds));
        var c = h.Connection(40001);
        Assert.Equal(((ushort)5678, Ip(Rs2), (ushort)5678), (c.Port, c.RealAddress, c.RealPort));

        // Another client is scheduled (rr: the next server) and gets a template of its own.
        Assert.Equal(Rs1, RealServerOf(Syn(h, 50000, 22, OtherClient)));
        Assert.Equal(2, Templates(h).Count);
        var rs2 = h.RealServer(Rs2, 0);
        Assert.Equal((2, 1), (rs2.ActiveConnections + rs2.InactiveConnections, rs2.PersistentConnections));
        Assert.Equal(3UL, h.Service(0).Statistics.Connections);
    }

    [Fact]
    public void AServiceOfThePacketsOwnPortWinsOverThePort0Service()
    {
        var h = TwoServers();
        h.AddService(Spec(1234, LvsScheduler.Rr), (Rs3, 1));
        h.Resolve(Rs3);
        h.Sink.Clear();

        Assert.Equal(Rs3, RealServerOf(Syn(h, 40010, 1234)));
        Assert.Equal(Rs2, RealServerOf(Syn(h, 40011, 4321)));
        Assert.Equal(1UL, h.Service(1234).Statistics.Connections);
        Assert.Equal(1UL, h.Service(0).Statistics.Connections);
    }

    [Fact]
    public void WithoutAPort0ServiceOtherPortsAreNotTaken()
    {
        var h = TwoServers();
        h.Engine.DeleteService(Any());
        h.AddService(Spec(80, LvsScheduler.Rr), (Rs1, 1));
        h.Sink.Clear();

        Assert.Null(Syn(h, 40000, 1234));
        Assert.Equal(Rs1, RealServerOf(Syn(h, 40001, 80)));
    }

    [Fact]
    public void UdpPort0ServiceKeepsThePortsToo()
    {
        var h = TwoServers(LvsProtocol.Udp);

        var a = h.Forward(h.Udp(40000, port: 53));
        var b = h.Forward(h.Udp(40001, port: 5353));

        Assert.Equal((Rs2, Rs2), (RealServerOf(a), RealServerOf(b)));
        Assert.Equal((ushort)5353, Get16(b!, 14 + 22));
        Assert.Single(Templates(h));
    }

    [Fact]
    public void Nat_ThePacketKeepsItsDestinationPort_EvenToARealServerGivenAnother_AndTheReplyComesBackFromIt()
    {
        var n = new NatHarness();
        var spec = Any();
        n.Engine.AddService(spec);
        n.Engine.AddRealServer(spec, Real(n.Rs(1), 1, LvsForwarding.Masq, 80));
        n.Resolve(1);
        n.Outside.Clear();
        n.Inside.Clear();

        var syn = PacketKit.Tcp(40000, Frames.Syn) with { DestinationPort = 1234 };
        var sent = n.FromClient(Frame(syn));

        AssertSameBytes(Frame(syn with { DstMac = n.RsMac(1), SrcMac = NatHarness.InsideMac, Destination = n.Rs(1), DestinationPort = 1234 }), sent);
        AssertChecksumsValid(sent!);
        var c = n.Connection(40000);
        Assert.Equal(((ushort)1234, (ushort)1234), (c.Port, c.RealPort));

        var reply = n.Reply(1, 1234, 40000, Frames.Syn | Frames.Ack);
        var back = n.FromServer(Frame(reply));
        AssertSameBytes(Frame(reply with { DstMac = ClientMac, SrcMac = DirectorMac, Source = Vip, SourcePort = 1234 }), back);

        // The real server is listed with the port it was given, the template with port 0.
        var listed = n.Engine.ListServices().Single();
        Assert.Equal((ushort)80, Assert.Single(listed.RealServers).RealPort);
        var t = Assert.Single(n.Engine.ListConnections(), x => x.ClientPort == 0);
        Assert.Equal(((ushort)0, (ushort)0), (t.Port, t.RealPort));
    }

    [Fact]
    public void RealServersAreListedAsIpvsadmListsThem()
    {
        var h = new EngineHarness();
        var spec = Any();
        h.Engine.AddService(spec);
        h.Engine.AddRealServer(spec, Real(Rs1, 1, LvsForwarding.Route, 0));
        h.Engine.AddRealServer(spec, Real(Rs2, 2, LvsForwarding.Route, 80)); // -g forces the service port: 0
        h.Engine.AddRealServer(spec, Real(Rs3, 2, LvsForwarding.Masq, 80));

        Assert.Equal(
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port Scheduler Flags\n" +
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n" +
            "TCP  10.250.0.101:0 rr persistent 360\n" +
            "  -> 10.250.0.3:0                 Route   1      0          0         \n" +
            "  -> 10.250.0.4:0                 Route   2      0          0         \n" +
            "  -> 10.250.0.5:80                Masq    2      0          0         \n",
            IpvsadmFormatter.FormatList(h.Engine.ListServices(), 4096));
        Assert.Equal(
            "-A -t 10.250.0.101:0 -s rr -p 360\n" +
            "-a -t 10.250.0.101:0 -r 10.250.0.3:0 -g -w 1\n" +
            "-a -t 10.250.0.101:0 -r 10.250.0.4:0 -g -w 2\n" +
            "-a -t 10.250.0.101:0 -r 10.250.0.5:80 -m -w 2\n",
            IpvsadmFormatter.FormatSave(h.Engine.ListServices()));

        // Named by port 0 they are found again: edit and delete.
        h.Engine.EditRealServer(spec, Real(Rs1, 5, LvsForwarding.Route, 0));
        Assert.Equal(5, h.RealServer(Rs1, 0).Weight);
        h.Engine.DeleteRealServer(spec, Real(Rs2));
        h.Engine.DeleteRealServer(spec, Real(Rs3, port: 80));
        Assert.Single(h.Service(0).RealServers);
    }

    [Fact]
    public void ANonPersistentPort0ServiceIsRefusedLikeIpvsadmDoes()
    {
        var h = new EngineHarness();
        h.AssertRefused(LvsErrorIds.InvalidPort, LvsErrorKind.InvalidArgument, () => h.Engine.AddService(Any(persistent: 0)));

        // ipvsadm -E without -p: "Zero port specified for non-persistent service" too.
        h.Engine.AddService(Any());
        h.AssertRefused(LvsErrorIds.InvalidPort, LvsErrorKind.InvalidArgument, () => h.Engine.EditService(Any(persistent: 0)));
        h.Engine.EditService(Any(persistent: 60));
        Assert.Equal(60u, h.Service(0).PersistentTimeout);
    }

    /// <summary>
    /// The same rule of ip_vs_sched_persist for a persistent firewall-mark service (its port is 0 too): on the kernel,
    /// "-A -f 5 -p 100; -a -f 5 -r 10.241.0.3:8080 -m" sent a SYN to port 1234 on to 10.241.0.3:1234, while a
    /// non-persistent "-A -f 6; -a -f 6 -r 10.241.0.4:8080 -m" sent port 1235 to 10.241.0.4:8080; the template was
    /// listed "IP ... 10.241.0.200:0 0.0.0.5:0 10.241.0.3:0".
    /// </summary>
    [Theory]
    [InlineData(100u, 1234)]
    [InlineData(0u, 8080)]
    public void FirewallMarkNat_PersistentKeepsThePacketsPort_NonPersistentTakesTheRealServers(uint persistent, int expectedPort)
    {
        var n = new NatHarness();
        var fwm = new ServiceSpec { FirewallMark = 5, Address = IPAddress.Any, Scheduler = LvsScheduler.Rr, PersistentTimeout = persistent };
        n.Engine.AddMarkRule(new MarkRuleSpec { Mark = 5, Address = Ip(Vip), PrefixLength = 32, Protocol = LvsProtocol.Tcp });
        n.Engine.AddService(fwm);
        n.Engine.AddRealServer(fwm, Real(n.Rs(1), 1, LvsForwarding.Masq, 8080));
        n.Resolve(1);
        n.Inside.Clear();

        var sent = n.FromClient(Frame(PacketKit.Tcp(40020, Frames.Syn) with { DestinationPort = 1234 }));

        Assert.Equal((ushort)expectedPort, Get16(sent!, 14 + 22));
        Assert.Equal((ushort)expectedPort, n.Connection(40020).RealPort);
        if (persistent != 0)
            Assert.Equal((ushort)0, n.Engine.ListConnections().Single(c => c.ClientPort == 0).RealPort);
    }
}
