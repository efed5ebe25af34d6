using LvsPS.Ipvs.Connections;
using LvsPS.Ipvs.Scheduling;

namespace LvsPS.Engine.Tests;

/// <summary>
/// A TCP packet without SYN of a flow the table does not know (a director that never saw the flow's SYN: a new
/// master without sync, lvsd started without its snapshot). On an mh service it is scheduled by the service's
/// Maglev table, so every director with the same configuration sends the flow to the same real server, and the entry
/// starts as the kernel's sloppy_tcp gives it (NONE, then the packet's move: an ACK makes it ESTABLISHED). Other
/// schedulers drop it, as the kernel does by default, unless net.ipv4.vs.sloppy_tcp is on (Set-LvsDefense
/// -SloppyTcp). A RST never creates an entry. Real frames in, the forwarded frame's destination MAC out.
/// </summary>
public class EngineSloppyTcpTests
{
    private static readonly (uint Address, int Weight)[] Reals = { (Rs1, 1), (Rs2, 2), (Rs3, 1) };

    private static EngineHarness Director(LvsScheduler scheduler, uint persistence = 0)
    {
        var h = new EngineHarness();
        var spec = Spec(80, scheduler);
        spec.PersistentTimeout = persistence;
        h.AddService(spec, Reals);
        h.ResolveAll(Rs1, Rs2, Rs3);
        h.Sink.Clear();
        return h;
    }

    /// <summary>
    /// The real server the Maglev table of rs1, rs2, rs3 (weights 1, 2, 1, added in that order: the kernel's list is
    /// newest first) names for a client address, built apart from any engine.
    /// </summary>
    private static uint MaglevChoice(uint client)
    {
        var dests = Reals.Reverse().Select(r => new Destination(Frames.ToAddress(r.Address), 80, LvsForwarding.Route, r.Weight) { AddressValue = r.Address }).ToList();
        var mh = new MaglevHashingScheduler();
        mh.OnDestinationsChanged(dests, null);
        return mh.Schedule(dests, new SchedulingContext(client, 40000, Vip, 80, 0))!.AddressValue;
    }

    [Fact]
    public void MidFlowAck_ToAnMhService_GoesWhereTheMaglevTableSays_OnEveryDirectorWithTheSameConfiguration()
    {
        var first = Director(LvsScheduler.Mh);
        var second = Director(LvsScheduler.Mh);
        var chosen = new HashSet<uint>();
        for (uint i = 1; i <= 24; i++)
        {
            uint client = Client + i;
            ushort port = (ushort)(41000 + i);
            uint expected = MaglevChoice(client);
            chosen.Add(expected);

            // PSH/ACK with data in the middle of the flow: neither director has an entry for it.
            Assert.Equal(expected, RealServerOf(first.Forward(first.Tcp(port, Frames.Ack | 0x08, 100, client: client))));
            Assert.Equal(expected, RealServerOf(second.Forward(second.Tcp(port, Frames.Ack, 0, client: client))));
        }
        Assert.Equal(3, chosen.Count); // the clients cover every real server

        foreach (var h in new[] { first, second })
        {
            Assert.Equal(24, h.Engine.ConnectionCount);
            Assert.All(h.Engine.ListConnections(), c =>
            {
                Assert.Equal(LvsConnectionState.Established, c.State); // NONE + ACK (INPUT-ONLY): ESTABLISHED
                Assert.Equal(900, c.ExpiresInSeconds);
            });
            var status = h.Engine.GetStatus();
            Assert.Equal(24ul, status.SloppyConnections);
            Assert.Equal(0ul, status.ResetsSent);
            Assert.Equal(24, h.Service().RealServers.Sum(r => r.ActiveConnections));
            Assert.Equal(24ul, h.Service().Statistics.Connections);
        }
        // The rest of the flow follows its entry.
        var again = first.Forward(first.Tcp(41001, Frames.Ack, 10, client: Client + 1));
        Assert.Equal(MaglevChoice(Client + 1), RealServerOf(again));
        Assert.Equal(24, first.Engine.ConnectionCount);
    }

    [Fact]
    public void MidFlowAck_GoesWhereTheFlowsSyn_WentOnTheFirstDirector()
    {
        var before = Director(LvsScheduler.Mh);
        var after = Director(LvsScheduler.Mh); // the new master: no sync, no snapshot
        for (uint i = 1; i <= 12; i++)
        {
            var rs = RealServerOf(before.Forward(before.Tcp(42000, Frames.Syn, client: Client + i)));
            Assert.NotNull(rs);
            Assert.Equal(rs, RealServerOf(after.Forward(after.Tcp(42000, Frames.Ack, 20, client: Client + i))));
        }
    }

    [Fact]
    public void FinOfAnUnknownFlow_ToAnMhService_IsScheduled_AndTheEntryIsClose()
    {
        var h = Director(LvsScheduler.Mh);
        Assert.Equal(MaglevChoice(Client), RealServerOf(h.Forward(h.Tcp(40000, Frames.Fin | Frames.Ack))));
        var c = h.Connection(40000);
        Assert.Equal(LvsConnectionState.Close, c.State); // NONE + FIN (INPUT-ONLY): CLOSE, 10 s
        Assert.Equal(10, c.ExpiresInSeconds);
        Assert.Equal(0, h.RealServer(MaglevChoice(Client)).ActiveConnections);
        Assert.Equal(1, h.RealServer(MaglevChoice(Client)).InactiveConnections);
    }

    [Fact]
    public void PersistentMhService_MidFlowAck_IsPlacedByTheTable_AndGetsItsTemplate()
    {
        var h = Director(LvsScheduler.Mh, persistence: 300);
        Assert.Equal(MaglevChoice(Client + 5), RealServerOf(h.Forward(h.Tcp(40000, Frames.Ack, 10, client: Client + 5))));
        Assert.Equal(1, h.RealServer(MaglevChoice(Client + 5)).PersistentConnections);
        Assert.Equal(2, h.Engine.ConnectionCount);
    }

    [Theory]
    [InlineData(LvsScheduler.Rr)]
    [InlineData(LvsScheduler.Wlc)]
    public void MidFlowAck_ToOtherSchedulers_IsDropped_AsTheKernelDoesByDefault(LvsScheduler scheduler)
    {
        var h = Director(scheduler);
        ulong dropped = h.Engine.FramesDropped;
        Assert.Null(h.Forward(h.Tcp(40000, Frames.Ack, 10)));
        Assert.Null(h.Forward(h.Tcp(40001, Frames.Ack | 0x08, 100)));
        Assert.Null(h.Forward(h.Tcp(40002, Frames.Fin | Frames.Ack)));
        Assert.Equal(0, h.Engine.ConnectionCount);
        Assert.Equal(dropped + 3, h.Engine.FramesDropped);
        Assert.Equal(0ul, h.Engine.GetStatus().SloppyConnections);
        Assert.Equal(0ul, h.Engine.GetStatus().ResetsSent);
        Assert.Equal(0ul, h.Service().Statistics.Connections);
    }

    [Theory]
    [InlineData(LvsScheduler.Mh)]
    [InlineData(LvsScheduler.Rr)]
    public void RstOfAnUnknownFlow_CreatesNothing_EvenWithSloppyTcp(LvsScheduler scheduler)
    {
        var h = Director(scheduler);
        Assert.Null(h.Forward(h.Tcp(40000, Frames.Rst)));
        Assert.Null(h.Forward(h.Tcp(40001, Frames.Rst | Frames.Ack)));
        h.Engine.SetDefense(new DefenseSpec { SloppyTcp = true });
        Assert.Null(h.Forward(h.Tcp(40002, Frames.Rst)));
        Assert.Equal(0, h.Engine.ConnectionCount);
        Assert.Equal(0ul, h.Engine.GetStatus().SloppyConnections);
        Assert.Empty(h.Sink.Sent);
    }

    [Fact]
    public void SloppyTcp_SchedulesAMidFlowAck_OnEveryScheduler_AndOffAgainDropsIt()
    {
        var h = Director(LvsScheduler.Rr);
        Assert.False(h.Engine.GetDefense().SloppyTcp);

        h.Engine.SetDefense(new DefenseSpec { SloppyTcp = true });
        Assert.True(h.Engine.GetDefense().SloppyTcp);
        var placed = Enumerable.Range(0, 3).Select(i => RealServerOf(h.Forward(h.Tcp((ushort)(40000 + i), Frames.Ack, 10)))).ToList();
        Assert.Equal(new uint?[] { Rs3, Rs2, Rs1 }, placed); // rr over the kernel's list, newest first
        Assert.All(h.Engine.ListConnections(), c => Assert.Equal(LvsConnectionState.Established, c.State));
        Assert.Equal(3ul, h.Engine.GetStatus().SloppyConnections);

        h.Engine.SetDefense(new DefenseSpec { DropEntry = LvsDefenseMode.Auto }); // null leaves sloppy_tcp as it is
        Assert.True(h.Engine.GetDefense().SloppyTcp);
        h.Engine.SetDefense(new DefenseSpec { SloppyTcp = false });
        Assert.Null(h.Forward(h.Tcp(40010, Frames.Ack, 10)));
        Assert.Equal(3, h.Engine.ConnectionCount);
    }

    [Fact]
    public void MidFlowAck_ToAnMhServiceWithoutAnAvailableServer_GetsPortUnreachable_AsASynWould()
    {
        var h = new EngineHarness();
        h.AddService(80, LvsScheduler.Mh);
        h.Sink.Clear();
        var sent = h.Forward(h.Tcp(40000, Frames.Ack, 10));
        Assert.NotNull(sent);
        Assert.Equal(1, sent![Frames.EthHeader + 9]); // ICMP
        Assert.Equal(0, h.Engine.ConnectionCount);
        Assert.Equal(0ul, h.Engine.GetStatus().SloppyConnections);
    }

    [Theory]
    [InlineData(LvsScheduler.Rr, Frames.Ack)]
    [InlineData(LvsScheduler.Mh, Frames.Rst)]
    public void AnUnknownFlowsPacketThatIsDropped_AllocatesNothing(LvsScheduler scheduler, byte flags)
    {
        var h = Director(scheduler);
        var frame = h.Tcp(40000, flags, 100);
        for (int i = 0; i < 20_000; i++) h.Engine.ProcessFrame(frame); // not rewritten: a dropped frame stays as it is
        Assert.Equal(0, Allocations.Least(_ => { for (int i = 0; i < 1000; i++) h.Engine.ProcessFrame(frame); }));
        Assert.Equal(0, h.Engine.ConnectionCount);
        Assert.Empty(h.Sink.Sent);
    }
}
