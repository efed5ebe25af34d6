using LvsPS.Ipvs.Scheduling;
using LvsPS.Management.Text;

namespace LvsPS.Engine.Tests;

/// <summary>
/// Differences the engine/kernel comparison (tests/pester/EngineKernelDiff.Tests.ps1: the same traffic through lvsd
/// and through Debian's 6.1.192 kernel) found, fixed to the kernel's behaviour:
/// <list type="bullet">
/// <item>the overload mark follows ip_vs_dest_update_overload (6.1.y stable): an edit that changes a threshold
/// re-evaluates it (set at/over the upper threshold, cleared only below the lower one), instead of clearing it
/// whenever the upper threshold was raised;</item>
/// <item>a persistence template whose connection reaches ESTABLISHED is ASSURED (ip_vs_control_assure_ct) in -c.</item>
/// </list>
/// </summary>
public class EngineKernelParityTests
{
    private static RealServerSpec RealT(uint address, int upper, int lower = 0) =>
        new() { Address = Ip(address), Forwarding = LvsForwarding.Route, Weight = 1, UpperThreshold = upper, LowerThreshold = lower };

    private static (EngineHarness H, ServiceSpec S) OneServer(int upper, int lower = 0)
    {
        var h = new EngineHarness();
        var s = Spec(80, LvsScheduler.Rr);
        h.Engine.AddService(s);
        h.Engine.AddRealServer(s, RealT(Rs1, upper, lower));
        h.Resolve(Rs1);
        h.Sink.Clear();
        return (h, s);
    }

    [Fact]
    public void Edit_RaisingTheUpperThreshold_KeepsTheMarkWhileTheCountIsNotBelowTheLowerOne()
    {
        // The kernel case of the comparison: upper 2 reached with 2 connections, then -x 5 -y 1: 2 >= 1, still overloaded.
        var (h, s) = OneServer(upper: 2);
        h.Syn(40000);
        h.Syn(40001);
        Assert.True(h.RealServer(Rs1).Overloaded);

        h.Engine.EditRealServer(s, RealT(Rs1, upper: 5, lower: 1));

        Assert.True(h.RealServer(Rs1).Overloaded);
        ulong icmp = h.Engine.IcmpUnreachableSent;
        h.Forward(h.Tcp(40002, Frames.Syn));
        Assert.Equal(icmp + 1, h.Engine.IcmpUnreachableSent);   // refused: no server to schedule
        Assert.Equal(2, h.RealServer(Rs1).ActiveConnections);
    }

    [Fact]
    public void Edit_RaisingTheUpperThreshold_ClearsTheMarkBelowItsThreeQuarters()
    {
        // No lower threshold: 75 % of the new upper one, u - u/4 = 8 - 2 = 6; 2 < 6 clears the mark.
        var (h, s) = OneServer(upper: 2);
        h.Syn(40000);
        h.Syn(40001);

        h.Engine.EditRealServer(s, RealT(Rs1, upper: 8));

        Assert.False(h.RealServer(Rs1).Overloaded);
        Assert.Equal(Rs1, h.Syn(40002));
    }

    [Fact]
    public void Edit_KeepingTheThresholds_KeepsTheMark()
    {
        var (h, s) = OneServer(upper: 2);
        h.Syn(40000);
        h.Syn(40001);

        h.Engine.EditRealServer(s, new RealServerSpec { Address = Ip(Rs1), Forwarding = LvsForwarding.Route, Weight = 3, UpperThreshold = 2 });

        Assert.True(h.RealServer(Rs1).Overloaded);
    }

    [Theory]
    // upper, lower, connections, overloaded before -> after
    [InlineData(0, 0, 5, true, false)]   // no upper threshold: never overloaded
    [InlineData(4, 0, 4, false, true)]   // at the upper threshold: set
    [InlineData(4, 0, 3, true, true)]    // 3 >= 4 - 1: kept
    [InlineData(4, 0, 2, true, false)]   // 2 < 3: cleared
    [InlineData(4, 0, 2, false, false)]
    [InlineData(10, 2, 2, true, true)]   // the lower threshold given: 2 >= 2 kept
    [InlineData(10, 2, 1, true, false)]
    [InlineData(3, 0, 2, true, false)]   // 3 - 0 = 3: 2 < 3 cleared (as the old 2 * 4 < 3 * 3)
    public void UpdateOverload_FollowsTheKernelsRule(int upper, int lower, int connections, bool before, bool after)
    {
        var d = new Destination(Ip(Rs1), 80, LvsForwarding.Route, 1)
        {
            UpperThreshold = upper, LowerThreshold = lower, ActiveConnections = connections, Overloaded = before,
        };
        d.UpdateOverload();
        Assert.Equal(after, d.Overloaded);
    }

    [Fact]
    public void Template_IsAssured_OnceItsConnectionIsEstablished()
    {
        var s = Spec(80, LvsScheduler.Rr);
        s.PersistentTimeout = 300;
        var h = Resolved(s, (Rs1, 1));
        h.Forward(h.Tcp(40000, Frames.Syn));
        var template = h.Engine.ListConnections().Single(c => c.ClientPort == 0);
        Assert.Equal(LvsConnectionState.None, template.State);

        h.Forward(h.Tcp(40000, Frames.Ack));

        template = h.Engine.ListConnections().Single(c => c.ClientPort == 0);
        Assert.Equal(LvsConnectionState.Assured, template.State);
        Assert.Contains(" ASSURED ", IpvsadmFormatter.FormatConnections(new[] { template }));
        Assert.Equal(LvsConnectionState.Assured, LvsPS.Management.Kernel.IpvsadmOutputParser.ParseState("ASSURED"));
    }

    [Fact]
    public void UdpTemplate_IsAssured_ByTheRealServersReply()
    {
        // udp_state_transition: only a packet in the output direction (a NAT reply) assures the template.
        var n = new NatHarness();
        var spec = Spec(53, LvsScheduler.Rr, LvsProtocol.Udp);
        spec.PersistentTimeout = 300;
        n.Engine.AddService(spec);
        n.Engine.AddRealServer(spec, Real(n.Rs(1), 1, LvsForwarding.Masq, 53));
        n.Resolve(1);
        Assert.NotNull(n.FromClient(PacketKit.Frame(PacketKit.Udp(40000, 53))));
        Assert.NotNull(n.FromClient(PacketKit.Frame(PacketKit.Udp(40000, 53))));
        LvsConnection Template() => n.Engine.ListConnections().Single(c => c.ClientPort == 0);
        Assert.Equal(LvsConnectionState.None, Template().State);

        Assert.NotNull(n.FromServer(PacketKit.Frame(n.Reply(1, 53, 40000, 0, 20, Frames.ProtoUdp))));

        Assert.Equal(LvsConnectionState.Assured, Template().State);
    }
}
