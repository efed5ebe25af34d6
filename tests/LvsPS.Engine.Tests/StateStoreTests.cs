using LvsPS.Ipvs.Vrrp;

namespace LvsPS.Engine.Tests;

/// <summary>
/// The state store on its own: what lvsd writes, lvsd reads back whole (the strict reading refuses nothing it wrote,
/// health checks, persistence, firewall marks and mark rules included), each save keeps the previous file as .bak,
/// and a save leaves no temporary file behind.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")] // the state file is a Linux daemon's: its mode is checked
public sealed class StateStoreTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lvsps-statestore-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static void Configure(DirectorEngine e)
    {
        var web = new ServiceSpec
        {
            Address = Ip(Vip), Port = 80, Scheduler = LvsScheduler.Wrr, PersistentTimeout = 300,
            PersistenceNetmask = IPAddress.Parse("255.255.255.0"),
            RealServers =
            {
                new RealServerSpec { Address = Ip(Rs1), Weight = 3, UpperThreshold = 100, LowerThreshold = 50, NotifyDown = "/bin/true down" },
                new RealServerSpec { Address = Ip(Rs2), Weight = 1, Forwarding = LvsForwarding.Masq, Port = 8080 },
            },
        };
        e.AddService(web);
        e.AddHealthCheck(web, web.RealServers[0], new HealthCheckSpec
        {
            Type = LvsHealthCheckType.Http, ConnectPort = 80, IntervalSec = 5, Retry = 2,
            Urls = { new HttpUrlSpec { Path = "/test.html", StatusCode = "200-299" } },
        });
        e.AddHealthCheck(web, web.RealServers[1], new HealthCheckSpec { Type = LvsHealthCheckType.Tcp, ConnectTimeoutSec = 2 });
        e.SetServiceHealth(web, new ServiceHealthSpec { Quorum = 1, DelayLoopSec = 10, SorryServer = Ip(Rs3), SorryServerPort = 80 });
        e.AddService(new ServiceSpec { FirewallMark = 7, Scheduler = LvsScheduler.Sh, SchedulerFlags = LvsSchedulerFlags.Fallback,
            RealServers = { new RealServerSpec { Address = Ip(Rs3) } } });
        e.AddService(new ServiceSpec { Protocol = LvsProtocol.Udp, Address = Ip(Vip2), Port = 53, Scheduler = LvsScheduler.Rr, OnePacket = true });
        e.AddMarkRule(new MarkRuleSpec { Mark = 7, Protocol = LvsProtocol.Tcp, Address = IPAddress.Parse("10.250.0.0"), PrefixLength = 24, PortFrom = 443, PortTo = 444 });
        e.SetTimeouts(new TimeoutSpec { Tcp = 600, TcpFin = 60, Udp = 200 });
    }

    [Fact]
    public void WhatLvsdSaves_ItLoadsBackWhole_AndRestoresTheSameTable()
    {
        var first = new EngineHarness();
        Configure(first.Engine);
        var path = Path.Combine(_folder, "d1.json");
        var store = new StateStore(path);
        var saved = first.Engine.ExportState();
        store.Save(saved);

        var loaded = new StateStore(path).Load("d1");
        Assert.Equal(DirectorState.CurrentVersion, loaded.Version);
        var second = new EngineHarness();
        store.Apply(second.Engine, loaded);
        Assert.Equal(DirectorJson.Serialize(saved), DirectorJson.Serialize(second.Engine.ExportState()));
        Assert.Contains("\"version\":1", File.ReadAllText(path));
    }

    [Fact]
    public void ARestoredVrrpDirector_AnnouncesNoVip_BeforeVrrpMakesItMaster()
    {
        // A director restarted into a pair comes back as backup (nopreempt, or a higher master): a gratuitous ARP
        // from its restored services would pull the clients to it, and it would drop their traffic.
        var first = new EngineHarness();
        first.Engine.AddService(new ServiceSpec { Address = Ip(Vip), Port = 80, RealServers = { new RealServerSpec { Address = Ip(Rs1) } } });
        first.Engine.AddVrrpInstance(new VrrpInstanceSpec { Name = "VI_1", Interface = "eth0", VirtualRouterId = 51, Priority = 100, VirtualAddresses = { Ip(Vip) } });
        var store = new StateStore(Path.Combine(_folder, "pair.json"));
        store.Save(first.Engine.ExportState());

        var second = new EngineHarness();
        store.Apply(second.Engine, store.Load("pair"));
        Assert.Equal(1, second.Engine.ServiceCount);
        Assert.DoesNotContain(second.Sink.Arp, f => Frames.U32(f, 14 + 14) == Vip && Frames.U32(f, 14 + 24) == Vip);
        second.Engine.Tick();
        Assert.DoesNotContain(second.Sink.Arp, f => Frames.U32(f, 14 + 14) == Vip && Frames.U32(f, 14 + 24) == Vip);

        // The same service without VRRP is announced at once, as a new VIP is.
        var plain = new EngineHarness();
        plain.Engine.AddService(new ServiceSpec { Address = Ip(Vip), Port = 80, RealServers = { new RealServerSpec { Address = Ip(Rs1) } } });
        Assert.Contains(plain.Sink.Arp, f => Frames.U32(f, 14 + 14) == Vip && Frames.U32(f, 14 + 24) == Vip);
    }

    [Fact]
    public void EachSave_KeepsTheFileBeforeIt_AsTheCopy_AndLeavesNoTemporaryFile()
    {
        var h = new EngineHarness();
        var path = Path.Combine(_folder, "d2.json");
        var store = new StateStore(path);
        h.Engine.AddService(new ServiceSpec { Address = Ip(Vip), Port = 80 });
        store.Save(h.Engine.ExportState());
        Assert.False(File.Exists(store.BackupPath));
        var one = File.ReadAllText(path);
        h.Engine.AddService(new ServiceSpec { Address = Ip(Vip), Port = 81 });
        store.Save(h.Engine.ExportState());
        Assert.Equal(one, File.ReadAllText(store.BackupPath));
        Assert.Equal(2, store.Load("d2").Services.Count);
        Assert.Equal(new[] { "d2.json", "d2.json.bak" }, Directory.GetFiles(_folder).Select(Path.GetFileName).Order());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void NoFile_IsAnEmptyState()
    {
        var state = new StateStore(Path.Combine(_folder, "none.json")).Load("none");
        Assert.Empty(state.Services);
        Assert.Empty(state.MarkRules);
        Assert.Null(state.Timeouts);
    }
}
