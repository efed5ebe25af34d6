using static LvsPS.Engine.Tests.PacketKit;

namespace LvsPS.Engine.Tests;

/// <summary>
/// One-armed LVS-NAT: no inside link, the real servers sit on the outside segment with the director as their
/// gateway; their replies arrive on link 0 addressed to the director's MAC. Also the capture-filter event.
/// </summary>
public class EngineOneArmedNatTests
{
    private static NatHarness OneArmed(ushort realPort = 8080)
    {
        var n = new NatHarness(insideLink: false);
        n.Service(80, LvsProtocol.Tcp, (1, realPort));
        return n;
    }

    [Fact]
    public void ClientPacket_GoesOutOnTheOutsideLink_Rewritten()
    {
        var n = OneArmed();
        var syn = Tcp(40000, Frames.Syn, 12);

        var sent = n.FromClient(Frame(syn));

        AssertSameBytes(Frame(syn with { DstMac = Rs1Mac, SrcMac = DirectorMac, Destination = Rs1, DestinationPort = 8080 }), sent);
        AssertChecksumsValid(sent!);
    }

    [Fact]
    public void ReplyOnLinkZero_ToTheDirectorMac_IsReverseTranslated()
    {
        var n = OneArmed();
        n.FromClient(Frame(Tcp(40000, Frames.Syn)));
        var synAck = n.Reply(1, 8080, 40000, Frames.Syn | Frames.Ack, 3);

        var back = n.FromServer(Frame(synAck), link: 0);

        AssertSameBytes(Frame(synAck with { DstMac = ClientMac, SrcMac = DirectorMac, Source = Vip, SourcePort = 80 }), back);
        AssertChecksumsValid(back!);
        Assert.Equal(1UL, n.H.Service().Statistics.OutPackets);
        Assert.Equal(43UL, n.H.Service().Statistics.OutBytes);
        Assert.Equal(LvsConnectionState.SynRecv, n.Connection(40000).State);
    }

    [Fact]
    public void ReplyOnLinkZero_NotToTheDirectorMac_IsIgnored()
    {
        var n = OneArmed();
        n.FromClient(Frame(Tcp(40000, Frames.Syn)));
        // The real server talking to the client directly (its gateway is not the director): not ours.
        var direct = n.Reply(1, 8080, 40000, Frames.Syn | Frames.Ack) with { DstMac = ClientMac };

        Assert.Null(n.FromServer(Frame(direct), link: 0));
        Assert.Equal(0UL, n.H.Service().Statistics.OutPackets);
    }

    [Fact]
    public void OtherTrafficToTheDirectorMac_IsIgnored()
    {
        var n = OneArmed();
        n.FromClient(Frame(Tcp(40000, Frames.Syn)));
        ulong dropped = n.Engine.FramesDropped;

        // The client talking to the director's own address, and a real server to some other host.
        Assert.Null(n.FromServer(Frame(Tcp(40001, Frames.Syn) with { Destination = DirectorIp }), link: 0));
        Assert.Null(n.FromServer(Frame(n.Reply(1, 8080, 40000, Frames.Ack) with { Destination = 0x08080808 }), link: 0));
        Assert.Equal(dropped, n.Engine.FramesDropped);
    }

    [Fact]
    public void FullExchange_OneArmed_StatesAndCounters()
    {
        var n = OneArmed();
        n.FromClient(Frame(Tcp(40000, Frames.Syn)));
        n.FromServer(Frame(n.Reply(1, 8080, 40000, Frames.Syn | Frames.Ack)), 0);
        n.FromClient(Frame(Tcp(40000, Frames.Ack)));
        Assert.Equal(LvsConnectionState.Established, n.Connection(40000).State);
        n.FromClient(Frame(Tcp(40000, Frames.Fin | Frames.Ack)));
        Assert.Equal(LvsConnectionState.CloseWait, n.Connection(40000).State);
        n.FromServer(Frame(n.Reply(1, 8080, 40000, Frames.Fin | Frames.Ack)), 0);
        Assert.Equal(LvsConnectionState.TimeWait, n.Connection(40000).State);

        var s = n.H.Service().Statistics;
        Assert.Equal((3UL, 2UL), (s.InPackets, s.OutPackets));
    }

    // ------------------------------------------------------------------ VirtualAddressesChanged(vips, natSources)

    private sealed class FilterLog
    {
        public IReadOnlyList<uint> Vips = Array.Empty<uint>();
        public IReadOnlyList<uint> NatSources = Array.Empty<uint>();
        public int Events;

        public FilterLog(DirectorEngine e) => e.VirtualAddressesChanged += (v, s) =>
        {
            Vips = v.ToArray();
            NatSources = s.ToArray();
            Events++;
        };
    }

    private static (EngineHarness, FilterLog) Logged()
    {
        var h = new EngineHarness();
        return (h, new FilterLog(h.Engine));
    }

    /// <summary>The last capture-filter event named these VIPs and NAT sources (in the engine's order).</summary>
    private static void AssertFilter(FilterLog log, uint[] vips, uint[] natSources)
    {
        Assert.Equal(vips, log.Vips);
        Assert.Equal(natSources, log.NatSources);
    }

    /// <summary>As <see cref="AssertFilter"/>, in any order.</summary>
    private static void AssertFilterSorted(FilterLog log, uint[] vips, uint[] natSources)
    {
        Assert.Equal(vips, log.Vips.OrderBy(x => x));
        Assert.Equal(natSources, log.NatSources.OrderBy(x => x));
    }

    [Fact]
    public void NatSources_ListTheRipsOfOneArmedMasqDestinations_Only()
    {
        var (h, log) = Logged();
        var web = Spec(80);
        h.Engine.AddService(web);
        AssertFilter(log, new[] { Vip }, Array.Empty<uint>());

        h.Engine.AddRealServer(web, Real(Rs1, 1, LvsForwarding.Masq, 8080));
        h.Engine.AddRealServer(web, Real(Rs2));                             // DR: not a NAT source
        h.Engine.AddRealServer(web, Real(Rs3, 1, LvsForwarding.Tunnel));    // tunnel: not a NAT source
        Assert.Equal(new[] { Rs1 }, log.NatSources);

        var dns = Spec(53, LvsScheduler.Rr, LvsProtocol.Udp, Vip2);
        h.Engine.AddService(dns);
        h.Engine.AddRealServer(dns, Real(Rs1, 1, LvsForwarding.Masq));      // same RIP again: listed once
        h.Engine.AddRealServer(dns, Real(Rs2, 1, LvsForwarding.Masq, 5353));
        AssertFilterSorted(log, new[] { Vip, Vip2 }, new[] { Rs1, Rs2 });

        h.Engine.DeleteService(dns);
        AssertFilter(log, new[] { Vip }, new[] { Rs1 });
    }

    [Fact]
    public void NatSources_ListedInAServiceSpecWithItsRealServers()
    {
        var (h, log) = Logged();
        var spec = Spec(80);
        spec.RealServers.Add(Real(Rs1, 1, LvsForwarding.Masq, 8080));
        spec.RealServers.Add(Real(Rs2));

        h.Engine.AddService(spec);

        AssertFilter(log, new[] { Vip }, new[] { Rs1 });
    }

    [Fact]
    public void NatSources_EmptyWhenAnInsideLinkCarriesTheNatServers()
    {
        var n = new NatHarness();
        var log = new FilterLog(n.Engine);
        n.Service(80, LvsProtocol.Tcp, (1, 8080), (2, 8080));

        AssertFilter(log, new[] { Vip }, Array.Empty<uint>());
    }

    [Fact]
    public void NatSources_FollowAnEditToMasq()
    {
        var (h, log) = Logged();
        var web = Spec(80);
        h.Engine.AddService(web);
        h.Engine.AddRealServer(web, Real(Rs1));
        Assert.Empty(log.NatSources);

        h.Engine.EditRealServer(web, Real(Rs1, 1, LvsForwarding.Masq, 80));

        Assert.Equal(new[] { Rs1 }, log.NatSources);
    }

    [Fact]
    public void NatSources_ForgetADeletedRealServer()
    {
        var (h, log) = Logged();
        var web = Spec(80);
        h.Engine.AddService(web);
        h.Engine.AddRealServer(web, Real(Rs1, 1, LvsForwarding.Masq, 8080));
        h.Engine.AddRealServer(web, Real(Rs2, 1, LvsForwarding.Masq, 8080));
        Assert.Equal(new[] { Rs1, Rs2 }, log.NatSources.OrderBy(x => x));

        h.Engine.DeleteRealServer(web, Real(Rs1, 1, LvsForwarding.Masq, 8080));

        Assert.Equal(new[] { Rs2 }, log.NatSources);
    }

    [Fact]
    public void EditingTheForwardingMethod_DoesNotChangeExistingConnections()
    {
        var n = new NatHarness(insideLink: false);
        var web = Spec(80);
        n.Service(80, LvsProtocol.Tcp, (1, 80));
        n.FromClient(Frame(Tcp(40000, Frames.Syn)));
        n.FromClient(Frame(Tcp(40000, Frames.Ack)));

        n.Engine.EditRealServer(web, Real(Rs1, 1, LvsForwarding.Route));

        // The existing connection is still masqueraded...
        var data = Tcp(40000, Frames.Ack | 0x08, 10);
        AssertSameBytes(Frame(data with { DstMac = Rs1Mac, SrcMac = DirectorMac, Destination = Rs1 }), n.FromClient(Frame(data)));
        // ...a new one is routed (frame untouched apart from the MACs).
        var syn = Frame(Tcp(40001, Frames.Syn));
        var routed = n.FromClient(syn);
        Assert.Equal(syn[12..], routed![12..]);
    }
}
