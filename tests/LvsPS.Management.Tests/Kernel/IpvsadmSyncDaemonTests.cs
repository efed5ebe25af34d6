using System.Net;
using LvsPS.Ipvs.Model;
using LvsPS.Ipvs.Sync;
using LvsPS.Management.Kernel;
using LvsPS.Management.Remote;

namespace LvsPS.Management.Tests.Kernel;

/// <summary>
/// The kernel's sync daemons through ipvsadm 1.31: the texts below are what it printed on Linux 6.1 in the kernel lab
/// (ipvsadm -L --daemon after --start-daemon master --mcast-interface eth0 --syncid 7 and --start-daemon backup
/// --mcast-interface eth0 --syncid 9 --mcast-group 224.0.0.99 --mcast-port 9000 --mcast-ttl 3 --sync-maxlen 1000;
/// the refusals with their exit status).
/// </summary>
public sealed class IpvsadmSyncDaemonTests
{
    private const string Listed =
        "master sync daemon (mcast=eth0, syncid=7, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)\n" +
        "backup sync daemon (mcast=eth0, syncid=9, maxlen=1024, group=224.0.0.99, port=9000, ttl=3)\n";

    [Fact]
    public void TheListingIsReadWithEverySetting()
    {
        var list = IpvsadmSyncDaemon.Parse(Listed + IpvsadmSyncDaemon.Marker + "\nmaster 1796143800\n", "k1");
        Assert.Equal(2, list.Count);
        var m = list[0];
        Assert.Equal(("k1", SyncDaemonRole.Master, "eth0", 7, 1472), (m.Director, m.Role, m.Interface, m.SyncId, m.MaxLength));
        Assert.Equal((IPAddress.Parse("224.0.0.81"), 8848, 1), (m.Group, m.Port, m.Ttl));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1796143800).UtcDateTime, m.Started);
        var b = list[1];
        Assert.Equal((SyncDaemonRole.Backup, "eth0", 9, 1024), (b.Role, b.Interface, b.SyncId, b.MaxLength));
        Assert.Equal((IPAddress.Parse("224.0.0.99"), 9000, 3), (b.Group, b.Port, b.Ttl));
        Assert.Equal(default, b.Started);
        Assert.Null(b.Lag);
    }

    [Fact]
    public void NoDaemonIsAnEmptyList_AndCrlfAndAnIpv6GroupAreRead()
    {
        Assert.Empty(IpvsadmSyncDaemon.Parse("", "k1"));
        Assert.Empty(IpvsadmSyncDaemon.Parse(IpvsadmSyncDaemon.Marker + "\n", "k1"));
        var l = Assert.Single(IpvsadmSyncDaemon.Parse("master sync daemon (mcast=eth1, syncid=0, maxlen=1452, group=ff02::81, port=8848, ttl=1)\r\n", "k1"));
        Assert.Equal(IPAddress.Parse("ff02::81"), l.Group);
        Assert.Equal("eth1", l.Interface);
    }

    [Fact]
    public void AnOlderIpvsadmsShortLineKeepsTheDefaults()
    {
        var l = Assert.Single(IpvsadmSyncDaemon.Parse("backup sync daemon (mcast=eth0, syncid=3)\n", "k1"));
        Assert.Equal((SyncDaemonRole.Backup, 3, 0, 8848, 1), (l.Role, l.SyncId, l.MaxLength, l.Port, l.Ttl));
        Assert.Equal(SyncDaemonSpec.DefaultGroup, l.Group);
    }

    [Fact]
    public void AnUnknownLineIsDirectorProtocolErrorNamingIt()
    {
        var e = Assert.Throws<LvsException>(() => IpvsadmSyncDaemon.Parse("master sync daemon (something else)\n", "k1"));
        Assert.Equal((LvsErrorIds.DirectorProtocolError, LvsErrorKind.ParserError), (e.ErrorId, e.Kind));
        Assert.Contains("'master sync daemon (something else)'", e.Message);
    }

    [Fact]
    public void StartWritesOnlyWhatDiffersFromTheKernelsDefaults_Quoted()
    {
        var d = new SyncDaemonSpec { Role = SyncDaemonRole.Master, Interface = "eth0", SyncId = 7 };
        Assert.Equal("ipvsadm '--start-daemon' 'master' '--mcast-interface' 'eth0' '--syncid' '7'", IpvsadmSyncDaemon.Start(d).CommandLine);
        var b = new SyncDaemonSpec { Role = SyncDaemonRole.Backup, Interface = "eth1", SyncId = 0, Group = IPAddress.Parse("224.0.0.99"), Port = 9000, Ttl = 3, MaxLength = 1000 };
        Assert.Equal("/usr/sbin/ipvsadm '--start-daemon' 'backup' '--mcast-interface' 'eth1' '--syncid' '0' '--mcast-group' '224.0.0.99' '--mcast-port' '9000' '--mcast-ttl' '3' '--sync-maxlen' '1000'",
            IpvsadmSyncDaemon.Start(b, "/usr/sbin/ipvsadm").CommandLine);
        Assert.Equal("ipvsadm '--stop-daemon' 'backup'", IpvsadmSyncDaemon.Stop(SyncDaemonRole.Backup).CommandLine);
        Assert.EndsWith("&& { date -u +%s > /run/lvsps-sync-master.started; true; }", IpvsadmSyncDaemon.StartCommandLine(d));
        Assert.EndsWith("&& rm -f /run/lvsps-sync-backup.started", IpvsadmSyncDaemon.StopCommandLine(SyncDaemonRole.Backup));
    }

    [Fact]
    public void BadValuesAreRefusedBeforeAnythingRuns_AUnicastGroupToo()
    {
        var runs = new List<string>();
        var k = new KernelDirector("k1", "lvs1.example", c => { runs.Add(c); return new RemoteResult { Command = c }; });
        Assert.Equal(LvsErrorIds.InvalidSyncDaemon, Assert.Throws<LvsException>(() => k.StartSyncDaemon(new SyncDaemonSpec { Interface = "eth0", SyncId = 256 })).ErrorId);
        Assert.Equal(LvsErrorIds.InvalidInterfaceName, Assert.Throws<LvsException>(() => k.StartSyncDaemon(new SyncDaemonSpec { Interface = "eth 0", SyncId = 1 })).ErrorId);
        var e = Assert.Throws<LvsException>(() => k.StartSyncDaemon(new SyncDaemonSpec { Interface = "eth0", Group = IPAddress.Parse("10.0.0.2") }));
        Assert.Equal(LvsErrorIds.InvalidSyncDaemon, e.ErrorId);
        Assert.Contains("'10.0.0.2' is not a multicast address", e.Message);
        Assert.Equal(LvsErrorIds.InvalidSyncDaemon, Assert.Throws<LvsException>(() => k.StopSyncDaemon((SyncDaemonRole)5)).ErrorId);
        Assert.Empty(runs);
    }

    private static LvsException Map(int exit, string stderr, string command) =>
        IpvsadmErrors.FromResult(new RemoteResult { Command = command, ExitStatus = exit, Error = stderr }, "k1", "lvs1.example", "the master syncid 7 on eth0 sync daemon");

    [Theory]
    [InlineData(255, "Daemon has already run\n", "SyncDaemonExists", LvsErrorKind.ResourceExists)]
    [InlineData(255, "No daemon is running\n", "SyncDaemonNotFound", LvsErrorKind.ObjectNotFound)]
    [InlineData(255, "No such device\n", "InterfaceNotAvailable", LvsErrorKind.ObjectNotFound)]
    [InlineData(2, "illegal syncid specified\n", "InvalidSyncDaemon", LvsErrorKind.InvalidArgument)]
    [InlineData(2, "illegal mcast-ttl specified\n", "InvalidSyncDaemon", LvsErrorKind.InvalidArgument)]
    [InlineData(2, "invalid IPv4 mcast-group `10.231.0.2'\n", "InvalidSyncDaemon", LvsErrorKind.InvalidArgument)]
    public void IpvsadmsRefusalsBecomeTheSyncErrorIds(int exit, string stderr, string id, LvsErrorKind kind)
    {
        var e = Map(exit, stderr, "ipvsadm '--start-daemon' 'master' '--mcast-interface' 'eth0' '--syncid' '7'");
        Assert.Equal((id, kind), (e.ErrorId, e.Kind));
        Assert.Contains(stderr.Trim(), e.Message);
    }
}
