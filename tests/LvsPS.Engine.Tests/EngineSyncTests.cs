using System.Net.Sockets;
using F = LvsPS.Ipvs.Sync.SyncConnectionFlags;

namespace LvsPS.Engine.Tests;

/// <summary>
/// Connection sync in the engine: what a master queues and when (new, state change, refresh at a fraction of the
/// timeout, the sweep for entries with traffic), what a backup installs (bound to its own real server, flagged as
/// synced, the timeout given; templates, so a persistent client keeps its real server after a failover), and two
/// engines over real UDP sockets on loopback, through the real daemons and codec.
/// </summary>
public sealed class EngineSyncTests
{
    private const uint Client2 = 0x0AFA00C9; // 10.250.0.201
    private static EngineHarness Director(bool persistent = false)
    {
        var h = new EngineHarness();
        var spec = Spec(80, LvsScheduler.Rr);
        if (persistent) spec.PersistentTimeout = 300;
        h.AddService(spec, (Rs1, 1), (Rs2, 1));
        h.ResolveAll(Rs1, Rs2);
        return h;
    }

    private static List<SyncConnection> Drain(SyncOutbox o) => o.TakeAll(out _) ?? new List<SyncConnection>();

    [Fact]
    public void AMaster_QueuesAConnectionWhenCreated_OnEveryStateChange_AndThenAtItsRefresh()
    {
        var h = Director();
        var outbox = new SyncOutbox();
        h.Engine.AttachSyncOutbox(outbox);
        h.Forward(h.Tcp(40000, Frames.Syn));
        var syn = Assert.Single(Drain(outbox));
        Assert.Equal((6, (ushort)3, F.DirectRoute | F.NoOutput), (syn.Protocol, syn.State, syn.Flags)); // SYN_RECV, active as in the kernel
        Assert.Equal((Client, (ushort)40000, Vip, (ushort)80, Rs2, (ushort)80), (syn.ClientAddress, syn.ClientPort, syn.VirtualAddress, syn.VirtualPort, syn.DestinationAddress, syn.DestinationPort));
        Assert.Equal(60u, syn.TimeoutSeconds);

        h.Forward(h.Tcp(40000, Frames.Ack));
        var est = Assert.Single(Drain(outbox));
        Assert.Equal((ushort)1, est.State); // ESTABLISHED, active
        Assert.Equal(F.DirectRoute | F.NoOutput, est.Flags);
        Assert.Equal(900u, est.TimeoutSeconds);

        // Traffic without a state change: nothing until the refresh (900 s / 8, at most 60 s).
        for (int i = 0; i < 20; i++) { h.AdvanceSeconds(2); h.Forward(h.Tcp(40000, Frames.Ack, 100)); }
        Assert.Empty(Drain(outbox));
        h.AdvanceSeconds(21);
        h.Forward(h.Tcp(40000, Frames.Ack, 100));
        Assert.Equal((ushort)1, Assert.Single(Drain(outbox)).State);

        // A packet, then silence past the refresh: the sweep in Tick sends it without waiting for another packet.
        h.AdvanceSeconds(1);
        h.Forward(h.Tcp(40000, Frames.Ack, 100));
        Assert.Empty(Drain(outbox));
        h.AdvanceSeconds(61);
        for (int i = 0; i < 16; i++) h.Engine.Tick();
        Assert.Single(Drain(outbox));
        for (int i = 0; i < 16; i++) h.Engine.Tick();
        Assert.Empty(Drain(outbox)); // idle since: not re-sent (it expires on both directors alike)

        h.Forward(h.Tcp(40000, Frames.Fin | Frames.Ack));
        Assert.Equal((ushort)4, Assert.Single(Drain(outbox)).State); // FIN_WAIT
    }

    [Fact]
    public void AMasterThatStarts_SendsTheWholeTableOnce_TemplatesFirst()
    {
        var h = Director(persistent: true);
        h.Forward(h.Tcp(40000, Frames.Syn));
        h.Forward(h.Tcp(40000, Frames.Ack));
        var outbox = new SyncOutbox();
        h.Engine.AttachSyncOutbox(outbox);
        var all = Drain(outbox);
        Assert.Equal(2, all.Count);
        var t = all[0];
        Assert.True(t.IsTemplate);
        Assert.Equal((6, (ushort)0, (ushort)80, Rs2, (ushort)80, 300u, (ushort)1), (t.Protocol, t.ClientPort, t.VirtualPort, t.DestinationAddress, t.DestinationPort, t.TimeoutSeconds, t.State));
        Assert.Equal(F.Template | F.Inactive | F.DirectRoute | F.NoOutput, t.Flags);
        Assert.False(all[1].IsTemplate);
    }

    [Fact]
    public void ABackup_InstallsEntriesBoundToItsOwnRealServer_FlaggedSynced_WithTheTimeoutGiven()
    {
        var master = Director(persistent: true);
        var outbox = new SyncOutbox();
        master.Engine.AttachSyncOutbox(outbox);
        // Two clients' first connections: rr puts them on rs2 and rs1 (the later real server first, as the kernel's list).
        master.Forward(master.Tcp(40000, Frames.Syn));
        master.Forward(master.Tcp(40000, Frames.Ack));
        master.Forward(master.Tcp(40001, Frames.Syn, client: Client2));
        var entries = Drain(outbox);

        var backup = Director(persistent: true);
        backup.Engine.Zero(null);
        Assert.Equal(entries.Count, backup.Engine.ApplySync(Decoded(entries)));
        var conns = backup.Engine.ListConnections();
        var c1 = conns.Single(c => c.ClientPort == 40000);
        Assert.Equal((Ip(Rs2), LvsConnectionState.Established, true), (c1.RealAddress, c1.State, c1.Synced));
        Assert.Equal(900, c1.ExpiresInSeconds);
        var c2 = conns.Single(c => c.ClientPort == 40001);
        Assert.Equal((Ip(Rs1), LvsConnectionState.SynRecv), (c2.RealAddress, c2.State));
        Assert.Equal(2, conns.Count(c => c.ClientPort == 0)); // the two templates
        Assert.All(conns, c => Assert.True(c.Synced));
        var rs2 = backup.RealServer(Rs2);
        Assert.Equal((1, 0, 1), (rs2.ActiveConnections, rs2.InactiveConnections, rs2.PersistentConnections));
        var rs1 = backup.RealServer(Rs1);
        Assert.Equal((1, 0, 1), (rs1.ActiveConnections, rs1.InactiveConnections, rs1.PersistentConnections)); // SYN_RECV is active

        // After a failover the established connection goes on to the same real server, and a new connection of the
        // persistent client too (its template), whatever the backup's own rr would pick.
        Assert.Equal(Rs2, RealServerOf(backup.Forward(backup.Tcp(40000, Frames.Ack, 100))));
        Assert.Equal(Rs2, backup.Syn(40100));
        Assert.Equal(Rs2, backup.Syn(40101));
        Assert.Equal(Rs1, RealServerOf(backup.Forward(backup.Tcp(40102, Frames.Syn, client: Client2))));
    }

    [Fact]
    public void ABackup_RefreshesWhatItHas_ReplacesAConnectionMovedElsewhere_AndSkipsWhatItCannotBind()
    {
        var backup = Director();
        var e = new SyncConnection
        {
            Protocol = 6, Flags = F.DirectRoute | F.NoOutput | F.Sync, State = 1, ClientAddress = Client, ClientPort = 5000,
            VirtualAddress = Vip, VirtualPort = 80, DestinationAddress = Rs1, DestinationPort = 80, TimeoutSeconds = 100,
        };
        Assert.Equal(1, backup.Engine.ApplySync(new[] { e }));
        backup.AdvanceSeconds(50);
        Assert.Equal(1, backup.Engine.ApplySync(new[] { e with { State = 4, TimeoutSeconds = 120, Flags = e.Flags | F.Inactive } }));
        var c = Assert.Single(backup.Engine.ListConnections());
        Assert.Equal((LvsConnectionState.FinWait, 120), (c.State, c.ExpiresInSeconds));
        Assert.Equal((0, 1), (backup.RealServer(Rs1).ActiveConnections, backup.RealServer(Rs1).InactiveConnections));

        // An INACTIVE message for another real server is an old one: ignored. An active one replaces the entry.
        Assert.Equal(0, backup.Engine.ApplySync(new[] { e with { DestinationAddress = Rs2, Flags = e.Flags | F.Inactive } }));
        Assert.Equal(Ip(Rs1), Assert.Single(backup.Engine.ListConnections()).RealAddress);
        Assert.Equal(1, backup.Engine.ApplySync(new[] { e with { DestinationAddress = Rs2 } }));
        Assert.Equal(Ip(Rs2), Assert.Single(backup.Engine.ListConnections()).RealAddress);
        Assert.Equal((0, 0), (backup.RealServer(Rs1).ActiveConnections, backup.RealServer(Rs1).InactiveConnections));

        // No such service or real server here: skipped and counted (the kernel would keep it unbound).
        Assert.Equal(0, backup.Engine.ApplySync(new[] { e with { VirtualPort = 81 }, e with { DestinationAddress = Rs3 } }));
        Assert.Equal(2ul, backup.Engine.SyncNoDestination);
        // Timeout 0 (a version 0 style entry): the state's own timeout.
        backup.Engine.ApplySync(new[] { e with { ClientPort = 5001, TimeoutSeconds = 0 } });
        Assert.Equal(900, backup.Connection(5001).ExpiresInSeconds);
        // The backup's own master would not echo a synced entry back: it carried no packet here.
        var outbox = new SyncOutbox();
        backup.Engine.AttachSyncOutbox(outbox);
        Drain(outbox);
        backup.AdvanceSeconds(120);
        for (int i = 0; i < 16; i++) backup.Engine.Tick();
        Assert.Empty(Drain(outbox));
    }

    private static List<SyncConnection> Decoded(List<SyncConnection> entries) =>
        SyncCodec.Encode(1, entries, 1472).SelectMany(m => SyncCodec.Decode(m).Entries).ToList();

    private static int FreeUdpPort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    private static void WaitFor(Func<bool> done, string what)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (!done())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException(what);
            Thread.Sleep(20);
        }
    }

    [Fact]
    public void TwoEngines_InTwoNamespaces_OverMulticast_TheBackupHoldsTheMastersConnectionsAndTemplates()
    {
        using var net = new NetnsPair("lvss");
        var master = Director(persistent: true);
        var backup = Director(persistent: true);
        // The kernel's defaults: 224.0.0.81:8848, TTL 1, each daemon on its namespace's link.
        NetnsPair.In(net.B, () => backup.Engine.StartSyncDaemon(new SyncDaemonSpec { Role = SyncDaemonRole.Backup, Interface = NetnsPair.Link, SyncId = 4 }));
        NetnsPair.In(net.A, () => master.Engine.StartSyncDaemon(new SyncDaemonSpec { Role = SyncDaemonRole.Master, Interface = NetnsPair.Link, SyncId = 4 }));
        try
        {
            for (ushort p = 41000; p < 41100; p++)
            {
                master.Forward(master.Tcp(p, Frames.Syn));
                master.Forward(master.Tcp(p, Frames.Ack));
            }
            WaitFor(() => backup.Engine.ListConnections().Count(c => c.State == LvsConnectionState.Established) == 100, "100 established connections on the backup");
            var want = master.Engine.ListConnections().Select(c => (c.ClientPort, c.RealAddress, c.State)).OrderBy(x => x.ClientPort).ToList();
            var got = backup.Engine.ListConnections().Select(c => (c.ClientPort, c.RealAddress, c.State)).OrderBy(x => x.ClientPort).ToList();
            Assert.Equal(want, got);
            Assert.Contains(backup.Engine.ListConnections(), c => c.ClientPort == 0 && c.Synced);

            var ms = Assert.Single(master.Engine.ListSyncDaemons());
            var bs = Assert.Single(backup.Engine.ListSyncDaemons());
            Assert.Equal((SyncDaemonRole.Master, 1472, SyncDaemonRole.Backup, 1472), (ms.Role, ms.MaxLength, bs.Role, bs.MaxLength));
            // The template new, then ASSURED (a state change) with the first ESTABLISHED; 100 SYN_RECV, 100 ESTABLISHED.
            Assert.Equal(202ul, ms.ConnectionsSent);
            Assert.True(ms.MessagesSent >= 6, $"{ms.MessagesSent} messages"); // at most 40 entries to a 1472-byte message
            Assert.Equal(ms.MessagesSent, bs.MessagesReceived);
            Assert.Equal((202ul, 202ul, 0ul), (bs.ConnectionsReceived, bs.ConnectionsInstalled, bs.MessagesDropped));
            Assert.Equal(TimeSpan.Zero, ms.Lag);
            Assert.NotNull(bs.LastMessage);

            // Another sync id is dropped by the backup (and counted by reason).
            master.Engine.StopSyncDaemon(SyncDaemonRole.Master);
            NetnsPair.In(net.A, () => master.Engine.StartSyncDaemon(new SyncDaemonSpec { Role = SyncDaemonRole.Master, Interface = NetnsPair.Link, SyncId = 5 }));
            WaitFor(() => backup.Engine.ListSyncDaemons()[0].MessagesDropped > 0, "a message of sync id 5 dropped");
            Assert.True(backup.Engine.ListSyncDaemons()[0].DropReasons["SyncIdIgnored"] > 0);
            var e = Assert.Throws<AggregateException>(() => NetnsPair.In(net.A, () => master.Engine.StartSyncDaemon(new SyncDaemonSpec { Role = SyncDaemonRole.Master, Interface = NetnsPair.Link })));
            Assert.Equal(LvsErrorIds.SyncDaemonExists, Assert.IsType<LvsException>(e.InnerException).ErrorId);

            // Unicast: the group is the backup's own address.
            backup.Engine.StopSyncDaemon(SyncDaemonRole.Backup);
            master.Engine.StopSyncDaemon(SyncDaemonRole.Master);
            var fresh = Director();
            NetnsPair.In(net.B, () => fresh.Engine.StartSyncDaemon(new SyncDaemonSpec { Role = SyncDaemonRole.Backup, Interface = NetnsPair.Link, Group = net.AddressB, Port = 8849 }));
            NetnsPair.In(net.A, () => master.Engine.StartSyncDaemon(new SyncDaemonSpec { Role = SyncDaemonRole.Master, Interface = NetnsPair.Link, Group = net.AddressB, Port = 8849 }));
            // A master that starts sends the whole table once.
            WaitFor(() => fresh.Engine.ListConnections().Count == 101, "the table sent once to a unicast backup");
            fresh.Engine.StopSyncDaemons();
        }
        finally
        {
            master.Engine.StopSyncDaemons();
            backup.Engine.StopSyncDaemons();
        }
        Assert.Empty(master.Engine.ListSyncDaemons());
        Assert.Equal(LvsErrorIds.SyncDaemonNotFound, Assert.Throws<LvsException>(() => master.Engine.StopSyncDaemon(SyncDaemonRole.Master)).ErrorId);
    }

    [Theory]
    [InlineData("", 0, 8848, 1, "interface", LvsErrorIds.InvalidInterfaceName)]
    [InlineData("eth0/x", 0, 8848, 1, "eth0/x", LvsErrorIds.InvalidInterfaceName)]
    [InlineData("lo", 256, 8848, 1, "256", LvsErrorIds.InvalidSyncDaemon)]
    [InlineData("lo", 0, 0, 1, "port 0", LvsErrorIds.InvalidSyncDaemon)]
    [InlineData("lo", 0, 8848, 0, "TTL 0", LvsErrorIds.InvalidSyncDaemon)]
    public void BadParameters_AreRefusedNamingTheValue(string iface, int syncId, int port, int ttl, string named, string errorId)
    {
        var h = new EngineHarness();
        var e = Assert.Throws<LvsException>(() => h.Engine.StartSyncDaemon(new SyncDaemonSpec { Interface = iface, SyncId = syncId, Port = port, Ttl = ttl }));
        Assert.Equal(errorId, e.ErrorId);
        Assert.Contains(named, e.Message);
        Assert.Equal(LvsErrorIds.InterfaceNotAvailable, Assert.Throws<LvsException>(() =>
            h.Engine.StartSyncDaemon(new SyncDaemonSpec { Interface = "nosuchif9" })).ErrorId);
        Assert.Equal(LvsErrorIds.InvalidSyncDaemon, Assert.Throws<LvsException>(() =>
            h.Engine.StartSyncDaemon(new SyncDaemonSpec { Interface = "lo", Group = IPAddress.Parse("ff02::81") })).ErrorId);
        Assert.Empty(h.Engine.ListSyncDaemons());
    }
}

/// <summary>The sync daemons in the state file: saved with every change, started again at start, checked like a live start.</summary>
public sealed class SyncStateFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lvsps-syncstate-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void TheDaemons_AreSaved_AndStartedAgainWhenTheStateIsRestored()
    {
        var store = new StateStore(Path.Combine(_folder, "d.json"));
        var h = new EngineHarness();
        int port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }
        // On lo, the default group: the backup joins it there, the master sends nothing (the table is empty).
        h.Engine.StartSyncDaemon(new SyncDaemonSpec { Role = SyncDaemonRole.Backup, Interface = "lo", Port = port, SyncId = 3 });
        h.Engine.StartSyncDaemon(new SyncDaemonSpec { Role = SyncDaemonRole.Master, Interface = "lo", Port = port, SyncId = 3, Ttl = 2, MaxLength = 1200 });
        store.Save(h.Engine.ExportState());
        h.Engine.StopSyncDaemons();

        var state = store.Load("test");
        Assert.Equal(new[] { SyncDaemonRole.Master, SyncDaemonRole.Backup }, state.SyncDaemons.Select(d => d.Role));
        var again = new EngineHarness();
        store.Apply(again.Engine, state);
        try
        {
            var running = again.Engine.ListSyncDaemons();
            Assert.Equal(new[] { (SyncDaemonRole.Master, 3, 2, 1200), (SyncDaemonRole.Backup, 3, 1, 65507) },
                running.Select(d => (d.Role, d.SyncId, d.Ttl, d.MaxLength)));
        }
        finally
        {
            again.Engine.StopSyncDaemons();
        }

        // A daemon the live start would refuse makes the file invalid (and nothing starts).
        File.WriteAllText(store.Path, File.ReadAllText(store.Path).Replace("\"syncId\":3", "\"syncId\":300"));
        Assert.Equal(LvsErrorIds.StateFileInvalid, Assert.Throws<LvsException>(() => store.Load("test")).ErrorId);
    }
}
