using LvsPS.Ipvs.Connections;

namespace LvsPS.Engine.Tests;

/// <summary>
/// Connections across a restart of lvsd: the table written as a snapshot and read back by a new engine with the same
/// services (real frames in, the same real server out, counters and timers as they were), and, after a restart, a
/// flow the table does not know: scheduled again by sh/mh (and by a restored persistence template) from a non-SYN
/// packet, otherwise answered with a RST to the client (checked byte by byte, checksums by PacketKit).
/// </summary>
public class EngineRestartTests
{
    private const long Wall = 1_800_000_000_000; // the snapshot's wall clock (Unix ms)

    private static EngineHarness Director(LvsScheduler scheduler = LvsScheduler.Rr, uint persistence = 0)
    {
        var h = new EngineHarness();
        var spec = Spec(80, scheduler);
        spec.PersistentTimeout = persistence;
        h.AddService(spec, (Rs1, 1), (Rs2, 1), (Rs3, 1));
        h.ResolveAll(Rs1, Rs2, Rs3);
        h.Sink.Clear();
        return h;
    }

    private static uint? Establish(EngineHarness h, ushort port, uint client = Client)
    {
        var rs = RealServerOf(h.Forward(h.Tcp(port, Frames.Syn, client: client)));
        h.Forward(h.Tcp(port, Frames.Ack, client: client));
        h.Forward(h.Tcp(port, Frames.Ack, 50, client: client));
        return rs;
    }

    /// <summary>A new engine with the same configuration, as lvsd after SIGKILL and Start-LvsDirector.</summary>
    private static EngineHarness Restarted(EngineHarness before, LvsScheduler scheduler = LvsScheduler.Rr, uint persistence = 0, long? snapshotAgoMs = 0)
    {
        var after = Director(scheduler, persistence);
        if (snapshotAgoMs is { } ago)
            after.Engine.RestoreConnections(before.Engine.SnapshotConnections(Wall), Wall + ago);
        return after;
    }

    [Fact]
    public void EstablishedConnections_ComeBackWithTheirRealServer_StateCountersAndTimer()
    {
        var h = Director();
        var placed = new Dictionary<ushort, uint?>();
        for (ushort p = 40000; p < 40006; p++) placed[p] = Establish(h, p);
        Assert.Equal(3, placed.Values.Distinct().Count());
        h.Forward(h.Tcp(41000, Frames.Syn)); // still in its handshake: not kept, the client sends its SYN again
        h.AdvanceSeconds(100);

        var r = Restarted(h, snapshotAgoMs: 5_000);

        Assert.Equal(6, r.Engine.ConnectionCount);
        Assert.Equal(6ul, r.Engine.GetStatus().ConnectionsRestored);
        foreach (var (port, rs) in placed)
        {
            var c = r.Connection(port);
            Assert.Equal(LvsConnectionState.Established, c.State);
            Assert.Equal(900 - 100 - 5, c.ExpiresInSeconds);
            Assert.Equal(rs, RealServerOf(r.Forward(r.Tcp(port, Frames.Ack, 10))));
        }
        Assert.Equal(2, r.RealServer(Rs1).ActiveConnections);
        Assert.Equal(0, r.RealServer(Rs1).InactiveConnections);
        Assert.Equal(0ul, r.Engine.GetStatus().ResetsSent);
    }

    [Fact]
    public void AnEntryWhoseTimerRanOutWhileTheDirectorWasDown_IsNotRestored()
    {
        var h = Director();
        Establish(h, 40000);
        h.Forward(h.Tcp(40000, Frames.Fin | Frames.Ack)); // FIN_WAIT: 120 s
        Establish(h, 40001);

        var r = Restarted(h, snapshotAgoMs: 130_000);

        Assert.Equal(40001, Assert.Single(r.Engine.ListConnections()).ClientPort);
    }

    [Fact]
    public void PersistenceTemplate_IsRestored_AndPlacesTheClientAsBefore()
    {
        var h = Director(LvsScheduler.Rr, persistence: 300);
        var first = Establish(h, 40000, client: Client + 1);
        var rs = Establish(h, 40000);
        Assert.NotEqual(first, rs);
        h.Forward(h.Tcp(40000, Frames.Fin | Frames.Ack));

        var r = Restarted(h, LvsScheduler.Rr, 300);

        // rr alone would send a fresh engine's first connection where the first one went; the template says rs.
        Assert.Equal(rs, Establish(r, 40001));
        Assert.Equal(rs, RealServerOf(r.Forward(r.Tcp(40002, Frames.Ack, 10)))); // unknown flow: the template places it
        Assert.Equal(1, r.RealServer(rs!.Value).PersistentConnections);
        Assert.Equal(1, r.RealServer(first!.Value).PersistentConnections);
    }

    [Theory]
    [InlineData(LvsScheduler.Sh)]
    [InlineData(LvsScheduler.Mh)]
    public void UnknownFlowAfterARestart_HashingSchedulers_PlaceItWhereItWas(LvsScheduler scheduler)
    {
        var h = Director(scheduler);
        var where = new Dictionary<uint, uint?>();
        for (uint i = 1; i <= 12; i++) where[Client + i] = Establish(h, 40000, client: Client + i);
        Assert.True(where.Values.Distinct().Count() > 1);

        // Opened after the last snapshot: the restarted director has an empty table, but a snapshot was read.
        var r = Restarted(Director(scheduler), scheduler);

        foreach (var (client, rs) in where)
            Assert.Equal(rs, RealServerOf(r.Forward(r.Tcp(40000, Frames.Ack, 10, client: client))));
        Assert.Equal(12, r.Engine.ConnectionCount);
        Assert.Equal(LvsConnectionState.Established, r.Engine.ListConnections()[0].State);
        Assert.Equal(0ul, r.Engine.GetStatus().ResetsSent);
    }

    [Fact]
    public void UnknownFlowAfterARestart_Rr_GetsARst_FromTheVip()
    {
        var r = Restarted(Director());
        var ack = PacketKit.Frame(new PacketKit.Packet { Flags = Frames.Ack | 0x08, Seq = 5000, AckNo = 0x01020304, PayloadLength = 30, SourcePort = 40000 });

        var sent = r.Forward(ack);

        Assert.NotNull(sent);
        PacketKit.AssertChecksumsValid(sent!);
        var ip = sent!.AsSpan(Frames.EthHeader);
        var tcp = ip.Slice(20);
        Assert.Equal(ClientMac, sent.AsSpan(0, 6).ToArray());
        Assert.Equal(DirectorMac, sent.AsSpan(6, 6).ToArray());
        Assert.Equal(Vip, PacketKit.Get32(ip, 12));
        Assert.Equal(Client, PacketKit.Get32(ip, 16));
        Assert.Equal((ushort)80, PacketKit.Get16(tcp, 0));
        Assert.Equal((ushort)40000, PacketKit.Get16(tcp, 2));
        Assert.Equal(0x01020304u, PacketKit.Get32(tcp, 4)); // seq = the segment's ACK number
        Assert.Equal(Frames.Rst, tcp[13]);
        Assert.Empty(r.Engine.ListConnections());
        Assert.Equal(1ul, r.Engine.GetStatus().ResetsSent);

        // A FIN without ACK: RST+ACK acknowledging the segment (seq + payload + FIN).
        var fin = r.Forward(PacketKit.Frame(new PacketKit.Packet { Flags = Frames.Fin, Seq = 7000, PayloadLength = 10, SourcePort = 40001 }));
        Assert.Equal((byte)(Frames.Rst | Frames.Ack), fin![Frames.EthHeader + 20 + 13]);
        Assert.Equal(7011u, PacketKit.Get32(fin.AsSpan(Frames.EthHeader + 20), 8));
    }

    [Fact]
    public void RstOfAnUnknownFlow_IsNotAnswered_AndNoRstWithoutARestart()
    {
        var r = Restarted(Director());
        Assert.Null(r.Forward(r.Tcp(40000, Frames.Rst)));
        var fresh = Director();
        Assert.Null(fresh.Forward(fresh.Tcp(40000, Frames.Ack, 10))); // no snapshot read: the kernel's silent drop
        Assert.Equal(0ul, fresh.Engine.GetStatus().ResetsSent);
    }

    [Fact]
    public void AfterOneEstablishedTimeout_TheRestartIsOver_AndUnknownFlowsAreDroppedAgain()
    {
        var r = Restarted(Director());
        r.AdvanceSeconds(900);
        Assert.Null(r.Forward(r.Tcp(40000, Frames.Ack, 10)));
        Assert.Equal(0ul, r.Engine.GetStatus().ResetsSent);
    }

    [Fact]
    public void Resets_AreLimitedPerSecond()
    {
        var r = Restarted(Director());
        for (int i = 0; i < DirectorEngine.MaxResetsPerSecond + 50; i++) r.Process(r.Tcp((ushort)(20000 + i), Frames.Ack, 10));
        Assert.Equal((ulong)DirectorEngine.MaxResetsPerSecond, r.Engine.GetStatus().ResetsSent);
        r.AdvanceSeconds(1);
        r.Process(r.Tcp(19999, Frames.Ack, 10));
        Assert.Equal((ulong)DirectorEngine.MaxResetsPerSecond + 1, r.Engine.GetStatus().ResetsSent);
    }

    [Fact]
    public void ABadSnapshot_RestoresNothing()
    {
        var h = Director();
        Establish(h, 40000);
        var bytes = h.Engine.SnapshotConnections(Wall);
        var r = Director();
        Assert.Equal(0, r.Engine.RestoreConnections(bytes.AsSpan(0, bytes.Length - 3).ToArray(), Wall));
        Assert.Equal(0, r.Engine.RestoreConnections(new byte[] { 1, 2, 3 }, Wall));
        Assert.Equal(0, r.Engine.ConnectionCount);
    }

    [Fact]
    public void ARealServerGoneAfterTheRestart_ItsEntriesAreNotRestored()
    {
        var h = Director();
        var placed = Enumerable.Range(40000, 6).ToDictionary(p => (ushort)p, p => Establish(h, (ushort)p));
        var r = Director();
        r.Engine.DeleteRealServer(Spec(80), Real(Rs2));
        r.Engine.RestoreConnections(h.Engine.SnapshotConnections(Wall), Wall);
        Assert.Equal(placed.Count(kv => kv.Value != Rs2), r.Engine.ConnectionCount);
    }
}
