namespace LvsPS.Engine.Tests;

/// <summary>Firewall-mark services fed by mark rules: lookup order, ports, ranges, persistence templates, validation.</summary>
public sealed class EngineFirewallMarkTests
{
    private static MarkRuleSpec Rule(uint mark, uint address, int prefix = 32, LvsProtocol? proto = LvsProtocol.Tcp, ushort from = 0, ushort to = 0) =>
        new() { Mark = mark, Address = Ip(address), PrefixLength = prefix, Protocol = proto, PortFrom = from, PortTo = to };

    private static ServiceSpec Fwm(uint mark, LvsScheduler scheduler = LvsScheduler.Rr, uint persistent = 0) =>
        new() { FirewallMark = mark, Address = IPAddress.Any, Scheduler = scheduler, PersistentTimeout = persistent };

    private static EngineHarness WithFwm(uint persistent = 0)
    {
        var h = new EngineHarness();
        h.Engine.AddMarkRule(Rule(1, Vip, from: 80, to: 80));
        h.Engine.AddMarkRule(Rule(1, Vip, from: 443, to: 443));
        h.Engine.AddService(Fwm(1, persistent: persistent));
        h.Engine.AddRealServer(Fwm(1), Real(Rs1));
        h.Engine.AddRealServer(Fwm(1), Real(Rs2));
        h.ResolveAll(Rs1, Rs2);
        h.Sink.Clear();
        return h;
    }

    [Fact]
    public void MarkedPackets_GoToTheFirewallMarkService_OnEveryMarkedPort()
    {
        var h = WithFwm();
        Assert.NotNull(h.Syn(40000, 80));
        Assert.NotNull(h.Syn(40001, 443));
        Assert.Null(h.Syn(40002, 8080)); // no rule, no address service: not forwarded
        var svc = h.Engine.ListServices().Single();
        Assert.Equal(1u, svc.FirewallMark);
        Assert.Equal(2ul, svc.Statistics.Connections);
        // The destination of a fwmark service keeps the port the client asked for.
        Assert.Equal(new ushort[] { 80, 443 }, h.Engine.ListConnections().OrderBy(c => c.Port).Select(c => c.RealPort).ToArray());
    }

    [Fact]
    public void FirewallMarkService_WinsOverTheAddressService()
    {
        var h = WithFwm();
        h.Engine.AddService(Spec(80));
        h.Engine.AddRealServer(Spec(80), Real(Rs3));
        h.Resolve(Rs3);
        Assert.NotEqual(Rs3, h.Syn(40000, 80));
        Assert.Equal(0ul, h.Engine.ListServices().Single(s => s.FirewallMark == 0).Statistics.Connections);
        h.Engine.DeleteMarkRule(Rule(1, Vip, from: 80, to: 80));
        Assert.Equal(Rs3, h.Syn(40001, 80));
    }

    [Fact]
    public void RangeRule_OwnsEveryAddressOfItsNetwork_ForArpAndForwarding()
    {
        var h = new EngineHarness();
        h.Engine.AddMarkRule(Rule(2, 0x0AFA0060, prefix: 29, proto: null)); // 10.250.0.96/29, any port, TCP and UDP
        h.Engine.AddService(Fwm(2));
        h.Engine.AddRealServer(Fwm(2), Real(Rs1));
        h.Resolve(Rs1);
        h.Sink.Clear();
        h.Process(TestFrames.ArpRequest(ClientMac, Client, 0x0AFA0063));
        Assert.Single(h.Sink.Arp);
        h.Sink.Clear();
        h.Process(TestFrames.ArpRequest(ClientMac, Client, 0x0AFA0068)); // .104 is outside the /29
        Assert.Empty(h.Sink.Arp);
        Assert.Equal(Rs1, RealServerOf(h.Forward(h.Tcp(40000, Frames.Syn, 0, 22, vip: 0x0AFA0061))));
        Assert.NotNull(h.Forward(h.Udp(40001, 20, 53, vip: 0x0AFA0067)));
        Assert.Contains(((uint)0x0AFA0060, 29), h.Engine.MarkRuleNets);
    }

    [Fact]
    public void PersistentFirewallMarkService_KeepsAClientOnOneServer_AcrossPorts()
    {
        var h = WithFwm(persistent: 300);
        var first = h.Syn(40000, 80);
        Assert.Equal(first, h.Syn(40001, 443));
        Assert.Equal(first, h.Syn(40002, 80));
        var template = h.Engine.ListConnections().Single(c => c.ClientPort == 0);
        Assert.Equal(LvsConnectionState.None, template.State);
        Assert.Equal(3, h.Engine.ListConnections().Count(c => c.ClientPort != 0));
    }

    [Fact]
    public void FirstMatchingRuleWins()
    {
        var h = new EngineHarness();
        h.Engine.AddMarkRule(Rule(3, Vip, from: 1000, to: 2000));
        h.Engine.AddMarkRule(Rule(4, Vip, proto: null));
        h.Engine.AddService(Fwm(3));
        h.Engine.AddService(Fwm(4));
        h.Engine.AddRealServer(Fwm(3), Real(Rs1));
        h.Engine.AddRealServer(Fwm(4), Real(Rs2));
        h.ResolveAll(Rs1, Rs2);
        Assert.Equal(Rs1, h.Syn(40000, 1500));
        Assert.Equal(Rs2, h.Syn(40001, 80));
    }

    [Fact]
    public void BadRulesAndServices_AreRefused_AndNothingChanges()
    {
        var h = WithFwm();
        var before = DirectorJson.Serialize(h.Engine.ExportState());
        void Refused(string id, Action a) => Assert.Equal(id, Assert.Throws<LvsException>(a).ErrorId);
        Refused(LvsErrorIds.InvalidFirewallMark, () => h.Engine.AddMarkRule(Rule(0, Vip)));
        Refused(LvsErrorIds.InvalidAddress, () => h.Engine.AddMarkRule(Rule(5, 0x0AFA0061, prefix: 29)));
        Refused(LvsErrorIds.InvalidAddress, () => h.Engine.AddMarkRule(Rule(5, Vip, prefix: 33)));
        Refused(LvsErrorIds.InvalidPort, () => h.Engine.AddMarkRule(Rule(5, Vip, from: 90, to: 80)));
        Refused(LvsErrorIds.MarkRuleExists, () => h.Engine.AddMarkRule(Rule(1, Vip, from: 80, to: 80)));
        Refused(LvsErrorIds.MarkRuleNotFound, () => h.Engine.DeleteMarkRule(Rule(9, Vip)));
        Refused(LvsErrorIds.ServiceExists, () => h.Engine.AddService(Fwm(1)));
        Refused(LvsErrorIds.ServiceNotFound, () => h.Engine.AddRealServer(Fwm(8), Real(Rs3)));
        Assert.Equal(before, DirectorJson.Serialize(h.Engine.ExportState()));
    }

    [Fact]
    public void RulesAndFirewallMarkServices_SurviveExportAndRestore()
    {
        var h = WithFwm();
        var state = h.Engine.ExportState();
        var fresh = new EngineHarness();
        foreach (var r in state.MarkRules) fresh.Engine.AddMarkRule(r);
        foreach (var s in state.Services) fresh.Engine.AddService(s);
        Assert.Equal(DirectorJson.Serialize(state), DirectorJson.Serialize(fresh.Engine.ExportState()));
        fresh.ResolveAll(Rs1, Rs2);
        Assert.NotNull(fresh.Syn(40000, 443));
    }
}
