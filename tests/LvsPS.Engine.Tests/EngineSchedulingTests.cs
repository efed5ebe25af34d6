namespace LvsPS.Engine.Tests;

public class EngineSchedulingTests
{
    [Fact]
    public void Rr_AlternatesAcrossNewConnections_NewestServerFirst()
    {
        var h = new EngineHarness();
        h.AddService(80, LvsScheduler.Rr, (Rs1, 1), (Rs2, 1)); // kernel list: rs2, rs1
        h.ResolveAll(Rs1, Rs2);

        Assert.Equal(new[] { Ip(Rs2), Ip(Rs1) }, h.Service().RealServers.Select(r => r.RealAddress));
        var picks = Enumerable.Range(0, 6).Select(i => h.Syn((ushort)(40000 + i))).ToArray();

        Assert.Equal(new uint?[] { Rs2, Rs1, Rs2, Rs1, Rs2, Rs1 }, picks);
    }

    [Fact]
    public void Rr_ThreeServers_FirstAddedIsScheduledLast()
    {
        var h = Resolved(80, LvsScheduler.Rr, (Rs1, 1), (Rs2, 1), (Rs3, 1));

        var picks = Enumerable.Range(0, 6).Select(i => h.Syn((ushort)(40000 + i))).ToArray();

        Assert.Equal(new uint?[] { Rs3, Rs2, Rs1, Rs3, Rs2, Rs1 }, picks);
    }

    [Fact]
    public void Rr_PacketsOfExistingConnections_DoNotAdvanceTheRotation()
    {
        var h = Resolved(80, LvsScheduler.Rr, (Rs1, 1), (Rs2, 1));

        Assert.Equal(Rs2, h.Syn(40000));
        for (int i = 0; i < 3; i++) h.Forward(h.Tcp(40000, Frames.Ack, 10));
        Assert.Equal(Rs2, h.Syn(40000)); // SYN retransmission on the same entry
        Assert.Equal(Rs1, h.Syn(40001));
    }

    [Fact]
    public void Wrr_Weights321_Over12Connections_Give642()
    {
        var h = Resolved(80, LvsScheduler.Wrr, (Rs1, 3), (Rs2, 2), (Rs3, 1));

        var picks = Enumerable.Range(0, 12).Select(i => h.Syn((ushort)(40000 + i))).ToList();

        Assert.Equal(6, picks.Count(p => p == Rs1));
        Assert.Equal(4, picks.Count(p => p == Rs2));
        Assert.Equal(2, picks.Count(p => p == Rs3));
        Assert.Equal(6UL, h.RealServer(Rs1).Statistics.Connections);
        Assert.Equal(4UL, h.RealServer(Rs2).Statistics.Connections);
        Assert.Equal(2UL, h.RealServer(Rs3).Statistics.Connections);
        // ip_vs_wrr for the list rs3(1), rs2(2), rs1(3) built by -A then -a x3: cw was 1 when the last server was
        // added (dest_changed keeps a cw that is neither 0 nor above mw), so the first walk runs at cw 1
        // (rs3, rs2, rs1), then cw 3 (rs1), cw 2 (rs2, rs1), cw 1 (rs3, rs2, rs1) ...
        Assert.Equal(new uint?[] { Rs3, Rs2, Rs1, Rs1, Rs2, Rs1 }, picks.Take(6));
        Assert.Equal(picks.Take(6), picks.Skip(6));
    }

    [Fact]
    public void Weight0_NoNewConnections_ButExistingConnectionKeepsItsServer()
    {
        var h = Resolved(80, LvsScheduler.Rr, (Rs1, 1), (Rs2, 1));
        var s = Spec(80);
        Assert.Equal(Rs2, h.Syn(40000));

        h.Engine.EditRealServer(s, Real(Rs2, 0));
        Assert.Equal(0, h.RealServer(Rs2).Weight);

        for (int i = 1; i <= 4; i++)
            Assert.Equal(Rs1, h.Syn((ushort)(40000 + i)));
        // The established flow to rs2 still reaches rs2.
        Assert.Equal(Rs2, RealServerOf(h.Forward(h.Tcp(40000, Frames.Ack, 100))));
        Assert.Equal(Rs2, RealServerOf(h.Forward(h.Tcp(40000, Frames.Fin | Frames.Ack))));
        Assert.Equal(1UL, h.RealServer(Rs2).Statistics.Connections);
        Assert.Equal(4UL, h.RealServer(Rs1).Statistics.Connections);
    }

    [Fact]
    public void Weight0ThenBack_ServerTakesNewConnectionsAgain()
    {
        var h = Resolved(80, LvsScheduler.Rr, (Rs1, 1), (Rs2, 1));
        var s = Spec(80);
        h.Engine.EditRealServer(s, Real(Rs2, 0));
        Assert.Equal(Rs1, h.Syn(40000));

        h.Engine.EditRealServer(s, Real(Rs2, 1));

        var picks = Enumerable.Range(1, 4).Select(i => h.Syn((ushort)(40000 + i))).ToList();
        Assert.Equal(2, picks.Count(p => p == Rs2));
        Assert.Equal(2, picks.Count(p => p == Rs1));
    }

    [Fact]
    public void DeletedRealServer_PacketsOfItsConnectionsAreDropped_NewConnectionsGoElsewhere()
    {
        var h = Resolved(80, LvsScheduler.Rr, (Rs1, 1), (Rs2, 1));
        var s = Spec(80);
        Assert.Equal(Rs2, h.Syn(40000));
        h.Forward(h.Tcp(40000, Frames.Ack));

        h.Engine.DeleteRealServer(s, Real(Rs2));
        Assert.Equal(new[] { Ip(Rs1) }, h.Service().RealServers.Select(r => r.RealAddress));
        ulong dropped = h.Engine.FramesDropped;

        Assert.Null(h.Forward(h.Tcp(40000, Frames.Ack, 100)));
        Assert.Null(h.Forward(h.Tcp(40000, Frames.Ack, 100)));
        Assert.Equal(dropped + 2, h.Engine.FramesDropped);
        Assert.Equal(Rs1, h.Syn(40001));
        Assert.Equal(Rs1, h.Syn(40002));
    }

    [Fact]
    public void DeletedRealServer_AddedBack_ItsOldConnectionsFlowAgain()
    {
        var h = new EngineHarness();
        var s = h.AddService(80, LvsScheduler.Rr, (Rs1, 1));
        h.Resolve(Rs1);
        Assert.Equal(Rs1, h.Syn(40000));
        h.Forward(h.Tcp(40000, Frames.Ack));

        h.Engine.DeleteRealServer(s, Real(Rs1));
        Assert.Null(h.Forward(h.Tcp(40000, Frames.Ack, 10)));
        h.Engine.AddRealServer(s, Real(Rs1));
        h.Resolve(Rs1);

        Assert.Equal(Rs1, RealServerOf(h.Forward(h.Tcp(40000, Frames.Ack, 10))));
        Assert.Equal(1, h.RealServer(Rs1).ActiveConnections);
    }

    [Fact]
    public void NoRealServers_AtAll_AnswersWithIcmpAndCreatesNoEntry()
    {
        var h = new EngineHarness();
        h.AddService(80, LvsScheduler.Wlc);
        h.Sink.Clear();

        var sent = h.Forward(h.Tcp(40000, Frames.Syn));

        Assert.NotNull(sent);
        Assert.Equal(ClientMac, sent![..6]); // the ICMP error, back to the client; nothing to a real server
        Assert.Single(h.Sink.Sent);
        Assert.Equal(1UL, h.Engine.IcmpUnreachableSent);
        Assert.Empty(h.Engine.ListConnections());
    }

    [Theory]
    [InlineData(LvsScheduler.Lc)]
    [InlineData(LvsScheduler.Wlc)]
    [InlineData(LvsScheduler.Sed)]
    [InlineData(LvsScheduler.Nq)]
    public void LeastConnectionFamilies_SpreadActiveConnections(LvsScheduler kind)
    {
        var h = Resolved(80, kind, (Rs1, 1), (Rs2, 1));

        for (int i = 0; i < 10; i++) h.Syn((ushort)(40000 + i));

        Assert.Equal(5, h.RealServer(Rs1).ActiveConnections);
        Assert.Equal(5, h.RealServer(Rs2).ActiveConnections);
    }

    [Fact]
    public void EditService_ChangesTheScheduler_KeepsServersAndConnections()
    {
        var h = new EngineHarness();
        var s = h.AddService(80, LvsScheduler.Rr, (Rs1, 1), (Rs2, 3));
        h.ResolveAll(Rs1, Rs2);
        h.Syn(40000);

        var edit = Spec(80, LvsScheduler.Wrr);
        h.Engine.EditService(edit);

        Assert.Equal(LvsScheduler.Wrr, h.Service().Scheduler);
        Assert.Single(h.Engine.ListConnections());
        var picks = Enumerable.Range(1, 8).Select(i => h.Syn((ushort)(40000 + i))).ToList();
        Assert.Equal(6, picks.Count(p => p == Rs2));
        Assert.Equal(2, picks.Count(p => p == Rs1));
    }
}
