using System.Net;
using LvsPS.Ipvs.Model;
using LvsPS.Ipvs.Vrrp;
using LvsPS.Management.Kernel;
using LvsPS.Management.Remote;

namespace LvsPS.Management.Tests.Kernel;

/// <summary>
/// keepalived 2.2.7's dumps as a kernel lab's director wrote them (SIGUSR1: /tmp/keepalived.data, SIGUSR2:
/// /tmp/keepalived.stats): VI_kha as BACKUP behind a keepalived peer of priority 200 at 10.231.0.3, and as MASTER.
/// </summary>
public sealed class KernelVrrpTests
{
    private const string BackupDump =
        "------< Global definitions >------\n Network namespace = (default)\n Router ID = director\n" +
        "------< VRRP Topology >------\n VRRP Instance = VI_kha\n   VRRP Version = 3\n   State = BACKUP\n   Master router = 10.231.0.3\n" +
        "   Master priority = 200\n   Master advert int = 0.25 sec\n   Flags: none\n   Wantstate = BACKUP\n   Number of config faults = 0\n" +
        "   Last transition = 1796153816.747411 (Tue Dec  1 19:36:56.747411 2026)\n   Read timeout = 1796153820.671365 (Tue Dec  1 19:37:00.671365 2026)\n" +
        "   Interface = eth0\n   Using src_ip = 10.231.0.1\n   Multicast address 224.0.0.18\n   Virtual Router ID = 61\n   Priority = 150\n" +
        "   Effective priority = 150\n   Total priority = 150\n   Advert interval = 250 milli-sec\n   Preempt = enabled\n   Virtual IP (1):\n" +
        "     10.231.0.150 dev eth0 scope global\n------< VRRP Sockpool >------\n fd_in 12 fd_out = 13\n   Interface = eth0\n" +
        "------< Interfaces >------\n Name = eth0\n   IPv4 address = 10.231.0.1\n";

    private const string MasterDump =
        "------< VRRP Topology >------\n VRRP Instance = VI_1\n   VRRP Version = 3\n   State = MASTER\n   Flags:\n   Wantstate = MASTER\n" +
        "   Last transition = 1796152783.292221 (Tue Dec  1 19:19:43.292221 2026)\n   Interface = eth0\n   Using src_ip = 10.231.0.1\n" +
        "   Virtual Router ID = 51\n   Priority = 150\n   Effective priority = 150\n   Preempt = disabled\n   Virtual IP (1):\n" +
        "     10.231.0.150 dev eth0 scope global set\n------< Interfaces >------\n Name = lo\n";

    private const string Stats =
        "VRRP Instance: VI_kha\n  Advertisements:\n    Received: 13\n    Sent: 0\n  Became master: 0\n  Released master: 0\n" +
        "  Packet Errors:\n    Length: 0\n    TTL: 1\n    Invalid Type: 0\n    Advertisement Interval: 0\n    Address List: 0\n" +
        "  Authentication Errors:\n    Invalid Type: 0\n    Type Mismatch: 2\n    Failure: 0\n  Priority Zero:\n    Received: 4\n    Sent: 0\n";

    [Fact]
    public void ABackupsDumpGivesTheMastersAddressPriorityAndTheTransitionToTheMicrosecond()
    {
        var d = Assert.Single(KernelVrrp.ParseDump(BackupDump)).Value;
        Assert.Equal(("VI_kha", VrrpState.Backup, IPAddress.Parse("10.231.0.3"), 200, 150), (d.Name, d.State, d.MasterAddress, d.MasterPriority, d.Priority));
        Assert.Equal(IPAddress.Parse("10.231.0.1"), d.SourceAddress);
        Assert.Equal(DateTime.UnixEpoch.AddSeconds(1796153816).AddTicks(7474110), d.LastTransition);
    }

    [Fact]
    public void AMastersDumpHasNoMasterRouter_AndTheStatsAreCounted()
    {
        var d = KernelVrrp.ParseDump(MasterDump)["VI_1"];
        Assert.Equal((VrrpState.Master, (IPAddress?)null, 150), (d.State, d.MasterAddress, d.EffectivePriority));
        var s = KernelVrrp.ParseStats(Stats)["VI_kha"];
        Assert.Equal((13UL, 0UL, 0UL, 0UL, 3UL), (s.Received, s.Sent, s.BecameMaster, s.ReleasedMaster, s.Errors));
    }

    [Fact]
    public void ListVrrpInstancesJoinsTheFileWithKeepalivedsState()
    {
        string conf = LvsPS.Management.Config.ConfigurationWriter.WriteKeepalived(Array.Empty<ServiceSpec>(), new LvsPS.Management.Config.ConfigurationWriterOptions
        {
            VrrpInstances = new[] { new VrrpInstanceSpec { Name = "VI_kha", Interface = "eth0", VirtualRouterId = 61, Priority = 150, AdvertIntervalCentiseconds = 25, VirtualAddresses = { IPAddress.Parse("10.231.0.150") } } },
        });
        var k = new KernelDirector("k1", "lvs1.example", c => new RemoteResult
        {
            Command = c,
            Output = c.StartsWith("cat /etc/keepalived", StringComparison.Ordinal) ? conf
                : c.Contains(KernelVrrp.DataFile, StringComparison.Ordinal) ? BackupDump + KernelVrrp.Marker + "\n" + Stats + KernelVrrp.Marker + "\n1796153900\n" : "",
        });
        var s = Assert.Single(k.ListVrrpInstances());
        Assert.Equal(("k1", "VI_kha", VrrpState.Backup, 150, 25), (s.Director, s.Name, s.State, s.Priority, s.AdvertIntervalCentiseconds));
        Assert.Equal((IPAddress.Parse("10.231.0.3"), 200, 13UL, 3UL), (s.MasterAddress, s.MasterPriority, s.AdvertsReceived, s.AdvertsDropped));
        Assert.Equal(new[] { IPAddress.Parse("10.231.0.150") }, s.VirtualAddresses);
    }

    [Fact]
    public void BadInstancesAreRefusedBeforeAnythingRuns()
    {
        var runs = new List<string>();
        var k = new KernelDirector("k1", "lvs1.example", c => { runs.Add(c); return new RemoteResult { Command = c }; });
        var e = Assert.Throws<LvsException>(() => k.AddVrrpInstance(new VrrpInstanceSpec { Name = "VI_1", Interface = "eth0", VirtualRouterId = 300, VirtualAddresses = { IPAddress.Parse("10.0.0.1") } }));
        Assert.Equal(LvsErrorIds.InvalidVrrpInstance, e.ErrorId);
        Assert.Equal(LvsErrorIds.InvalidVrrpInstance, Assert.Throws<LvsException>(() => k.DeleteVrrpInstance("bad name")).ErrorId);
        Assert.Empty(runs);
    }
}
