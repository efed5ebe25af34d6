using System.Net;
using LvsPS.Ipvs.Director;
using LvsPS.Ipvs.Model;
using LvsPS.Ipvs.Specs;
using LvsPS.Ipvs.Sync;
using LvsPS.Management.Kernel;
using LvsPS.Management.Lab;
using LvsPS.Management.Lvsd;

namespace LvsPS.Lab.Tests;

/// <summary>
/// The mixed pair for connection sync, shared by the facts of <see cref="SyncKernelLabTests"/>: director1 runs lvsd,
/// director2 is Linux 6.1 IPVS (a QEMU guest where this host has no ip_vs). Both get the same persistent DR service
/// (VIP:80, rr, persistence 300 s, rs1 and rs2); the traffic goes to one director or the other by a static neighbour
/// entry for the VIP on the client (no VRRP here).
/// </summary>
public sealed class SyncMixedPairFixture : SharedLabFixture, IDisposable
{
    public SyncMixedPairFixture() : base("ls", "10.216", 2, new[] { LvsLabDirectorKind.Engine, LvsLabDirectorKind.Kernel })
    {
        try
        {
            // DR: each real server holds the VIP on lo without answering ARP for it (Set-LvsRealServerHidden's commands).
            foreach (var rs in Lab.RealServers)
                Ok(rs.Name, string.Join(" && ", LvsPS.Management.Remote.RealServerPreparer.BuildSetHiddenCommands(Lab.VirtualAddress)));
            Lvsd.Start(Lab, Lab.Directors[0]);
            Engine = DirectorClient.Connect(Lab.DirectorNameOf(Lab.Directors[0]), TimeSpan.FromSeconds(10));
            Engine.AddService(Service);
            foreach (var rs in Lab.RealServers) Engine.AddRealServer(Service, new RealServerSpec { Address = rs.Address, Weight = 1 });
            string vip = Lab.VirtualAddress.ToString();
            var add = $"ipvsadm -A -t {vip}:80 -s rr -p 300 && " +
                      string.Join(" && ", Lab.RealServers.Select(rs => $"ipvsadm -a -t {vip}:80 -r {rs.Address}:80 -g -w 1"));
            Ok("director2", add);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public IDirector Engine { get; } = null!;

    public ServiceSpec Service => new()
    {
        Protocol = LvsProtocol.Tcp, Address = Lab.VirtualAddress, Port = 80, Scheduler = LvsScheduler.Rr, PersistentTimeout = 300,
    };

    public string Ok(string node, string command)
    {
        var r = Manager.Exec(Lab, node, command, TimeSpan.FromSeconds(60));
        if (r.ExitCode != 0) throw new InvalidOperationException($"`{command}` on {node} exited {r.ExitCode}: {r.Error} {r.Output}");
        return r.Output;
    }

    /// <summary>The client sends to the VIP through this director (its MAC as the VIP's neighbour, permanent).</summary>
    public void Through(LvsLabNode director) =>
        Ok("client", $"ip neigh replace {Lab.VirtualAddress} lladdr {director.MacAddress} dev eth0 nud permanent");

    public new void Dispose()
    {
        try { Lvsd.Forget(Lab.DirectorNameOf(Lab.Directors[0])); } catch (Exception) { }
        base.Dispose();
    }
}

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SyncKernelLabTests : IClassFixture<SyncMixedPairFixture>, IDisposable
{
    private readonly SyncMixedPairFixture _f;
    public SyncKernelLabTests(SyncMixedPairFixture fixture) => _f = fixture;
    private LvsLab Lab => _f.Lab;
    private LvsLabNode D1 => Lab.Directors[0];
    private LvsLabNode D2 => Lab.Directors[1];

    public void Dispose()
    {
        // Each fact leaves no daemon behind, on either director.
        foreach (var d in _f.Engine.ListSyncDaemons()) _f.Engine.StopSyncDaemon(d.Role);
        _f.Manager.Exec(Lab, "director2", "ipvsadm --stop-daemon master; ipvsadm --stop-daemon backup; ip addr del " + Lab.VirtualAddress + "/32 dev eth0", TimeSpan.FromSeconds(30));
    }

    /// <summary>A few HTTP requests from the client, each a connection of its own (HTTP/1.0 closes it).</summary>
    private void Requests(int count)
    {
        var r = _f.Ok("client", $"for i in $(seq {count}); do curl -s -o /dev/null -m 5 -w '%{{http_code}} ' http://{Lab.VirtualAddress}/ || echo fail; done");
        Assert.DoesNotContain("fail", r);
        Assert.Equal(count, r.Split(' ', StringSplitOptions.RemoveEmptyEntries).Count(x => x == "200"));
    }

    /// <summary>One long-lived connection left open (a bounded sleep), so an ESTABLISHED entry stays in the tables.</summary>
    private void HoldOpen(int seconds) =>
        _f.Ok("client", $"setsid bash -c 'exec 3<>/dev/tcp/{Lab.VirtualAddress}/80; printf \"GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n\" >&3; sleep {seconds}' >/dev/null 2>&1 < /dev/null & echo started");

    private List<LvsConnection> KernelTable() => IpvsadmOutputParser.ParseConnections(_f.Ok("director2", "ipvsadm -L -n -c"));

    private static void Eventually(Func<bool> done, string what, int seconds = 20)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!done())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException(what);
            Thread.Sleep(250);
        }
    }

    private static (ushort, IPAddress, LvsConnectionState) Row(LvsConnection c) => (c.ClientPort, c.RealAddress, c.State);

    /// <summary>
    /// The client's entries made by this fact: the facts share the lab, and an earlier fact's connections (and their
    /// synced copies) may still be in either table; the client's template (port 0) is shared.
    /// </summary>
    private Func<LvsConnection, bool> OfThisFact()
    {
        var client = Lab.Client.Address;
        var before = KernelTable().Concat(_f.Engine.ListConnections()).Where(c => c.ClientAddress.Equals(client) && c.ClientPort != 0)
            .Select(c => c.ClientPort).ToHashSet();
        return c => c.ClientAddress.Equals(client) && !before.Contains(c.ClientPort);
    }

    [Fact]
    public void AKernelMaster_SendsToAnLvsdBackup_WhoseTableThenHoldsTheKernelsConnectionsAndTemplate()
    {
        _f.Engine.StartSyncDaemon(new SyncDaemonSpec { Role = SyncDaemonRole.Backup, Interface = "eth0", SyncId = 21 });
        _f.Ok("director2", $"ipvsadm --start-daemon master --mcast-interface eth0 --syncid 21 && ip addr add {Lab.VirtualAddress}/32 dev eth0");
        _f.Through(D2);
        var mine = OfThisFact();
        HoldOpen(40);
        Requests(4);

        // The kernel's own table, and lvsd's once the kernel has sent it (its buffer goes out within 2 s): the same
        // clients on the same real servers in the same states, the template included, each flagged as synced.
        List<LvsConnection> kernel = new(), engine = new();
        Eventually(() =>
        {
            kernel = KernelTable().Where(mine).ToList();
            engine = _f.Engine.ListConnections().Where(mine).ToList();
            return kernel.Count >= 6 && kernel.Select(Row).OrderBy(x => x.Item1).SequenceEqual(engine.Select(Row).OrderBy(x => x.Item1));
        }, "lvsd's table to hold the kernel master's entries");
        Assert.Contains(engine, c => c.ClientPort == 0);                              // the persistence template
        Assert.Contains(engine, c => c.State == LvsConnectionState.Established);      // the held connection
        Assert.All(engine, c => Assert.True(c.Synced));
        Assert.Single(engine.Select(c => c.RealAddress).Distinct());                 // persistence: one real server

        var status = Assert.Single(_f.Engine.ListSyncDaemons());
        Assert.True(status.MessagesReceived > 0);
        Assert.Equal(0ul, status.MessagesDropped);
        Assert.Equal(status.ConnectionsReceived, status.ConnectionsInstalled);
        Assert.NotNull(status.Lag);
    }

    [Fact]
    public void AnLvsdMaster_SendsToAKernelBackup_WhichListsLvsdsConnectionsAndTemplate()
    {
        _f.Ok("director2", "ipvsadm --start-daemon backup --mcast-interface eth0 --syncid 22");
        _f.Engine.StartSyncDaemon(new SyncDaemonSpec { Role = SyncDaemonRole.Master, Interface = "eth0", SyncId = 22 });
        _f.Through(D1);
        var mine = OfThisFact();
        HoldOpen(40);
        Requests(4);

        List<LvsConnection> kernel = new(), engine = new();
        Eventually(() =>
        {
            engine = _f.Engine.ListConnections().Where(mine).ToList();
            kernel = KernelTable().Where(mine).ToList();
            return engine.Count >= 6 && engine.Select(Row).OrderBy(x => x.Item1).SequenceEqual(kernel.Select(Row).OrderBy(x => x.Item1));
        }, "the kernel backup's table to hold lvsd's entries");
        Assert.Contains(kernel, c => c.ClientPort == 0 && c.RealPort == 80);          // the template, as ipvsadm lists it
        Assert.Contains(kernel, c => c.State == LvsConnectionState.Established);
        var status = Assert.Single(_f.Engine.ListSyncDaemons());
        Assert.True(status.MessagesSent > 0 && status.ConnectionsSent >= (ulong)engine.Count);
        Assert.Equal(TimeSpan.Zero, status.Lag);
    }
}
