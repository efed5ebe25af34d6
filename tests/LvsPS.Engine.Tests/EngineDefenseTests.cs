using LvsPS.Ipvs.Connections;

namespace LvsPS.Engine.Tests;

/// <summary>
/// The defence against a SYN flood with real frames: the table's hard limit (a new connection takes an unestablished
/// entry's place, or is refused), the automatic modes of drop_entry and secure_tcp following the free room
/// (update_defense_level), the random drop of unestablished entries, secure_tcp's state table and short SYN_RECV
/// lifetime, drop_packet, and the settings as Get-/Set-LvsDefense see them.
/// </summary>
public class EngineDefenseTests
{
    /// <summary>A spoofed SYN from source number <paramref name="i"/> (10.9.x.y, port 1024 + i % 60000).</summary>
    private static byte[] SpoofedSyn(EngineHarness h, int i) =>
        h.Tcp((ushort)(1024 + i % 60000), Frames.Syn, client: 0x0A090000u | (uint)(i / 60000 * 256 + i % 251));

    private static void Flood(EngineHarness h, int count, int from = 0)
    {
        for (int i = from; i < from + count; i++) h.Process(SpoofedSyn(h, i));
    }

    /// <summary>TCP 80 rr over rs1 (resolved) on a table of <paramref name="bits"/> bits, with a client's established connection on port 40000.</summary>
    private static EngineHarness WithEstablished(int bits = 12)
    {
        var h = new EngineHarness(bits);
        h.AddService(80, LvsScheduler.Rr, (Rs1, 1));
        h.Resolve(Rs1);
        Assert.Equal(Rs1, h.Syn(40000));
        Assert.NotNull(h.Forward(h.Tcp(40000, Frames.Ack)));
        for (int i = 0; i < 20; i++) h.Forward(h.Tcp(40000, Frames.Ack, 100));
        return h;
    }

    private static LvsConnectionState StateOf(EngineHarness h, ushort port) => h.Connection(port).State;

    [Fact]
    public void Defaults_AutomaticDropEntryAndSecureTcp_AndALimitFromTheTableBits()
    {
        var h = new EngineHarness();
        var d = h.Engine.GetDefense();
        Assert.Equal(LvsDefenseMode.Auto, d.DropEntry);
        Assert.Equal(LvsDefenseMode.Auto, d.SecureTcp);
        Assert.Equal(LvsDefenseMode.Off, d.DropPacket);
        Assert.Equal(10, d.DropRate);
        Assert.Equal(16 << 12, d.MaxConnections);
        Assert.Equal((16 << 12) / 4, d.AvailableThreshold);
        Assert.Equal(10, d.SynRecvTimeout);
        Assert.Equal(LvsDefenseLevel.None, d.Level);
        Assert.Equal(16 << 12, h.Engine.GetStatus().ConnectionLimit);
        Assert.Equal(16 << 8, new EngineHarness(8).Engine.GetDefense().MaxConnections);
        Assert.Equal(1 << 20, new EngineHarness(20).Engine.GetDefense().MaxConnections);
    }

    [Fact]
    public void Flood_PastTheHardLimit_StaysAtTheLimit_EstablishedGoesOn_AndANewClientStillGetsIn()
    {
        var h = WithEstablished();
        h.Engine.SetDefense(new DefenseSpec { MaxConnections = 1000, DropEntry = LvsDefenseMode.Off, SecureTcp = LvsDefenseMode.Off });

        Flood(h, 5000);

        Assert.Equal(1000, h.Engine.ConnectionCount);
        var status = h.Engine.GetStatus();
        Assert.True(status.EntriesDropped >= 4000, $"dropped {status.EntriesDropped}");
        Assert.True(status.DefenseLevel.HasFlag(LvsDefenseLevel.AtLimit));
        // The established client is untouched and still forwarded.
        Assert.Equal(LvsConnectionState.Established, StateOf(h, 40000));
        Assert.Equal(Rs1, RealServerOf(h.Forward(h.Tcp(40000, Frames.Ack, 10))));
        // A real client's SYN takes an unestablished entry's place.
        Assert.Equal(Rs1, h.Syn(41000));
        Assert.Equal(1000, h.Engine.ConnectionCount);
        Assert.Equal(0ul, status.ConnectionsRefused);
    }

    [Fact]
    public void HardLimit_FullOfEstablished_RefusesTheNewConnection_AndCountsIt()
    {
        var h = WithEstablished();
        h.Engine.SetDefense(new DefenseSpec { MaxConnections = 1 });
        h.Sink.Clear();

        Assert.Null(h.Syn(41000));

        Assert.Empty(h.Sink.Sent); // no ICMP either: the packet is dropped as the kernel drops it when it has no memory
        Assert.Equal(1, h.Engine.ConnectionCount);
        Assert.Equal(1ul, h.Engine.GetStatus().ConnectionsRefused);
        Assert.Equal(LvsConnectionState.Established, StateOf(h, 40000));
    }

    [Fact]
    public void AutoModes_TurnOnBelowTheThreshold_AndOffWhenThereIsRoomAgain()
    {
        var h = WithEstablished(bits: 8);
        h.Engine.SetDefense(new DefenseSpec { MaxConnections = 200, AvailableThreshold = 100 });
        Flood(h, 90); // 91 entries, 109 free: not yet
        h.TickAfter(1);
        Assert.Equal(LvsDefenseLevel.None, h.Engine.GetDefense().Level);
        Assert.Equal(LvsDefenseMode.Auto, h.Engine.GetDefense().DropEntry);

        Flood(h, 30, from: 90); // 121 entries, 79 free
        h.TickAfter(1);
        var d = h.Engine.GetDefense();
        Assert.Equal(LvsDefenseMode.AutoActive, d.DropEntry);
        Assert.Equal(LvsDefenseMode.AutoActive, d.SecureTcp);
        Assert.Equal(LvsDefenseMode.Off, d.DropPacket);
        Assert.Equal(LvsDefenseLevel.DropEntry | LvsDefenseLevel.SecureTcp, d.Level);
        Assert.Equal(d.Level, h.Engine.GetStatus().DefenseLevel);

        // drop_entry walks a 32nd of the buckets a second: within the SYN_RECV timeout (60 s) it thins the flood out.
        for (int i = 0; i < 20 && h.Engine.ConnectionCount > 100; i++) h.TickAfter(1);
        Assert.True(h.Engine.ConnectionCount <= 100, $"{h.Engine.ConnectionCount} entries");
        Assert.True(h.Engine.GetStatus().EntriesDropped > 0);
        Assert.Equal(LvsConnectionState.Established, StateOf(h, 40000));
        h.TickAfter(1);
        d = h.Engine.GetDefense();
        Assert.Equal(LvsDefenseMode.Auto, d.DropEntry);
        Assert.Equal(LvsDefenseMode.Auto, d.SecureTcp);
        Assert.Equal(LvsDefenseLevel.None, d.Level);
    }

    [Fact]
    public void DropEntryOff_KeepsTheFloodUntilItsTimersRunOut()
    {
        var h = WithEstablished(bits: 8);
        h.Engine.SetDefense(new DefenseSpec { MaxConnections = 200, AvailableThreshold = 100, DropEntry = LvsDefenseMode.Off, SecureTcp = LvsDefenseMode.Off });
        Flood(h, 120);
        for (int i = 0; i < 20; i++) h.TickAfter(1);
        Assert.Equal(121, h.Engine.ConnectionCount);
        Assert.Equal(0ul, h.Engine.GetStatus().EntriesDropped);
    }

    [Fact]
    public void RandomDrop_TakesIdleEstablishedEntriesWithFewPackets_NotBusyOnesOrRecentOnes()
    {
        var h = new EngineHarness(8);
        h.AddService(80, LvsScheduler.Rr, (Rs1, 1));
        h.Resolve(Rs1);
        // 200 established entries with 2 packets (SYN, ACK), and one busy entry with 20.
        for (ushort p = 1000; p < 1200; p++) { h.Syn(p); h.Forward(h.Tcp(p, Frames.Ack)); }
        h.Syn(40000);
        for (int i = 0; i < 19; i++) h.Forward(h.Tcp(40000, Frames.Ack));
        h.Engine.SetDefense(new DefenseSpec { DropEntry = LvsDefenseMode.Always });

        for (int i = 0; i < 30; i++) h.TickAfter(1); // re-armed 30 s ago: too recent to drop
        Assert.Equal(201, h.Engine.ConnectionCount);

        for (int i = 0; i < 300; i++) h.TickAfter(1);
        Assert.True(h.Engine.ConnectionCount < 150, $"{h.Engine.ConnectionCount} entries");
        Assert.Equal(LvsConnectionState.Established, StateOf(h, 40000));
    }

    [Fact]
    public void SecureTcp_SynGoesToSynAck_WithTheShortLifetime()
    {
        var h = WithEstablished();
        h.Engine.SetDefense(new DefenseSpec { SecureTcp = LvsDefenseMode.Always, SynRecvTimeout = 5 });
        Assert.Equal(Rs1, h.Syn(41000));
        Assert.Equal(LvsConnectionState.SynAck, StateOf(h, 41000));
        Assert.True(h.Engine.GetDefense().Level.HasFlag(LvsDefenseLevel.SecureTcp));
        h.TickAfter(4.999);
        Assert.Equal(2, h.Engine.ConnectionCount);
        h.TickAfter(0.001);
        Assert.Equal(1, h.Engine.ConnectionCount);
        // The handshake completes as usual: ACK on SYNACK is ESTABLISHED with its 900 s timer.
        Assert.Equal(Rs1, h.Syn(41001));
        h.Forward(h.Tcp(41001, Frames.Ack));
        Assert.Equal(LvsConnectionState.Established, StateOf(h, 41001));
    }

    [Fact]
    public void SecureTcpOff_SynRecvLivesItsNormalSixtySeconds()
    {
        var h = WithEstablished();
        h.Engine.SetDefense(new DefenseSpec { SecureTcp = LvsDefenseMode.Off });
        Assert.Equal(Rs1, h.Syn(41000));
        Assert.Equal(LvsConnectionState.SynRecv, StateOf(h, 41000));
        h.TickAfter(59.999);
        Assert.Equal(2, h.Engine.ConnectionCount);
        h.TickAfter(0.001);
        Assert.Equal(1, h.Engine.ConnectionCount);
    }

    [Fact]
    public void DropPacketAlways_RefusesOneInEveryDropRateNewConnections()
    {
        var h = WithEstablished();
        h.Engine.SetDefense(new DefenseSpec { DropPacket = LvsDefenseMode.Always, DropRate = 4 });
        int forwarded = 0;
        for (ushort p = 50000; p < 50020; p++) if (h.Syn(p) is not null) forwarded++;
        Assert.Equal(15, forwarded);
        Assert.Equal(5ul, h.Engine.GetStatus().ConnectionsRefused);
        // Packets of existing connections are never refused.
        for (int i = 0; i < 10; i++) Assert.NotNull(h.Forward(h.Tcp(40000, Frames.Ack)));
    }

    [Theory]
    [InlineData(7, null, null)]
    [InlineData(null, 0, null)]
    [InlineData(null, null, 0)]
    public void BadSettings_AreRefused_AndNothingChanges(int? dropEntry, int? maxConnections, int? dropRate)
    {
        var h = WithEstablished();
        var before = DirectorJson.Serialize(h.Engine.GetDefense());
        var e = Assert.Throws<LvsException>(() => h.Engine.SetDefense(new DefenseSpec
        {
            SecureTcp = LvsDefenseMode.Always, DropEntry = (LvsDefenseMode?)dropEntry, MaxConnections = maxConnections, DropRate = dropRate,
        }));
        Assert.Equal(LvsErrorIds.InvalidArgument, e.ErrorId);
        Assert.Equal(before, DirectorJson.Serialize(h.Engine.GetDefense()));
    }
}
