using System.Net;
using LvsPS.Ipvs.Director;
using LvsPS.Ipvs.Model;
using LvsPS.Management.Lab;
using LvsPS.Management.Lvsd;

namespace LvsPS.Lab.Tests;

internal static class Lvsd
{
    /// <summary>The engine the build put next to this test assembly (out/lvsd/lvsd.dll).</summary>
    public static string EnginePath => Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "lvsd", "lvsd.dll"));

    /// <summary>Starts lvsd for a lab's engine director, as Start-LvsDirector -Lab does, under its director name.</summary>
    public static DirectorStatus Start(LvsLab lab, LvsLabNode d) =>
        DirectorLauncher.Start(lab.DirectorNameOf(d), d.Interface, d.Namespace, EnginePath, 12, TimeSpan.FromSeconds(60), d.InsideInterface);

    /// <summary>Stops (when it runs) and forgets a director: state, log, socket, lock.</summary>
    public static void Forget(string name)
    {
        try { if (DirectorClient.IsRunning(name)) DirectorLauncher.Stop(name); }
        catch (LvsException) { }
        DirectorLauncher.Forget(name);
    }
}

/// <summary>The checks every pair passes: names, addresses, namespaces, hosts file, saved and read back.</summary>
internal static class PairChecks
{
    public static void Layout(LabManager manager, LvsLab lab, string network, int octet, LvsLabDirectorKind[] kinds)
    {
        string p = $"{network}.{octet}.";
        Assert.Equal(2, lab.Directors.Count);
        Assert.Same(lab.Directors[0], lab.Director);
        Assert.Equal(new[] { "director1", "director2" }, lab.Directors.Select(d => d.Name));
        Assert.Equal(new[] { IPAddress.Parse(p + "1"), IPAddress.Parse(p + "2") }, lab.Directors.Select(d => d.Address));
        Assert.Equal(kinds, lab.Directors.Select(d => d.DirectorKind!.Value));
        Assert.Equal(new[] { $"{lab.Name}-director1", $"{lab.Name}-director2" }, lab.Directors.Select(lab.DirectorNameOf));
        Assert.Equal(kinds[0], lab.DirectorKind);
        Assert.All(lab.Directors, d => Assert.Equal(LvsLabRole.Director, d.Role));
        Assert.NotEqual(lab.Directors[0].MacAddress, lab.Directors[1].MacAddress);
        Assert.Equal(IPAddress.Parse(p + "3"), lab.RealServers[0].Address);
        foreach (var d in lab.Directors)
        {
            Assert.Same(d, lab.FindNode(d.Name));
            Assert.Same(d, lab.FindDirector(lab.DirectorNameOf(d)));
            var found = manager.FindDirector(lab.DirectorNameOf(d));
            Assert.NotNull(found);
            Assert.Equal(d.Name, found!.Value.Node.Name);
            // a namespace of its own for a namespace director; a VM's QEMU runs in the switch's
            Assert.Equal(d.Host == LvsLabNodeHost.Namespace ? $"lvs-{lab.Name}-{d.Name}" : lab.SwitchNamespace, d.Namespace);
        }
        Assert.Same(lab.Directors[1], lab.FindNode("vs2"));
        Assert.Null(lab.FindNode("director"));
        Assert.Null(manager.FindDirector(lab.Name));   // a pair's directors are not named after the lab

        var expectedNs = new[] { "sw", "client", "rs1", "rs2" }
            .Concat(lab.Directors.Where(d => d.Host == LvsLabNodeHost.Namespace).Select(d => d.Name))
            .Select(n => $"lvs-{lab.Name}-{n}").OrderBy(n => n, StringComparer.Ordinal);
        Assert.Equal(expectedNs, Helpers.NamespacesOf(lab.Name).OrderBy(n => n, StringComparer.Ordinal));

        var hosts = File.ReadAllText(lab.HostsFile);
        Assert.Contains($"{p}1\tdirector1 vs1\n", hosts);
        Assert.Contains($"{p}2\tdirector2 vs2\n", hosts);

        // saved and read back with both directors, their kinds and hosts
        var saved = manager.Get(lab.Name)!;
        Assert.Equal(lab.Directors.Select(d => (d.Name, d.Address, d.MacAddress, d.Namespace, d.Host, d.DirectorKind, d.DirectorName)),
            saved.Directors.Select(d => (d.Name, d.Address, d.MacAddress, d.Namespace, d.Host, d.DirectorKind, d.DirectorName)));
        Assert.Equal(saved.Directors[0].Name, saved.Director.Name);
        Assert.Equal(new[] { "client", "director1", "director2", "rs1", "rs2" }, saved.Nodes.Select(n => n.Name));
    }

    /// <summary>No director of a pair holds the VIP (VRRP gives it), and none forwards with the kernel (ip_forward 0).</summary>
    public static void NoVipNoForwarding(LabManager manager, LvsLab lab)
    {
        foreach (var d in lab.Directors)
        {
            var addrs = manager.Exec(lab, d.Name, "ip -4 -o addr show", TimeSpan.FromSeconds(30));
            Assert.True(addrs.ExitCode == 0, $"{d.Name}: {addrs.Error}");
            Assert.Contains($"inet {d.Address}/24", addrs.Output);
            Assert.DoesNotContain(lab.VirtualAddress + "/", addrs.Output);
            Assert.Equal("0", manager.Exec(lab, d.Name, "cat /proc/sys/net/ipv4/ip_forward", TimeSpan.FromSeconds(30)).Output.Trim());
            Assert.Equal(d.MacAddress, manager.Exec(lab, d.Name, "cat /sys/class/net/eth0/address", TimeSpan.FromSeconds(30)).Output.Trim());
        }
    }
}

/// <summary>Two engine directors (lvsd in director1's and director2's namespaces); each test makes its own lab.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class TwoEngineDirectorLabTests : PrivateLabsTestBase
{
    private const string Network = "10.212";

    [Fact]
    public void EnginePair_BothLvsdAnswerInTheirNamespaces_AndRemoveLeavesNothing()
    {
        var name = Helpers.RandomName("le");
        _labs.Add(name);
        int octet = Helpers.RandomOctet();
        var kinds = new[] { LvsLabDirectorKind.Engine, LvsLabDirectorKind.Engine };
        var lab = _m.Create(name, 2, $"{Network}.{octet}.0/24", null, LvsForwarding.Route, LvsLabDirectorKind.Engine, null, 2);
        var names = lab.Directors.Select(lab.DirectorNameOf).ToList();
        var pids = new List<int>();
        try
        {
            PairChecks.Layout(_m, lab, Network, octet, kinds);
            PairChecks.NoVipNoForwarding(_m, lab);
            Assert.Null(lab.KernelGuest);
            // each director reaches the other and the real servers on the one segment
            Assert.Equal(0, _m.Exec(lab, "director1", $"ping -c 1 -W 3 {lab.Directors[1].Address}").ExitCode);
            Assert.Equal(0, _m.Exec(lab, "director2", $"ping -c 1 -W 3 {lab.RealServers[0].Address}").ExitCode);

            foreach (var d in lab.Directors)
            {
                var status = Lvsd.Start(lab, d);
                pids.Add(status.ProcessId);
                Assert.Equal(lab.DirectorNameOf(d), status.Name);
                Assert.Equal(d.Namespace, status.NetworkNamespace);
                Assert.Equal(d.MacAddress, status.MacAddress);
                // lvsd runs in that director's namespace, not the other's
                Assert.Contains(status.ProcessId, Helpers.Pids(d.Namespace));
            }
            Assert.NotEqual(pids[0], pids[1]);
            // each answers on its own socket, as itself
            foreach (var (d, i) in lab.Directors.Select((d, i) => (d, i)))
            {
                var s = DirectorClient.Connect(lab.DirectorNameOf(d), TimeSpan.FromSeconds(10)).GetStatus();
                Assert.Equal(pids[i], s.ProcessId);
                Assert.Equal(d.Address, s.InterfaceAddress);
            }

            _m.Remove(name);
            Assert.Empty(Helpers.NamespacesOf(name));
            Assert.False(Directory.Exists(lab.Directory));
            Assert.Null(_m.Get(name));
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (pids.Any(Helpers.Alive) && DateTime.UtcNow < deadline) Thread.Sleep(50);
            Assert.All(pids, pid => Assert.False(Helpers.Alive(pid), $"lvsd {pid} still runs after Remove"));
            Assert.DoesNotContain(Helpers.Root("ps", "-eo", "args").Output.Split('\n'), l => l.Contains($"lvsps-{name}-", StringComparison.Ordinal));
        }
        finally
        {
            foreach (var n in names) Lvsd.Forget(n);
        }
    }

    [Fact]
    public void Pairs_AreCheckedBeforeAnythingIsBuilt_NatRefused_KindsMatchTheCount()
    {
        var name = Helpers.RandomName("lv");
        _labs.Add(name);
        string Subnet() => $"{Network}.{Helpers.RandomOctet()}.0/24";

        var e = Assert.Throws<LvsException>(() => _m.Create(name, 2, Subnet(), null, LvsForwarding.Masq, LvsLabDirectorKind.Engine, null, 2));
        Assert.Equal(LvsErrorIds.InvalidArgument, e.ErrorId);
        Assert.Equal(LvsErrorKind.InvalidArgument, e.Kind);
        Assert.Contains("Masq", e.Message);
        Assert.Contains("DR (Route) or Tunnel", e.Message);

        e = Assert.Throws<LvsException>(() => _m.Create(name, 2, Subnet(), null, LvsForwarding.Route, LvsLabDirectorKind.Engine, null, 3));
        Assert.Equal(LvsErrorIds.InvalidArgument, e.ErrorId);
        Assert.Contains("director count 3", e.Message);

        e = Assert.Throws<LvsException>(() => _m.Create(name, 2, Subnet(), null, LvsForwarding.Route, LvsLabDirectorKind.Engine, null, 1,
            new[] { LvsLabDirectorKind.Engine, LvsLabDirectorKind.Kernel }));
        Assert.Equal(LvsErrorIds.InvalidArgument, e.ErrorId);
        Assert.Contains("Engine,Kernel", e.Message);
        Assert.Contains("-DirectorCount 2", e.Message);
        Assert.Empty(Helpers.NamespacesOf(name));

        Assert.Equal(new[] { LvsLabDirectorKind.Kernel, LvsLabDirectorKind.Kernel },
            LabManager.DirectorKinds(name, LvsForwarding.Tunnel, 2, new[] { LvsLabDirectorKind.Kernel }));
        Assert.Equal(new[] { LvsLabDirectorKind.Engine }, LabManager.DirectorKinds(name, LvsForwarding.Masq, 1, null));
    }

    [Fact]
    public void OneDirectorLabJson_FromBeforePairs_StillLoads_AndAOneDirectorLabSavesNoDirectorsList()
    {
        var dir = Path.Combine(_stateRoot, "oldlab");
        Directory.CreateDirectory(dir);
        // lab.json as a one-director lab saved it before pairs: "Director" only, no node kinds or names
        File.WriteAllText(Path.Combine(dir, "lab.json"), """
            {
              "Name": "oldlab", "Subnet": "10.212.9.0/24", "PrefixLength": 24, "VirtualAddress": "10.212.9.101",
              "Forwarding": "Route", "DirectorKind": "Kernel", "SwitchNamespace": "lvs-oldlab-sw", "Directory": "/x",
              "Client": { "Lab": "oldlab", "Name": "client", "Role": "Client", "Address": "10.212.9.200" },
              "Director": { "Lab": "oldlab", "Name": "director", "Role": "Director", "Namespace": "lvs-oldlab-sw",
                            "Host": "VirtualMachine", "Address": "10.212.9.1", "MacAddress": "02:4c:56:aa:01:01" },
              "RealServers": [ { "Lab": "oldlab", "Name": "rs1", "Role": "RealServer", "Index": 1, "Address": "10.212.9.3" } ]
            }
            """);
        var lab = _m.Get("oldlab")!;
        Assert.NotNull(lab);
        var d = Assert.Single(lab.Directors);
        Assert.Same(d, lab.Director);
        Assert.Equal(IPAddress.Parse("10.212.9.1"), d.Address);
        Assert.Equal(LvsLabDirectorKind.Kernel, d.DirectorKind);
        Assert.Equal("oldlab", d.DirectorName);
        Assert.Equal("oldlab", lab.DirectorNameOf(d));
        Assert.Same(d, lab.FindNode("vs1"));
        Assert.Equal(new[] { "client", "director", "rs1" }, lab.Nodes.Select(n => n.Name));
        Assert.Equal(lab.Client.Namespace, lab.ManagementNamespaceFor(d));
        Assert.Equal(("oldlab", "director"), _m.FindDirector("oldlab") is { } f ? (f.Lab.Name, f.Node.Name) : default);

        // saved again: still one "Director" and no "Directors" list
        var json = LabJson.Serialize(lab);
        Assert.Contains("\"Director\":", json);
        Assert.DoesNotContain("\"Directors\"", json);
        lab.Directors.Add(new LvsLabNode { Name = "director2" });
        Assert.Contains("\"Directors\":", LabJson.Serialize(lab));
        var back = LabJson.Deserialize(LabJson.Serialize(lab))!;
        Assert.Equal(new[] { "director", "director2" }, back.Directors.Select(n => n.Name));
    }
}

/// <summary>The mixed pair: director1 lvsd (a namespace), director2 Linux IPVS (a QEMU guest where this host has no ip_vs).</summary>
public sealed class MixedPairLabFixture : SharedLabFixture
{
    public const string Network = "10.212";
    public static readonly LvsLabDirectorKind[] Kinds = { LvsLabDirectorKind.Engine, LvsLabDirectorKind.Kernel };
    public MixedPairLabFixture() : base("lm", Network, 2, Kinds) { }
}

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class MixedPairLabTests : IClassFixture<MixedPairLabFixture>
{
    private readonly MixedPairLabFixture _f;
    public MixedPairLabTests(MixedPairLabFixture fixture) => _f = fixture;
    private LvsLab Lab => _f.Lab;
    private LvsLabNode D1 => Lab.Directors[0];
    private LvsLabNode D2 => Lab.Directors[1];

    private string Ok(string node, string command) => _f.ExecOk(node, command);

    [Fact]
    public void Layout_Director1Engine_Director2Kernel_NoVipOnEither()
    {
        PairChecks.Layout(_f.Manager, Lab, MixedPairLabFixture.Network, _f.Octet, MixedPairLabFixture.Kinds);
        PairChecks.NoVipNoForwarding(_f.Manager, Lab);
        Assert.Equal(LvsLabNodeHost.Namespace, D1.Host);
        Assert.NotNull(Lab.KernelGuest);
        Assert.StartsWith("director2: ", Lab.KernelGuest);
        // the first director (the engine) is the management namespace; the guest is reached from the client's
        Assert.Equal(D1.Namespace, Lab.ManagementNamespace);
        Assert.Equal(D2.Host == LvsLabNodeHost.VirtualMachine ? Lab.Client.Namespace : D1.Namespace, Lab.ManagementNamespaceFor(D2));
        if (D2.Host == LvsLabNodeHost.VirtualMachine)
        {
            Assert.EndsWith("-cloud-amd64", Ok("director2", "uname -r").Trim());
            Assert.Equal("director2", Ok("director2", "hostname").Trim());
            var qemu = int.Parse(File.ReadAllText(Path.Combine(Lab.Directory, "director2", "qemu.pid")).Trim());
            Assert.Contains(qemu, Helpers.Pids(Lab.SwitchNamespace));
            Assert.Contains("t-director2", Helpers.Root("ip", "-n", Lab.SwitchNamespace, "-o", "link", "show", "master", "br0").Output);
        }
        // the guest and the engine director see each other on the segment
        Ok("director2", $"ping -c 1 -W 3 {D1.Address}");
        Ok("director1", $"ping -c 1 -W 3 {D2.Address}");
    }

    [Fact]
    public void Director2_IsAKernelIpvs_ReachedOverSsh_UnderItsDirectorName_HostKeyVerified()
    {
        // known_hosts holds director2's key (director1, an engine, has no sshd); the login checks it
        var known = File.ReadAllText(Lab.KnownHostsFile);
        Assert.Contains($"{D2.Address} ssh-ed25519 ", known);
        Assert.DoesNotContain($"{D1.Address} ", known);
        Assert.Equal(0, LabManager.SshExec(Lab, D2, "true", TimeSpan.FromSeconds(30)).ExitCode);

        using var director = LabManager.ConnectKernelDirector(Lab, D2);
        Assert.Equal($"{Lab.Name}-director2", director.Name);
        var vip = Lab.VirtualAddress;
        var svc = Helpers.TcpService(Lab, 8080, LvsScheduler.Wlc);
        director.AddService(svc);
        try
        {
            var listing = Ok("director2", "ipvsadm -L -n");
            Assert.Contains($"TCP  {vip}:8080 wlc", listing);
            Assert.Contains(director.ListServices(), s => s.Port == 8080);
        }
        finally { director.DeleteService(svc); }

        // director1 is an engine: no kernel director there
        var e = Assert.Throws<LvsException>(() => LabManager.ConnectKernelDirector(Lab, D1));
        Assert.Equal(LvsErrorIds.NotSupportedByDirector, e.ErrorId);
        Assert.Contains($"{Lab.Name}-director1", e.Message);
    }

    [Fact]
    public void Director1_RunsLvsd_InItsNamespace_AnsweringOnItsSocket()
    {
        var name = Lab.DirectorNameOf(D1);
        try
        {
            var status = Lvsd.Start(Lab, D1);
            Assert.Equal(name, status.Name);
            Assert.Equal(D1.Namespace, status.NetworkNamespace);
            Assert.Contains(status.ProcessId, Helpers.Pids(D1.Namespace));
            Assert.Equal(status.ProcessId, DirectorClient.Connect(name, TimeSpan.FromSeconds(10)).GetStatus().ProcessId);
            Assert.Equal(DirectorStopMethod.ShutDown, DirectorLauncher.Stop(name));
        }
        finally { Lvsd.Forget(name); }
    }
}

/// <summary>A kernel pair: two Linux IPVS directors (two QEMU guests where this host has no ip_vs), one lab for the whole check.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class KernelPairLabTests : PrivateLabsTestBase
{
    [Fact]
    public void KernelPair_BothGuestsBoot_EachWithItsOwnVerifiedHostKey_AndRemoveStopsBoth()
    {
        var name = Helpers.RandomName("lk");
        _labs.Add(name);
        int octet = Helpers.RandomOctet();
        var kinds = new[] { LvsLabDirectorKind.Kernel, LvsLabDirectorKind.Kernel };
        var lab = _m.Create(name, 2, $"10.212.{octet}.0/24", null, LvsForwarding.Tunnel, LvsLabDirectorKind.Kernel, null, 2);
        PairChecks.Layout(_m, lab, "10.212", octet, kinds);
        PairChecks.NoVipNoForwarding(_m, lab);
        Assert.Contains("director1: ", lab.KernelGuest);
        Assert.Contains("; director2: ", lab.KernelGuest);

        // two host keys, one per director, each in the lab's known_hosts under its own address
        var keys = lab.Directors.Select(d => File.ReadAllText(Path.Combine(lab.Directory, d.Name, "ssh_host_ed25519_key.pub")).Split(' ')[1]).ToList();
        Assert.NotEqual(keys[0], keys[1]);
        var known = File.ReadAllLines(lab.KnownHostsFile);
        for (int i = 0; i < 2; i++)
            Assert.Contains($"{lab.Directors[i].Address} ssh-ed25519 {keys[i]}", known);

        foreach (var d in lab.Directors)
        {
            var r = LabManager.SshExec(lab, d, "hostname; ipvsadm -L -n | head -1", TimeSpan.FromSeconds(30));
            Assert.True(r.ExitCode == 0, $"{d.Name}: {r.Error}");
            Assert.StartsWith($"{d.Name}\nIP Virtual Server version", r.Output);
            using var director = LabManager.ConnectKernelDirector(lab, d);
            Assert.Equal($"{name}-{d.Name}", director.Name);
            Assert.Empty(director.ListServices());
        }

        // the keys are checked: director1's key recorded for director2's address makes director2's login fail, not director1's
        var swapped = Path.Combine(_stateRoot, "swapped_known_hosts");
        File.WriteAllText(swapped, $"{lab.Directors[0].Address} ssh-ed25519 {keys[0]}\n{lab.Directors[1].Address} ssh-ed25519 {keys[0]}\n");
        var copy = _m.Get(name)!;
        copy.KnownHostsFile = swapped;
        Assert.Equal(0, LabManager.SshExec(copy, copy.Directors[0], "true", TimeSpan.FromSeconds(30)).ExitCode);
        var bad = LabManager.SshExec(copy, copy.Directors[1], "true", TimeSpan.FromSeconds(30));
        Assert.Equal(255, bad.ExitCode);
        Assert.Contains("host key", bad.Error, StringComparison.OrdinalIgnoreCase);

        var qemu = lab.Directors.Where(d => d.Host == LvsLabNodeHost.VirtualMachine)
            .Select(d => int.Parse(File.ReadAllText(Path.Combine(lab.Directory, d.Name, "qemu.pid")).Trim())).ToList();
        if (qemu.Count > 0)
        {
            Assert.Equal(2, qemu.Distinct().Count());
            var taps = Helpers.Root("ip", "-n", lab.SwitchNamespace, "-o", "link", "show", "master", "br0").Output;
            Assert.Contains("t-director1", taps);
            Assert.Contains("t-director2", taps);
        }
        _m.Remove(name);
        Assert.Empty(Helpers.NamespacesOf(name));
        Assert.False(Directory.Exists(lab.Directory));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (qemu.Any(Helpers.Alive) && DateTime.UtcNow < deadline) Thread.Sleep(50);
        Assert.All(qemu, pid => Assert.False(Helpers.Alive(pid), $"QEMU {pid} still runs after Remove"));
    }
}
