using System.Reflection;
using LvsPS.Ipvs.Sync;
using LvsPS.Ipvs.Vrrp;
using LvsPS.Management.Checks;
using LvsPS.Management.Failover;

namespace LvsPS.Management.Tests.Checks;

/// <summary>
/// The decisions of the failover checks (VrrpSingleMaster, DirectorConfigurationDrift, SyncDaemonRunning) and of
/// Get-LvsDirector's role over given listings. What a real pair lists (lvsd, keepalived, the kernel's sync daemon)
/// is tests/pester/HaChecks.Tests.ps1's; here each listing is written out, one rule at a time.
/// </summary>
public sealed class FailoverChecksTests
{
    /// <summary>A director that answers only the listings the checks read; anything else is refused.</summary>
    public class ListingDirector : DispatchProxy
    {
        public string DirectorName = "";
        public List<LvsService> Services = new();
        public List<VrrpInstanceStatus> Vrrp = new();
        public List<SyncDaemonStatus> Sync = new();

        protected override object? Invoke(MethodInfo? method, object?[]? args) => method!.Name switch
        {
            "get_Name" => DirectorName,
            "ListServices" => Services.Select(s => s).ToList(),
            "ListVrrpInstances" => Vrrp.ToList(),
            "ListSyncDaemons" => Sync.ToList(),
            "GetStatus" => new DirectorStatus { Name = DirectorName, Kind = LvsDirectorKind.Engine, ServiceCount = Services.Count },
            "GetHealth" => new List<LvsRealServerHealth>(),
            _ => throw new LvsException(LvsErrorIds.NotSupportedByDirector, LvsErrorKind.NotImplemented, method.Name),
        };

        public static (IDirector Director, ListingDirector Listings) Create(string name)
        {
            var d = DispatchProxy.Create<IDirector, ListingDirector>();
            var l = (ListingDirector)(object)d;
            l.DirectorName = name;
            return (d, l);
        }
    }

    private static VrrpInstanceStatus Instance(string director, VrrpState state, int priority, string name = "VI_1", int vrid = 51, string? master = null) => new()
    {
        Director = director, Name = name, Interface = "eth0", VirtualRouterId = vrid, Version = 3, State = state, Priority = priority,
        AdvertIntervalCentiseconds = 25, Preempt = true, VirtualAddresses = new[] { IPAddress.Parse("10.0.0.101") },
        MasterAddress = master is null ? null : IPAddress.Parse(master), LastTransition = DateTime.UtcNow,
    };

    private static SyncDaemonStatus Daemon(string director, SyncDaemonRole role, int syncId = 0, ulong sent = 0, ulong received = 0, TimeSpan? lag = null, DateTime? last = null) => new()
    {
        Director = director, Role = role, Interface = "eth0", SyncId = syncId, MessagesSent = sent, MessagesReceived = received, Lag = lag, LastMessage = last,
    };

    private static LvsService Service(int port, LvsScheduler scheduler = LvsScheduler.Rr, params (string Address, int Weight)[] reals)
    {
        var s = new LvsService { VirtualAddress = IPAddress.Parse("10.0.0.101"), Port = (ushort)port, Scheduler = scheduler };
        foreach (var (a, w) in reals)
            s.RealServers.Add(new LvsRealServer { RealAddress = IPAddress.Parse(a), RealPort = (ushort)port, Weight = w, Forwarding = LvsForwarding.Route, State = LvsRealServerState.Up });
        return s;
    }

    private static (ListingDirector A, ListingDirector B, Func<string, List<LvsCheckResult>> Run) Pair()
    {
        var (a, la) = ListingDirector.Create("ha-director1");
        var (b, lb) = ListingDirector.Create("ha-director2");
        la.Services.Add(Service(80, LvsScheduler.Rr, ("10.0.0.3", 1), ("10.0.0.4", 1)));
        lb.Services.Add(Service(80, LvsScheduler.Rr, ("10.0.0.3", 1), ("10.0.0.4", 1)));
        return (la, lb, check => ClusterChecks.Run(a, new ClusterCheckOptions { Director = "ha-director1", Peers = new[] { b }, Include = new[] { check } }).ToList());
    }

    /// <summary>
    /// <see cref="Pair"/> with VI_1 on each: in <paramref name="first"/> at priority 150 on ha-director1, in
    /// <paramref name="second"/> at 100 on ha-director2 (hearing <paramref name="secondHears"/>).
    /// </summary>
    private static (ListingDirector A, ListingDirector B, Func<string, List<LvsCheckResult>> Run) PairWithVrrp(
        VrrpState first = VrrpState.Master, VrrpState second = VrrpState.Backup, string? secondHears = null)
    {
        var (a, b, run) = Pair();
        a.Vrrp.Add(Instance("ha-director1", first, 150));
        b.Vrrp.Add(Instance("ha-director2", second, 100, master: secondHears));
        return (a, b, run);
    }

    /// <summary>VrrpSingleMaster's one result over <see cref="PairWithVrrp"/>.</summary>
    private static LvsCheckResult SingleMaster(VrrpState first, VrrpState second, string? secondHears = null) =>
        Assert.Single(PairWithVrrp(first, second, secondHears).Run(ClusterChecks.VrrpSingleMaster));

    [Fact]
    public void VrrpSingleMaster_OneMasterOneBackup_Passes_NamingBoth()
    {
        var r = SingleMaster(VrrpState.Master, VrrpState.Backup, secondHears: "10.0.0.1");
        Assert.Equal((LvsCheckResultKind.Passed, "VI_1 (vrid 51)"), (r.Result, r.Target));
        Assert.Equal("ha-director1 is the one master of VI_1 (ha-director1 Master (priority 150), ha-director2 Backup (priority 100, hears 10.0.0.1)).", r.Message);
    }

    [Fact]
    public void VrrpSingleMaster_TwoMasters_Fails_NamingTheInstanceAndBothDirectors()
    {
        var r = SingleMaster(VrrpState.Master, VrrpState.Master);
        Assert.Equal(LvsCheckResultKind.Failed, r.Result);
        Assert.StartsWith("ha-director1 and ha-director2 are all master of VI_1 (vrid 51): each answers ARP for 10.0.0.101", r.Message);
        Assert.Contains("AdvertsReceived", r.Remedy);
    }

    [Fact]
    public void VrrpSingleMaster_NoMaster_Fails_AndAFault_IsNamed()
    {
        var r = SingleMaster(VrrpState.Fault, VrrpState.Backup);
        Assert.Equal(LvsCheckResultKind.Failed, r.Result);
        Assert.Contains("No director is master of VI_1 (vrid 51): its VIPs have no owner", r.Message);
        Assert.Contains("ha-director1 in FAULT", r.Message);
    }

    [Fact]
    public void VrrpSingleMaster_AVridOnOneDirectorOnly_IsAWarning_PerVrid()
    {
        var (a, _, run) = PairWithVrrp();
        a.Vrrp.Add(Instance("ha-director1", VrrpState.Master, 150, "VI_2", 52));
        var results = run(ClusterChecks.VrrpSingleMaster);
        Assert.Equal(new[] { "VI_1 (vrid 51)", "VI_2 (vrid 52)" }, results.Select(r => r.Target));
        Assert.Equal(LvsCheckResultKind.Passed, results[0].Result);
        Assert.Equal(LvsCheckResultKind.Warning, results[1].Result);
        Assert.Contains("ha-director2 runs no instance with vrid 52", results[1].Message);
    }

    [Fact]
    public void Drift_TheSameTables_Pass()
    {
        var (_, _, run) = Pair();
        var r = Assert.Single(run(ClusterChecks.DirectorConfigurationDrift));
        Assert.Equal(LvsCheckResultKind.Passed, r.Result);
        Assert.Equal("ha-director1 and ha-director2 hold the same 1 service(s) and 2 real server(s), with the same schedulers and weights.", r.Message);
    }

    [Fact]
    public void Drift_NamesEachDifference_OneResultPerService()
    {
        var (a, b, run) = Pair();
        a.Services.Add(Service(443, LvsScheduler.Wlc, ("10.0.0.3", 1)));
        b.Services[0] = Service(80, LvsScheduler.Wrr, ("10.0.0.3", 3), ("10.0.0.5", 1));
        var results = run(ClusterChecks.DirectorConfigurationDrift);
        Assert.All(results, r => Assert.Equal(LvsCheckResultKind.Failed, r.Result));
        Assert.Equal(new[] { "TCP 10.0.0.101:443 (ha-director1 / ha-director2)", "TCP 10.0.0.101:80 (ha-director1 / ha-director2)" }, results.Select(r => r.Target));
        Assert.Equal("ha-director2 has no service TCP 10.0.0.101:443 (on ha-director1: wlc, 1 real server(s)).", results[0].Message);
        Assert.Equal("scheduler rr on ha-director1, wrr on ha-director2; 10.0.0.3:80 weight 1 on ha-director1, 3 on ha-director2; "
                     + "real server 10.0.0.4:80 only on ha-director1; real server 10.0.0.5:80 only on ha-director2.", results[1].Message);
    }

    [Fact]
    public void Sync_MasterAndBackupDaemons_WhereVrrpSays_Pass_WithTheLag()
    {
        var (a, b, run) = PairWithVrrp();
        var now = DateTime.UtcNow;
        a.Sync.Add(Daemon("ha-director1", SyncDaemonRole.Master, 7, sent: 12, lag: TimeSpan.FromMilliseconds(20), last: now));
        b.Sync.Add(Daemon("ha-director2", SyncDaemonRole.Backup, 7, received: 12, last: now));
        var results = run(ClusterChecks.SyncDaemonRunning);
        Assert.Equal(new[] { "ha-director1", "ha-director2" }, results.Select(r => r.Target));
        Assert.All(results, r => Assert.Equal(LvsCheckResultKind.Passed, r.Result));
        Assert.Contains("ha-director1 is VRRP master and runs a master sync daemon syncid 7 on eth0 (12 message(s), 0 connection(s) sent, lag 0.02 s)", results[0].Message);
    }

    [Fact]
    public void Sync_NoDaemon_Fails_WithTheCommandThatStartsIt()
    {
        var (_, _, run) = PairWithVrrp();
        var results = run(ClusterChecks.SyncDaemonRunning);
        Assert.All(results, r => Assert.Equal(LvsCheckResultKind.Failed, r.Result));
        Assert.StartsWith("ha-director1 is VRRP master but runs no master sync daemon", results[0].Message);
        Assert.Equal("Start-LvsSyncDaemon -Director ha-director1 -Role Master -Interface eth0", results[0].Remedy);
        Assert.StartsWith("ha-director2 is VRRP backup but runs no backup sync daemon", results[1].Message);
    }

    [Fact]
    public void Sync_ABackupThatHearsNothing_OrAnotherSyncId_OrAMasterLagging_Fails()
    {
        var (a, b, run) = PairWithVrrp();
        a.Sync.Add(Daemon("ha-director1", SyncDaemonRole.Master, 7, sent: 30, lag: TimeSpan.FromSeconds(5)));
        b.Sync.Add(Daemon("ha-director2", SyncDaemonRole.Backup, 8));
        var results = run(ClusterChecks.SyncDaemonRunning);
        Assert.All(results, r => Assert.Equal(LvsCheckResultKind.Failed, r.Result));
        Assert.Contains("its oldest unsent change is 5 s old (bound 3 s)", results[0].Message);
        Assert.Contains("it takes sync id 8 but the master ha-director1 sends 7", results[1].Message);
        Assert.Contains("it received nothing though ha-director1 sent 30 message(s)", results[1].Message);
    }

    [Fact]
    public void Role_IsComposedOverTheInstances()
    {
        Assert.Equal(DirectorRole.None, DirectorFailoverState.Compose("d", Array.Empty<VrrpInstanceStatus>(), Array.Empty<SyncDaemonStatus>()).Role);
        var mixed = DirectorFailoverState.Compose("d", new[] { Instance("d", VrrpState.Master, 150), Instance("d", VrrpState.Backup, 120, "VI_2", 52, "10.0.0.2") },
            new[] { Daemon("d", SyncDaemonRole.Backup), Daemon("d", SyncDaemonRole.Master) });
        Assert.Equal((DirectorRole.Mixed, 150, "Master,Backup"), (mixed.Role, mixed.Priority!.Value, mixed.Sync));
        Assert.Equal(IPAddress.Parse("10.0.0.2"), mixed.Peer);
        Assert.Equal(DirectorRole.Fault, DirectorFailoverState.Compose("d", new[] { Instance("d", VrrpState.Master, 150), Instance("d", VrrpState.Fault, 1, "VI_2", 52) }, Array.Empty<SyncDaemonStatus>()).Role);
    }
}
