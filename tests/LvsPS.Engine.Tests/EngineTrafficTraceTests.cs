using static LvsPS.Engine.Tests.EngineHarness;
using static LvsPS.Engine.Tests.LabAddresses;

namespace LvsPS.Engine.Tests;

/// <summary>
/// The traffic trace (Watch-LvsTraffic's source in lvsd): real frames through the engine, records read back through
/// the IDirector operations. The filter, the ring's overflow (oldest dropped, loss counted), the DR MAC, the IP-in-IP
/// outer header, drops with their reason, ARP answers, and the trace's end by itself.
/// </summary>
public class EngineTrafficTraceTests
{
    private static EngineHarness TwoServers()
    {
        var h = Resolved(80, LvsScheduler.Rr, (Rs1, 1), (Rs2, 1));
        h.Sink.Clear();
        return h;
    }

    private static List<LvsTrafficRecord> ReadAll(EngineHarness h, TrafficTraceStatus t, long cursor = 0) =>
        h.Engine.ReadTrafficTrace(t.TraceId, cursor, 1000).Records;

    [Fact]
    public void ForwardedDrFrames_RecordClientVipRealServerAndItsMac()
    {
        var h = TwoServers();
        var t = h.Engine.StartTrafficTrace(new TrafficTraceSpec());
        h.Process(h.Tcp(40000, Frames.Syn));
        h.Process(h.Tcp(40000, Frames.Ack));

        var records = ReadAll(h, t);

        Assert.Equal(2, records.Count);
        var syn = records[0];
        Assert.Equal((LvsTrafficAction.Forwarded, LvsTrafficDirection.In, (LvsProtocol?)LvsProtocol.Tcp), (syn.Action, syn.Direction, syn.Protocol));
        Assert.Equal((Ip(Client), 40000, Ip(Vip), 80), (syn.ClientAddress, syn.ClientPort, syn.VirtualAddress, syn.Port));
        var rs = syn.RealAddress == Ip(Rs1) ? Rs1 : Rs2;
        Assert.Equal(Ip(rs), syn.RealAddress);
        Assert.Equal(Frames.MacToString(MacOf(rs)), syn.DestinationMac);
        Assert.Equal((LvsForwarding?)LvsForwarding.Route, syn.Forwarding);
        Assert.Equal(("S", (LvsConnectionState?)LvsConnectionState.SynRecv), (syn.TcpFlags, syn.State));
        Assert.Equal((".", (LvsConnectionState?)LvsConnectionState.Established, 1L), (records[1].TcpFlags, records[1].State, records[1].Sequence));
        Assert.Null(syn.OuterDestination);
    }

    [Fact]
    public void TheFilter_KeepsOnlyMatchingFrames()
    {
        var h = TwoServers();
        var t = h.Engine.StartTrafficTrace(new TrafficTraceSpec { RealAddress = Ip(Rs2), Protocol = LvsProtocol.Tcp, Port = 80 });
        for (ushort port = 40000; port < 40010; port++) h.Process(h.Tcp(port, Frames.Syn));

        var records = ReadAll(h, t);

        Assert.Equal(5, records.Count); // rr: every second SYN goes to Rs2
        Assert.All(records, r => Assert.Equal(Ip(Rs2), r.RealAddress));
    }

    [Fact]
    public void AClientPrefixFilter_MatchesItsNetworkOnly()
    {
        var h = TwoServers();
        var t = h.Engine.StartTrafficTrace(new TrafficTraceSpec { ClientAddress = Ip(Client & 0xffffff00), ClientPrefixLength = 24 });
        h.Process(h.Tcp(40000, Frames.Syn));
        h.Process(h.Tcp(40001, Frames.Syn, client: 0x0AFB00C8)); // 10.251.0.200: another network

        Assert.Equal(40000, Assert.Single(ReadAll(h, t)).ClientPort);
    }

    [Fact]
    public void DropsAreRecordedWithTheirReason_AndTheActionFilterSelectsThem()
    {
        var h = TwoServers();
        var t = h.Engine.StartTrafficTrace(new TrafficTraceSpec { Action = LvsTrafficAction.Dropped });
        h.Process(h.Tcp(40000, Frames.Syn));            // forwarded: not kept
        h.Process(h.Tcp(40001, Frames.Syn, port: 81));  // no service on port 81
        h.Process(h.Tcp(40002, Frames.Ack));            // no connection, not a SYN

        var records = ReadAll(h, t);

        Assert.Equal(new[] { ("NoService", 81), ("NotNewConnection", 80) }, records.Select(r => (r.DropReason!, r.Port)));
        Assert.All(records, r => Assert.Null(r.RealAddress));
    }

    [Fact]
    public void AnArpAnswerForTheVip_IsRecorded()
    {
        var h = TwoServers();
        var t = h.Engine.StartTrafficTrace(new TrafficTraceSpec { Action = LvsTrafficAction.ArpAnswered });
        h.Process(TestFrames.ArpRequest(ClientMac, Client, Vip));

        var r = Assert.Single(ReadAll(h, t));
        Assert.Equal((Ip(Client), Ip(Vip), (LvsProtocol?)null), (r.ClientAddress, r.VirtualAddress, r.Protocol));
    }

    [Fact]
    public void TunnelledFrames_RecordTheOuterHeader()
    {
        var h = new EngineHarness();
        var spec = Spec(80);
        h.Engine.AddService(spec);
        h.Engine.AddRealServer(spec, Real(Rs1, 1, LvsForwarding.Tunnel));
        h.Resolve(Rs1);
        var t = h.Engine.StartTrafficTrace(new TrafficTraceSpec());
        h.Process(h.Tcp(40000, Frames.Syn));

        var r = Assert.Single(ReadAll(h, t));
        Assert.Equal((Ip(DirectorIp), Ip(Rs1), (LvsForwarding?)LvsForwarding.Tunnel), (r.OuterSource, r.OuterDestination, r.Forwarding));
    }

    [Fact]
    public void AFullRing_DropsTheOldest_AndCountsTheLoss()
    {
        var h = TwoServers();
        var t = h.Engine.StartTrafficTrace(new TrafficTraceSpec { Capacity = 4 });
        for (ushort port = 40000; port < 40010; port++) h.Process(h.Tcp(port, Frames.Syn));

        var page = h.Engine.ReadTrafficTrace(t.TraceId, 0, 1000);

        Assert.Equal(6, page.Lost);
        Assert.Equal(new[] { 40006, 40007, 40008, 40009 }, page.Records.Select(r => r.ClientPort));
        Assert.Equal(new long[] { 6, 7, 8, 9 }, page.Records.Select(r => r.Sequence));
        Assert.Equal(10, page.NextCursor);
        var next = h.Engine.ReadTrafficTrace(t.TraceId, page.NextCursor, 1000);
        Assert.Equal((0, 0L, 10L), (next.Records.Count, next.Lost, next.NextCursor));
    }

    [Fact]
    public void AReadFromACursor_ReturnsOnlyWhatCameAfter_AtMostMaxRecords()
    {
        var h = TwoServers();
        var t = h.Engine.StartTrafficTrace(new TrafficTraceSpec());
        for (ushort port = 40000; port < 40005; port++) h.Process(h.Tcp(port, Frames.Syn));

        var first = h.Engine.ReadTrafficTrace(t.TraceId, 0, 3);
        var rest = h.Engine.ReadTrafficTrace(t.TraceId, first.NextCursor, 3);

        Assert.Equal(new[] { 40000, 40001, 40002 }, first.Records.Select(r => r.ClientPort));
        Assert.Equal(new[] { 40003, 40004 }, rest.Records.Select(r => r.ClientPort));
    }

    [Fact]
    public void TheTraceEnds_AtItsMaximumDuration_AndWhenNotRead()
    {
        var h = TwoServers();
        var t = h.Engine.StartTrafficTrace(new TrafficTraceSpec { MaxDurationSec = 30 });
        foreach (var s in new[] { 10, 10, 9 }) { h.TickAfter(s); Assert.True(h.Engine.ReadTrafficTrace(t.TraceId, 0, 10).Active); }
        h.TickAfter(1); // 30 s after the start
        var ended = h.Engine.ReadTrafficTrace(t.TraceId, 0, 10);
        Assert.Equal((false, "MaxDuration"), (ended.Active, ended.StopReason));
        h.Process(h.Tcp(40000, Frames.Syn)); // nothing records it now

        var idle = h.Engine.StartTrafficTrace(new TrafficTraceSpec());
        h.TickAfter(TrafficTraceSpec.IdleTimeoutSec);
        Assert.Equal((false, "Idle"), (h.Engine.ReadTrafficTrace(idle.TraceId, 0, 10).Active, h.Engine.ReadTrafficTrace(idle.TraceId, 0, 10).StopReason));
    }

    [Fact]
    public void StopAndReplace_EndTheTrace_AndAnUnknownIdIsRefused()
    {
        var h = TwoServers();
        var a = h.Engine.StartTrafficTrace(new TrafficTraceSpec());
        var b = h.Engine.StartTrafficTrace(new TrafficTraceSpec());
        Assert.Equal("Replaced", h.Engine.ReadTrafficTrace(a.TraceId, 0, 10).StopReason);
        h.Engine.StopTrafficTrace(b.TraceId);
        Assert.Equal("Stopped", h.Engine.ReadTrafficTrace(b.TraceId, 0, 10).StopReason);
        h.Engine.StopTrafficTrace(b.TraceId); // again: nothing to do
        var e = Assert.Throws<LvsException>(() => h.Engine.ReadTrafficTrace(999, 0, 10));
        Assert.Equal(LvsErrorIds.TrafficTraceNotFound, e.ErrorId);
        Assert.Equal(LvsErrorIds.InvalidTrafficTrace,
            Assert.Throws<LvsException>(() => h.Engine.StartTrafficTrace(new TrafficTraceSpec { Capacity = 0 })).ErrorId);
        Assert.Equal(LvsErrorIds.InvalidTrafficTrace,
            Assert.Throws<LvsException>(() => h.Engine.StartTrafficTrace(new TrafficTraceSpec { ClientPrefixLength = 33 })).ErrorId);
    }
}
